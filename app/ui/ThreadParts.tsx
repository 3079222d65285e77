// A conversation's parts shared by the order thread and the customer's
// conversation pages: a message bubble (who wrote, what, when, its status and
// cost) and the reply box (free text inside the 24-hour window, an approved
// template outside it).
import { Link, useFetcher, useNavigation, useRevalidator, useSearchParams } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, InlineStack, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";

import { type Locale, type MessageKey, type Translate, translator } from "../i18n";
import { actionErrorText, categoryName, reasonText, withDetail } from "../i18n/codes";
import { formatMicros } from "./money";
import type { OfferedQuickReply } from "../messaging/quick-replies.server";
import type { ServiceWindow, ThreadMessage } from "../messaging/threads.server";
import { MessageContentView } from "./MessageContentView";
import { useNow } from "./useNow";

const TONE: Record<string, "success" | "critical" | "info" | "warning" | undefined> = {
  READ: "success",
  DELIVERED: "success",
  FAILED: "critical",
  SKIPPED: "warning",
  CANCELLED: "warning",
  RECEIVED: "info",
};

/** New messages appear without a reload: a thread page re-reads its loader this often while visible. */
const REFRESH_MS = 10_000;

/** A thread page kept live (re-read while visible) and paged back with `?before=`: the earlier page to show, and whether it is loading. */
export function useLiveThread() {
  const [, setSearchParams] = useSearchParams();
  const navigation = useNavigation();
  const revalidator = useRevalidator();
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && revalidator.state === "idle") revalidator.revalidate();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [revalidator]);
  const showEarlier = (cursor: string) =>
    setSearchParams(
      (current) => {
        current.set("before", cursor);
        return current;
      },
      { preventScrollReset: true },
    );
  return { showEarlier, loading: navigation.state === "loading" };
}

/** A message in a thread; with `showOrder`, a link to the order it is about (the customer's conversation mixes orders). */
export function MessageBubble({ m, t, locale, when, showOrder = false }: { m: ThreadMessage; t: Translate; locale: Locale; when: Intl.DateTimeFormat; showOrder?: boolean }) {
  const problem = m.error ? reasonText(t, locale, m.error) : null;
  return (
    <InlineStack align={m.direction === "IN" ? "start" : "end"}>
      <Box maxWidth="70%">
        <Card background={m.direction === "IN" ? "bg-surface" : "bg-surface-success"}>
          <BlockStack gap="100">
            <InlineStack gap="200" blockAlign="center">
              <Text as="span" variant="bodySm" fontWeight="semibold">
                {t(`thread.source.${m.source}` as MessageKey)}
                {m.staffName ? ` · ${m.staffName}` : ""}
              </Text>
              {showOrder && m.order ? <Link to={`/app/orders/${m.order.shopifyOrderId}`}>{m.order.name}</Link> : null}
              {m.templateName ? (
                <Text as="span" variant="bodySm" tone="subdued">
                  {t("thread.template", { name: m.templateName })}
                </Text>
              ) : null}
            </InlineStack>
            <MessageContentView m={m} t={t} locale={locale} />
            {problem ? (
              <Text as="p" tone="critical" variant="bodySm">
                {withDetail(t, problem)}
              </Text>
            ) : null}
            <InlineStack gap="200" blockAlign="center">
              <Text as="span" variant="bodySm" tone="subdued">
                {when.format(new Date(m.occurredAt))}
              </Text>
              {m.direction === "OUT" ? <Badge tone={TONE[m.status]}>{t(`thread.status.${m.status}` as MessageKey)}</Badge> : null}
              {m.pricingCategory ? <Badge>{categoryName(t, m.pricingCategory)}</Badge> : null}
              {m.costMicros !== null && m.currency ? (
                <Text as="span" variant="bodySm" tone="subdued">
                  {formatMicros(m.costMicros, m.currency, locale)}
                </Text>
              ) : null}
            </InlineStack>
          </BlockStack>
        </Card>
      </Box>
    </InlineStack>
  );
}

/**
 * The reply box; inside the window, the shop's quick replies (already filled
 * in for this conversation, the customer's language first) insert into the
 * text, which staff can still edit before sending. Outside it no template is
 * chosen for staff: they pick one and read its filled text before it goes.
 */
export function ReplyBox({
  locale,
  window,
  templates,
  previews,
  quickReplies,
}: {
  locale: Locale;
  window: ServiceWindow;
  templates: string[];
  previews: Record<string, string>;
  quickReplies: OfferedQuickReply[];
}) {
  const t = translator(locale);
  const fetcher = useFetcher<{ ok: true } | { ok: false; code: string; cause?: string }>();
  const [requestId, setRequestId] = useState(() => crypto.randomUUID());
  const [text, setText] = useState("");
  const [templateName, setTemplateName] = useState("");
  const [unchosen, setUnchosen] = useState(false);
  const result = fetcher.data;
  // An answer, sent or refused, settles the id's message: the next send (the text edited) is a new one.
  // A request that got no answer brings no new data and keeps the id, so sending again lands on the same row.
  useEffect(() => {
    if (fetcher.state !== "idle" || !result) return;
    if (result.ok) {
      setText("");
      setTemplateName("");
    }
    setRequestId(crypto.randomUUID());
  }, [fetcher.state, result]);
  const error = result && !result.ok ? actionErrorText(t, locale, result) : undefined;
  const now = useNow(window.asOf);
  const minutesLeft = window.closesAt ? Math.max(0, Math.round((Date.parse(window.closesAt) - now) / 60_000)) : 0;
  const timeLeft = minutesLeft >= 60 ? `${Math.floor(minutesLeft / 60)} h ${minutesLeft % 60} min` : `${minutesLeft} min`;
  return (
    <Card>
      <fetcher.Form
        method="post"
        onSubmit={(event) => {
          if (window.open || templateName) return;
          event.preventDefault();
          setUnchosen(true);
        }}
      >
        <input type="hidden" name="requestId" value={requestId} />
        <input type="hidden" name="intent" value={window.open ? "text" : "template"} />
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("reply.heading")}
          </Text>
          {window.open ? (
            <>
              <Text as="p" tone="subdued">
                {t("reply.windowOpen", { time: timeLeft })}
              </Text>
              {quickReplies.length ? (
                <Select
                  label={t("reply.quickReply")}
                  options={[
                    { label: t("reply.quickReplyPick"), value: "" },
                    ...quickReplies.map((q) => ({ label: `${q.title} · ${t(`quickReplies.locale.${q.locale}` as MessageKey)}`, value: q.id })),
                  ]}
                  value=""
                  onChange={(id) => {
                    const chosen = quickReplies.find((q) => q.id === id);
                    if (chosen) setText((current) => (current.trim() ? `${current.trimEnd()}\n${chosen.text}` : chosen.text));
                  }}
                />
              ) : null}
              <TextField label={t("reply.text")} name="text" value={text} onChange={setText} multiline={3} autoComplete="off" error={error} maxLength={4096} />
              <InlineStack gap="300" blockAlign="center">
                <Button submit variant="primary" loading={fetcher.state !== "idle"}>
                  {t("reply.send")}
                </Button>
                {result?.ok ? (
                  <Text as="span" tone="success">
                    {t("reply.sent")}
                  </Text>
                ) : null}
              </InlineStack>
            </>
          ) : (
            <>
              <Banner tone="info">{t("reply.windowClosed")}</Banner>
              <Select
                label={t("reply.template")}
                name="templateName"
                options={[{ label: t("confirm.template.choose"), value: "" }, ...templates]}
                value={templateName}
                onChange={(name) => {
                  setTemplateName(name);
                  setUnchosen(false);
                }}
                error={unchosen ? t("confirm.template.required") : error}
              />
              {previews[templateName] ? (
                <BlockStack gap="100">
                  <Text as="h3" variant="headingSm">
                    {t("confirm.template.preview")}
                  </Text>
                  <Box padding="300" background="bg-surface-secondary" borderRadius="200">
                    <Text as="p" breakWord>
                      <span style={{ whiteSpace: "pre-wrap" }} data-testid="template-preview">
                        {previews[templateName]}
                      </span>
                    </Text>
                  </Box>
                </BlockStack>
              ) : null}
              <InlineStack gap="300" blockAlign="center">
                <Button submit variant="primary" loading={fetcher.state !== "idle"}>
                  {t("reply.sendTemplate")}
                </Button>
                {result?.ok ? (
                  <Text as="span" tone="success">
                    {t("reply.sent")}
                  </Text>
                ) : null}
              </InlineStack>
            </>
          )}
        </BlockStack>
      </fetcher.Form>
    </Card>
  );
}
