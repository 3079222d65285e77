// What arrives from WhatsApp besides statuses: customer messages, messages the
// merchant typed on the phone app (Coexistence echoes) and contact sync (history
// sync is history.server.ts). Each becomes a Message or Contact row, or changes
// the message it reacts to, edits or revokes; a wamid already stored is
// skipped, so replays change nothing.
import { z } from "zod";

import { answerCustomerMessage } from "../messaging/auto-answers.server";
import { isCodAnswer, recordCodAnswer } from "../messaging/cod.server";
import { isOptOutMessage, isStopPromotionsTap, keywordOf, OPT_IN_KEYWORDS, optInToMarketing, optOutKeywords, optOutOfMarketing } from "../messaging/consent.server";
import { applyIdentityChange, contactForWhatsAppUser } from "../messaging/contacts.server";
import type { Db } from "../core/db.server";
import { insertOnce } from "../core/db-errors.server";
import { STATUS_RANK } from "../core/domain";
import { recordReply } from "../messaging/reply-marks.server";
import { handOverUnhandledTap, recordEvent, touchConversation } from "../messaging/conversations.server";
import { applyMessageChange, contentJson, pendingChange, settlePendingChanges } from "./message-changes.server";
import { changeOf, readMessage, storedType } from "./message-content";
import { ItemChecks } from "./payload-items";
import { unixSeconds } from "./timestamps";

/**
 * The order a message belongs to: the order of the message it replies to
 * (WhatsApp context) when that message is this contact's, else the contact's
 * most recent open order. Another customer's message naming it is not about
 * that order, and must not show on it.
 */
export async function orderForMessage(db: Db, shopId: string, contactId: string, replyToWamid?: string | null): Promise<string | null> {
  if (replyToWamid) {
    const original = await db.message.findUnique({ where: { shopId_wamid: { shopId, wamid: replyToWamid } }, select: { orderId: true, contactId: true } });
    if (original?.orderId && original.contactId === contactId) return original.orderId;
  }
  const open = await db.order.findFirst({ where: { shopId, contactId, cancelledAt: null }, orderBy: { createdAt: "desc" }, select: { id: true } });
  return open?.id ?? null;
}

/** One customer message of a `messages` change (each read on its own: payload-items.ts). */
export const customerMessageSchema = z
  .object({ from: z.string().optional(), id: z.string(), timestamp: unixSeconds, type: z.string(), context: z.object({ id: z.string().optional() }).optional() })
  .passthrough();
const contactSchema = z.object({ wa_id: z.string().optional(), user_id: z.string().optional(), profile: z.object({ name: z.string().optional() }).optional() });

/** A `messages` change's customer side: the profiles, and the messages still to be read one by one. */
export const inboundValueSchema = z.object({
  contacts: z.array(contactSchema).optional(),
  messages: z.array(z.unknown()).optional(),
});

type CustomerMessages = { contacts?: z.infer<typeof contactSchema>[]; messages: z.infer<typeof customerMessageSchema>[] };

/** A profile naming another number or user id than the message's sender is someone else's. */
const contradicts = (profile: z.infer<typeof contactSchema>, from: string | undefined, userId: string | undefined) =>
  (profile.wa_id !== undefined && from !== undefined && profile.wa_id !== from) || (profile.user_id !== undefined && userId !== undefined && profile.user_id !== userId);

/** Customer messages: a contact, a message row, the 24 h window opened, and opt-out keywords applied. */
export async function recordCustomerMessages(db: Db, shopId: string, value: CustomerMessages) {
  if (!value.messages.length) return;
  const shop = await db.shop.findUniqueOrThrow({ where: { id: shopId } });
  const keywords = optOutKeywords(shop);
  for (const message of value.messages) {
    // The sender's profile: by number, else by user id (a username user's messages may carry no number), else the only one.
    const fromUserId = (message as { from_user_id?: unknown }).from_user_id;
    const senderId = typeof fromUserId === "string" ? fromUserId : undefined;
    const profile =
      value.contacts?.find((c) => (message.from !== undefined && c.wa_id === message.from) || (senderId !== undefined && c.user_id === senderId)) ??
      (value.contacts?.length === 1 && !contradicts(value.contacts[0]!, message.from, senderId) ? value.contacts[0] : undefined);
    // A system message says the customer's number or user id changed (it has no contacts array): the contact moves to it.
    const system = message.type === "system" ? (message as { system?: unknown }).system : undefined;
    const contact = system
      ? await applyIdentityChange(db, shopId, message.from, system)
      : await contactForWhatsAppUser(db, shopId, { waId: message.from ?? profile?.wa_id, bsuid: senderId ?? profile?.user_id, name: profile?.profile?.name });
    // An id change for a customer the shop never talked to: nothing to keep.
    if (!contact) continue;
    const occurredAt = new Date(Number(message.timestamp) * 1000);
    // A reaction, edit or revoke changes the message it names; kept as a message only when that one is not stored.
    const change = changeOf(message);
    if (change && (await applyMessageChange(db, shopId, change, message, occurredAt, { contactId: contact.id, direction: "IN" }))) continue;
    const orderId = await orderForMessage(db, shopId, contact.id, message.context?.id);
    const { body, content } = readMessage(message);
    const stored = await insertOnce(() =>
      db.message.create({
        data: {
          shopId,
          direction: "IN",
          source: "CUSTOMER",
          type: storedType(message),
          contactId: contact.id,
          orderId,
          wamid: message.id,
          replyToWamid: message.context?.id ?? null,
          body,
          content: contentJson(content),
          ...pendingChange(change, occurredAt),
          status: "RECEIVED",
          statusRank: STATUS_RANK.RECEIVED,
          occurredAt,
        },
      }),
    );
    if (stored) await touchConversation(db, stored);
    if (stored && !change) await settlePendingChanges(db, shopId, stored);
    // A system message is WhatsApp's notice, not the customer writing: no window opened, nothing answered.
    if (stored && !change && !system) {
      await db.contact.updateMany({ where: { id: contact.id, OR: [{ lastInboundAt: null }, { lastInboundAt: { lt: occurredAt } }] }, data: { lastInboundAt: occurredAt } });
      await recordReply(db, shopId, contact.id, occurredAt, message.context?.id);
      if (isOptOutMessage(stored.body, keywords)) await optOutOfMarketing(db, shopId, contact.id, `whatsapp_keyword:${stored.body!.trim().toUpperCase()}`, occurredAt);
      // Typed, not a quick-reply tap (whose text is the button's).
      const optIn = message.type === "text" ? keywordOf(stored.body, OPT_IN_KEYWORDS) : null;
      if (optIn) await optInToMarketing(db, contact.id, `whatsapp_keyword:${optIn}`, occurredAt);
    }
    // Also for a replay: a typed message whose answer was not written when its first handling failed is answered (once).
    if (message.type === "text" && !change) {
      const typed = stored ?? (await db.message.findUnique({ where: { shopId_wamid: { shopId, wamid: message.id } } }));
      // An opt-out or opt-in keyword is answered by what it does, not by an automatic reply.
      const keyword = isOptOutMessage(typed?.body, keywords) || keywordOf(typed?.body, OPT_IN_KEYWORDS) !== null;
      if (typed?.source === "CUSTOMER" && !keyword) await answerCustomerMessage(db, shop, typed);
    }
    // Also for a replay: a tap whose first handling failed after the message was stored still counts (once).
    const tap = message as { button?: { payload?: string; text?: string }; interactive?: { button_reply?: { id?: string; title?: string } } };
    const payload = tap.button?.payload ?? tap.interactive?.button_reply?.id;
    await recordCodAnswer(db, shopId, { contactId: contact.id, payload, contextWamid: message.context?.id, at: occurredAt });
    const stopsPromotions = isStopPromotionsTap({ payload, text: tap.button?.text ?? tap.interactive?.button_reply?.title });
    if (stopsPromotions) await optOutOfMarketing(db, shopId, contact.id, "whatsapp_stop_promotions", occurredAt);
    else if (payload && message.context?.id && !isCodAnswer(payload)) await handOverUnhandledTap(db, shopId, contact.id, message.context.id);
  }
}

const echoSchema = z.object({ message_echoes: z.array(z.unknown()) });
const echoItemSchema = z.object({ from: z.string().optional(), to: z.string(), id: z.string(), timestamp: unixSeconds, type: z.string() }).passthrough();

/** Messages the merchant sent from the WhatsApp Business app: outgoing, marked as phone app. Returns what was passed over. */
export async function recordPhoneAppEchoes(db: Db, shopId: string, raw: unknown): Promise<string | undefined> {
  const checks = new ItemChecks();
  const echoes = checks.valid(echoSchema.parse(raw).message_echoes, echoItemSchema, ["message_echoes"]);
  checks.requireSome();
  let latest: Date | undefined;
  for (const echo of echoes) {
    const contact = await contactForWhatsAppUser(db, shopId, { waId: echo.to });
    const occurredAt = new Date(Number(echo.timestamp) * 1000);
    latest = !latest || occurredAt > latest ? occurredAt : latest;
    const change = changeOf(echo);
    if (change && (await applyMessageChange(db, shopId, change, echo, occurredAt, { contactId: contact.id, direction: "OUT" }))) continue;
    const orderId = await orderForMessage(db, shopId, contact.id);
    const { body, content } = readMessage(echo);
    const stored = await insertOnce(() =>
      db.message.create({
        data: {
          shopId,
          direction: "OUT",
          source: "PHONE_APP",
          type: storedType(echo),
          contactId: contact.id,
          orderId,
          wamid: echo.id,
          body,
          content: contentJson(content),
          ...pendingChange(change, occurredAt),
          recipientPhone: contact.phoneE164,
          status: "SENT",
          statusRank: STATUS_RANK.SENT,
          sentAt: occurredAt,
          occurredAt,
        },
      }),
    );
    if (stored) await touchConversation(db, stored);
    if (stored && !change) {
      await settlePendingChanges(db, shopId, stored);
      await recordEvent(db, shopId, contact.id, "REPLIED", { type: "PHONE_APP" });
    }
  }
  if (latest) await notePhoneAppActivity(db, shopId, latest);
  return checks.note("smb_message_echoes");
}

/** The phone app was in use: Meta may disconnect a Coexistence number left unused. */
export async function notePhoneAppActivity(db: Db, shopId: string, at: Date) {
  await db.whatsAppAccount.updateMany({
    where: { shopId, OR: [{ lastPhoneAppActivityAt: null }, { lastPhoneAppActivityAt: { lt: at } }] },
    data: { lastPhoneAppActivityAt: at },
  });
}

const stateSyncSchema = z.object({
  state_sync: z.array(
    z.object({
      type: z.string(),
      action: z.string(),
      contact: z.object({ full_name: z.string().optional(), first_name: z.string().optional(), phone_number: z.string() }).optional(),
      metadata: z.object({ timestamp: z.string().optional() }).optional(),
    }),
  ),
});

/** Contacts from the phone app's address book (added or edited). */
export async function recordContactSync(db: Db, shopId: string, raw: unknown) {
  const value = stateSyncSchema.parse(raw);
  for (const item of value.state_sync) {
    if (item.type !== "contact" || item.action !== "add" || !item.contact) continue;
    await contactForWhatsAppUser(db, shopId, { waId: item.contact.phone_number, name: item.contact.full_name ?? item.contact.first_name });
  }
  await notePhoneAppActivity(db, shopId, new Date());
}
