// What a WhatsApp message carries, read from Meta's message object (inbound,
// phone-app echo or imported history) into the few fields a thread shows: a
// text (`body`: the text, caption, tapped reply or order note) and, for
// anything but plain text, a `content` of its kind. Every field is optional
// here: a type or shape this does not know becomes "unsupported", never an
// error.
import { z } from "zod";

export const MEDIA_KINDS = ["image", "video", "audio", "document", "sticker"] as const;
export type MediaKind = (typeof MEDIA_KINDS)[number];

export type MessageContent =
  /** `media` null: history's media_placeholder, whose media Meta sends later (or never). */
  | { kind: "media"; media: MediaKind | null; mediaId: string | null; mimeType: string | null; filename: string | null; voice: boolean; animated: boolean }
  | { kind: "location"; latitude: number | null; longitude: number | null; name: string | null; address: string | null; url: string | null }
  | { kind: "contacts"; contacts: { name: string; phones: string[] }[] }
  | { kind: "order"; items: { productId: string; quantity: number; price: number | null; currency: string | null }[] }
  /** A tapped quick reply, reply button or list row. */
  | { kind: "reply"; title: string; description: string | null }
  /** A WhatsApp Flow's answers (nfm_reply). */
  | { kind: "form"; fields: { name: string; value: string }[] }
  | { kind: "system"; body: string | null }
  | { kind: "reaction"; emoji: string | null }
  | { kind: "deleted" }
  | { kind: "unsupported"; type: string; reason: string | null };

const text = z.string().nullish().catch(null);
const flag = z.boolean().nullish().catch(null);
const number = z.coerce.number().nullish().catch(null);
const mediaSchema = z.object({ id: text, mime_type: text, filename: text, caption: text, voice: flag, animated: flag }).passthrough();
/** A link the customer shared with a location: only a web address (a `javascript:` one would run in the thread page). */
const webUrl = text.transform((url) => (url && /^https?:\/\//i.test(url) ? url : null));
const locationSchema = z.object({ latitude: number, longitude: number, name: text, address: text, url: webUrl });
const contactsSchema = z.array(
  z.object({
    name: z.object({ formatted_name: text, first_name: text, last_name: text }).nullish().catch(null),
    phones: z
      .array(z.object({ phone: text, wa_id: text }))
      .nullish()
      .catch(null),
  }),
);
const orderSchema = z.object({
  text,
  product_items: z.array(z.object({ product_retailer_id: z.coerce.string(), quantity: z.coerce.number().catch(1), item_price: number, currency: text })).catch([]),
});
const replySchema = z.object({ id: text, title: z.string(), description: text });
const interactiveSchema = z.object({
  type: text,
  button_reply: replySchema.nullish().catch(null),
  list_reply: replySchema.nullish().catch(null),
  nfm_reply: z.object({ name: text, body: text, response_json: text }).nullish().catch(null),
});
const errorsSchema = z.array(z.object({ code: number, title: text, message: text, error_data: z.object({ details: text }).nullish().catch(null) })).catch([]);

export interface ReadMessage {
  body: string | null;
  content: MessageContent | null;
}

type Raw = Record<string, unknown>;

/** A Flow's answers, flow_token (Meta's, not the customer's) left out. */
function formFields(responseJson: string | null | undefined): { name: string; value: string }[] {
  if (!responseJson) return [];
  try {
    const parsed: unknown = JSON.parse(responseJson);
    if (!parsed || typeof parsed !== "object") return [];
    return Object.entries(parsed as Raw)
      .filter(([name, value]) => name !== "flow_token" && value !== null && value !== undefined)
      .map(([name, value]) => ({ name, value: typeof value === "string" ? value : JSON.stringify(value) }));
  } catch {
    return [];
  }
}

function unsupported(message: Raw, type: string): ReadMessage {
  const error = errorsSchema.parse(message.errors)[0];
  const reason = error ? (error.error_data?.details ?? error.message ?? error.title ?? null) : null;
  return { body: null, content: { kind: "unsupported", type, reason } };
}

/** The message's text and content; an edit is read as the message it now is. */
export function readMessage(message: Raw): ReadMessage {
  const type = typeof message.type === "string" ? message.type : "unknown";
  const part = message[type];
  if (type === "text") {
    const body = z.object({ body: z.string() }).safeParse(part);
    return body.success ? { body: body.data.body, content: null } : unsupported(message, type);
  }
  if ((MEDIA_KINDS as readonly string[]).includes(type)) {
    const media = mediaSchema.safeParse(part ?? {});
    if (!media.success) return unsupported(message, type);
    const m = media.data;
    return {
      body: m.caption ?? null,
      content: { kind: "media", media: type as MediaKind, mediaId: m.id ?? null, mimeType: m.mime_type ?? null, filename: m.filename ?? null, voice: Boolean(m.voice), animated: Boolean(m.animated) },
    };
  }
  if (type === "media_placeholder") return { body: null, content: { kind: "media", media: null, mediaId: null, mimeType: null, filename: null, voice: false, animated: false } };
  if (type === "location") {
    const location = locationSchema.safeParse(part ?? {});
    if (!location.success) return unsupported(message, type);
    const { latitude, longitude, name, address, url } = location.data;
    return { body: null, content: { kind: "location", latitude: latitude ?? null, longitude: longitude ?? null, name: name ?? null, address: address ?? null, url: url ?? null } };
  }
  if (type === "contacts") {
    const contacts = contactsSchema.safeParse(part);
    if (!contacts.success) return unsupported(message, type);
    return {
      body: null,
      content: {
        kind: "contacts",
        contacts: contacts.data.map((c) => ({
          name: c.name?.formatted_name ?? [c.name?.first_name, c.name?.last_name].filter(Boolean).join(" "),
          phones: (c.phones ?? []).flatMap((p) => {
            const phone = p.phone ?? p.wa_id;
            return phone ? [phone] : [];
          }),
        })),
      },
    };
  }
  if (type === "order") {
    const order = orderSchema.safeParse(part ?? {});
    if (!order.success) return unsupported(message, type);
    const items = order.data.product_items.map((i) => ({ productId: i.product_retailer_id, quantity: i.quantity, price: i.item_price ?? null, currency: i.currency ?? null }));
    return { body: order.data.text ?? null, content: { kind: "order", items } };
  }
  if (type === "button") {
    const button = z.object({ text: z.string() }).safeParse(part);
    return button.success ? { body: button.data.text, content: { kind: "reply", title: button.data.text, description: null } } : unsupported(message, type);
  }
  if (type === "interactive") {
    const interactive = interactiveSchema.safeParse(part ?? {});
    const reply = interactive.data?.button_reply ?? interactive.data?.list_reply;
    if (reply) return { body: reply.title, content: { kind: "reply", title: reply.title, description: reply.description ?? null } };
    const form = interactive.data?.nfm_reply;
    if (form) return { body: form.body ?? null, content: { kind: "form", fields: formFields(form.response_json) } };
    return unsupported(message, type);
  }
  if (type === "system") {
    const system = z.object({ body: text }).safeParse(part ?? {});
    return { body: null, content: { kind: "system", body: system.data?.body ?? null } };
  }
  if (type === "reaction") {
    const reaction = z.object({ emoji: text }).safeParse(part ?? {});
    const emoji = reaction.data?.emoji || null;
    return { body: emoji, content: { kind: "reaction", emoji } };
  }
  if (type === "edit") {
    const edited = z.object({ message: z.record(z.unknown()) }).safeParse(part);
    return edited.success ? readMessage(edited.data.message) : unsupported(message, type);
  }
  if (type === "revoke") return { body: null, content: { kind: "deleted" } };
  return unsupported(message, type);
}

/** The type a row keeps: an edit is stored as the kind of message it edits. */
export function storedType(message: Raw): string {
  const type = typeof message.type === "string" ? message.type : "unknown";
  if (type !== "edit") return type;
  const inner = (message.edit as { message?: { type?: unknown } } | undefined)?.message?.type;
  return typeof inner === "string" ? inner : type;
}

/** A change to a message sent before: a reaction, an edit or a revoke, and the message it applies to. */
export type MessageChange = { kind: "reaction"; target: string; emoji: string | null } | { kind: "edit"; target: string } | { kind: "revoke"; target: string };

export function changeOf(message: Raw): MessageChange | null {
  const part = message[String(message.type)] as { message_id?: unknown; original_message_id?: unknown; emoji?: unknown } | undefined;
  if (message.type === "reaction" && typeof part?.message_id === "string")
    return { kind: "reaction", target: part.message_id, emoji: typeof part.emoji === "string" && part.emoji ? part.emoji : null };
  if ((message.type === "edit" || message.type === "revoke") && typeof part?.original_message_id === "string") return { kind: message.type, target: part.original_message_id };
  return null;
}

const contentSchema = z.object({ kind: z.string() }).passthrough();

/** Stored content, as the thread reads it back (null for none or a shape this does not know). */
export function storedContent(value: unknown): MessageContent | null {
  const parsed = contentSchema.safeParse(value);
  return parsed.success ? (parsed.data as MessageContent) : null;
}
