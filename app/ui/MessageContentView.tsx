// What one thread bubble says: its text, or for other kinds of message what
// they carry (media fetched from the app's media route, a location with a map
// link, shared contacts, a catalog order, a tapped reply, a Flow's answers, a
// WhatsApp notice, or a note that the kind cannot be shown), plus a deleted
// or edited mark and the customer's reaction.
import { BlockStack, Button, InlineStack, Link, Text } from "@shopify/polaris";
import { useEffect, useState } from "react";

import type { MessageKey, Translate } from "../i18n";
import type { MessageContent } from "../whatsapp/message-content";

export interface BubbleMessage {
  id: string;
  type: string;
  text: string | null;
  content: MessageContent | null;
  reaction: string | null;
  edited: boolean;
  deleted: boolean;
}

type Media = Extract<MessageContent, { kind: "media" }>;

/** The label of a message that has no text of its own (the conversation list's preview). */
export function kindLabel(t: Translate, type: string): string {
  if (["image", "video", "audio", "document", "sticker"].includes(type)) return t(`message.media.${type}` as MessageKey);
  if (type === "media_placeholder") return t("message.media.placeholder");
  if (["location", "contacts", "order", "reaction", "system"].includes(type)) return t(`message.${type}` as MessageKey);
  return t("message.other");
}

/** Fetched inside the app (App Bridge adds the session token): a plain src would carry no session. */
async function fetchMedia(messageId: string): Promise<Blob> {
  const response = await fetch(`/app/media/${messageId}`);
  if (!response.ok) throw new Error(`media answered ${response.status}`);
  return response.blob();
}

function MediaView({ messageId, media, t }: { messageId: string; media: Media; t: Translate }) {
  const shown = media.media !== null && media.media !== "document" && Boolean(media.mediaId);
  const [state, setState] = useState<{ url?: string; failed?: boolean }>({});
  useEffect(() => {
    if (!shown) return;
    let url: string | undefined;
    let cancelled = false;
    fetchMedia(messageId)
      .then((blob) => {
        if (cancelled) return;
        url = URL.createObjectURL(blob);
        setState({ url });
      })
      .catch(() => !cancelled && setState({ failed: true }));
    return () => {
      cancelled = true;
      if (url) URL.revokeObjectURL(url);
    };
  }, [messageId, shown]);
  if (media.media === null)
    return (
      <Text as="p" tone="subdued">
        {t("message.media.placeholder")}
      </Text>
    );
  const label = t(media.voice ? "message.media.voice" : (`message.media.${media.media}` as MessageKey));
  if (media.media === "document" || !media.mediaId) {
    const name = media.filename ?? label;
    const download = async () => {
      try {
        const url = URL.createObjectURL(await fetchMedia(messageId));
        Object.assign(document.createElement("a"), { href: url, download: name }).click();
        URL.revokeObjectURL(url);
      } catch {
        setState({ failed: true });
      }
    };
    return (
      <BlockStack gap="100">
        <Text as="p" tone="subdued">
          {label}
        </Text>
        {media.mediaId ? <Button onClick={() => void download()}>{t("message.media.download", { name })}</Button> : null}
        {state.failed ? (
          <Text as="p" tone="critical">
            {t("message.media.failed")}
          </Text>
        ) : null}
      </BlockStack>
    );
  }
  const player = state.url ? (
    media.media === "video" ? (
      <video src={state.url} controls style={{ maxWidth: "100%" }} />
    ) : media.media === "audio" ? (
      <audio src={state.url} controls />
    ) : (
      <img src={state.url} alt={label} style={{ maxWidth: media.media === "sticker" ? 128 : "100%" }} />
    )
  ) : null;
  return (
    <BlockStack gap="100">
      <Text as="p" tone="subdued">
        {label}
      </Text>
      {player ?? (
        <Text as="p" tone={state.failed ? "critical" : "subdued"}>
          {t(state.failed ? "message.media.failed" : "message.media.loading")}
        </Text>
      )}
    </BlockStack>
  );
}

function price(value: number | null, currency: string | null, locale: string): string | null {
  if (value === null) return null;
  try {
    return currency ? new Intl.NumberFormat(locale, { style: "currency", currency }).format(value) : String(value);
  } catch {
    return `${value} ${currency}`;
  }
}

function ContentView({ m, t, locale }: { m: BubbleMessage & { content: MessageContent }; t: Translate; locale: string }) {
  const c = m.content;
  switch (c.kind) {
    case "media":
      return <MediaView messageId={m.id} media={c} t={t} />;
    case "location": {
      const map = c.latitude !== null && c.longitude !== null ? `https://www.google.com/maps/search/?api=1&query=${c.latitude},${c.longitude}` : c.url;
      return (
        <BlockStack gap="100">
          <Text as="p" fontWeight="semibold">
            {c.name ?? t("message.location")}
          </Text>
          {c.address ? <Text as="p">{c.address}</Text> : null}
          {map ? (
            <Link url={map} target="_blank">
              {t("message.location.map")}
            </Link>
          ) : null}
        </BlockStack>
      );
    }
    case "contacts":
      return (
        <BlockStack gap="100">
          <Text as="p" tone="subdued">
            {t("message.contacts")}
          </Text>
          {c.contacts.map((contact, index) => (
            <Text as="p" key={index}>
              {[contact.name, ...contact.phones].filter(Boolean).join(" · ")}
            </Text>
          ))}
        </BlockStack>
      );
    case "order":
      return (
        <BlockStack gap="100">
          <Text as="p" tone="subdued">
            {t("message.order")}
          </Text>
          {c.items.map((item, index) => (
            <Text as="p" key={index}>
              {[t("message.order.item", { quantity: item.quantity, product: item.productId }), price(item.price, item.currency, locale)].filter(Boolean).join(" · ")}
            </Text>
          ))}
        </BlockStack>
      );
    case "reply":
      return <Text as="p">{t("message.reply", { title: c.title })}</Text>;
    case "form":
      return (
        <BlockStack gap="100">
          <Text as="p" tone="subdued">
            {t("message.form")}
          </Text>
          {c.fields.map((field) => (
            <Text as="p" key={field.name}>{`${field.name}: ${field.value}`}</Text>
          ))}
        </BlockStack>
      );
    case "system":
      return (
        <Text as="p" tone="subdued">
          {[t("message.system"), c.body].filter(Boolean).join(": ")}
        </Text>
      );
    case "reaction":
      return <Text as="p">{c.emoji ? t("message.reacted", { emoji: c.emoji }) : t("message.reactionRemoved")}</Text>;
    case "deleted":
      return (
        <Text as="p" tone="subdued">
          {t("message.deleted")}
        </Text>
      );
    case "unsupported":
      return (
        <Text as="p" tone="subdued">
          {[t("message.unsupported", { type: c.type }), c.reason].filter(Boolean).join(" ")}
        </Text>
      );
  }
}

export function MessageContentView({ m, t, locale }: { m: BubbleMessage; t: Translate; locale: string }) {
  if (m.deleted)
    return (
      <Text as="p" tone="subdued">
        {t("message.deleted")}
      </Text>
    );
  const content = m.content;
  // A tapped reply, a reaction or a notice says its text itself; media and orders show theirs (caption, note) below.
  const ownText = content && ["reply", "reaction", "system"].includes(content.kind);
  return (
    <BlockStack gap="100">
      {content ? <ContentView m={{ ...m, content }} t={t} locale={locale} /> : null}
      {/* WhatsApp text keeps its line breaks (a customer's, a staff reply's, an order-status answer's lines). */}
      {m.text && !ownText ? (
        <Text as="p">
          <span style={{ whiteSpace: "pre-line" }}>{m.text}</span>
        </Text>
      ) : null}
      {!content && !m.text ? (
        <Text as="p" tone="subdued">
          {kindLabel(t, m.type)}
        </Text>
      ) : null}
      {m.edited || m.reaction ? (
        <InlineStack gap="200">
          {m.edited ? (
            <Text as="span" variant="bodySm" tone="subdued">
              {t("message.edited")}
            </Text>
          ) : null}
          {m.reaction ? (
            <Text as="span" variant="bodySm">
              {t("message.reacted", { emoji: m.reaction })}
            </Text>
          ) : null}
        </InlineStack>
      ) : null}
    </BlockStack>
  );
}
