// What arrives from WhatsApp besides statuses: customer messages, messages the
// merchant typed on the phone app (Coexistence echoes), contact sync and
// history sync. Each becomes a Message or Contact row; a wamid already stored
// is skipped, so replays change nothing.
import { z } from "zod";

import { recordCodAnswer } from "../cod.server";
import { isOptOutMessage, isStopPromotionsTap, keywordOf, OPT_IN_KEYWORDS, optInToMarketing, optOutKeywords, optOutOfMarketing } from "../consent.server";
import { contactForWhatsAppUser } from "../contacts.server";
import type { Db } from "../db.server";
import { insertOnce } from "../db-errors.server";
import { STATUS_RANK } from "../domain";
import { recordReply } from "../pricing/costs.server";
import { unixSeconds } from "./timestamps";
import { touchConversation } from "../threads.server";

/**
 * The order a message belongs to: the order of the message it replies to
 * (WhatsApp context), else the contact's most recent open order.
 */
export async function orderForMessage(db: Db, shopId: string, contactId: string, replyToWamid?: string | null): Promise<string | null> {
  if (replyToWamid) {
    const original = await db.message.findUnique({ where: { shopId_wamid: { shopId, wamid: replyToWamid } }, select: { orderId: true } });
    if (original?.orderId) return original.orderId;
  }
  const open = await db.order.findFirst({ where: { shopId, contactId, cancelledAt: null }, orderBy: { createdAt: "desc" }, select: { id: true } });
  return open?.id ?? null;
}

const textOf = (message: Record<string, unknown>): string | null => {
  const m = message as {
    text?: { body?: string };
    button?: { text?: string };
    interactive?: { button_reply?: { title?: string }; list_reply?: { title?: string } };
    image?: { caption?: string };
    video?: { caption?: string };
    document?: { caption?: string; filename?: string };
    reaction?: { emoji?: string };
  };
  return (
    m.text?.body ?? m.button?.text ?? m.interactive?.button_reply?.title ?? m.interactive?.list_reply?.title ?? m.image?.caption ?? m.video?.caption ?? m.document?.caption ?? m.document?.filename ?? m.reaction?.emoji ?? null
  );
};

const inboundSchema = z
  .object({ from: z.string().optional(), id: z.string(), timestamp: unixSeconds, type: z.string(), context: z.object({ id: z.string().optional() }).optional() })
  .passthrough();
const contactSchema = z.object({ wa_id: z.string().optional(), user_id: z.string().optional(), profile: z.object({ name: z.string().optional() }).optional() });

export const inboundValueSchema = z.object({
  contacts: z.array(contactSchema).optional(),
  messages: z.array(inboundSchema).optional(),
});

/** Customer messages: a contact, a message row, the 24 h window opened, and opt-out keywords applied. */
export async function recordCustomerMessages(db: Db, shopId: string, value: z.infer<typeof inboundValueSchema>) {
  if (!value.messages?.length) return;
  const keywords = optOutKeywords(await db.shop.findUniqueOrThrow({ where: { id: shopId }, select: { optOutKeywords: true } }));
  for (const message of value.messages) {
    const profile = value.contacts?.find((c) => c.wa_id === message.from) ?? value.contacts?.[0];
    const contact = await contactForWhatsAppUser(db, shopId, { waId: message.from ?? profile?.wa_id, bsuid: profile?.user_id, name: profile?.profile?.name });
    const occurredAt = new Date(Number(message.timestamp) * 1000);
    const orderId = await orderForMessage(db, shopId, contact.id, message.context?.id);
    const stored = await insertOnce(() =>
      db.message.create({
        data: {
          shopId,
          direction: "IN",
          source: "CUSTOMER",
          type: message.type,
          contactId: contact.id,
          orderId,
          wamid: message.id,
          replyToWamid: message.context?.id ?? null,
          body: textOf(message),
          status: "RECEIVED",
          statusRank: STATUS_RANK.RECEIVED,
          occurredAt,
        },
      }),
    );
    if (stored) {
      await touchConversation(db, orderId, occurredAt);
      await db.contact.updateMany({ where: { id: contact.id, OR: [{ lastInboundAt: null }, { lastInboundAt: { lt: occurredAt } }] }, data: { lastInboundAt: occurredAt } });
      await recordReply(db, shopId, contact.id, occurredAt, message.context?.id);
      if (isOptOutMessage(stored.body, keywords)) await optOutOfMarketing(db, shopId, contact.id, `whatsapp_keyword:${stored.body!.trim().toUpperCase()}`, occurredAt);
      // Typed, not a quick-reply tap (whose text is the button's).
      const optIn = message.type === "text" ? keywordOf(stored.body, OPT_IN_KEYWORDS) : null;
      if (optIn) await optInToMarketing(db, contact.id, `whatsapp_keyword:${optIn}`, occurredAt);
    }
    // Also for a replay: a tap whose first handling failed after the message was stored still counts (once).
    const tap = message as { button?: { payload?: string; text?: string }; interactive?: { button_reply?: { id?: string; title?: string } } };
    const payload = tap.button?.payload ?? tap.interactive?.button_reply?.id;
    await recordCodAnswer(db, shopId, { payload, contextWamid: message.context?.id, at: occurredAt });
    if (isStopPromotionsTap({ payload, text: tap.button?.text ?? tap.interactive?.button_reply?.title })) await optOutOfMarketing(db, shopId, contact.id, "whatsapp_stop_promotions", occurredAt);
  }
}

const echoSchema = z.object({
  message_echoes: z.array(z.object({ from: z.string().optional(), to: z.string(), id: z.string(), timestamp: unixSeconds, type: z.string() }).passthrough()),
});

/** Messages the merchant sent from the WhatsApp Business app: outgoing, marked as phone app. */
export async function recordPhoneAppEchoes(db: Db, shopId: string, raw: unknown) {
  const value = echoSchema.parse(raw);
  let latest: Date | undefined;
  for (const echo of value.message_echoes) {
    const contact = await contactForWhatsAppUser(db, shopId, { waId: echo.to });
    const occurredAt = new Date(Number(echo.timestamp) * 1000);
    latest = !latest || occurredAt > latest ? occurredAt : latest;
    const orderId = await orderForMessage(db, shopId, contact.id);
    await touchConversation(db, orderId, occurredAt);
    await insertOnce(() =>
      db.message.create({
        data: {
          shopId,
          direction: "OUT",
          source: "PHONE_APP",
          type: echo.type,
          contactId: contact.id,
          orderId,
          wamid: echo.id,
          body: textOf(echo),
          recipientPhone: contact.phoneE164,
          status: "SENT",
          statusRank: STATUS_RANK.SENT,
          sentAt: occurredAt,
          occurredAt,
        },
      }),
    );
  }
  if (latest) await notePhoneAppActivity(db, shopId, latest);
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

const HISTORY_STATUS: Record<string, { status: string; rank: number }> = {
  PENDING: { status: "SENDING", rank: STATUS_RANK.SENDING },
  SENT: { status: "SENT", rank: STATUS_RANK.SENT },
  DELIVERED: { status: "DELIVERED", rank: STATUS_RANK.DELIVERED },
  READ: { status: "READ", rank: STATUS_RANK.READ },
  PLAYED: { status: "READ", rank: STATUS_RANK.READ },
  ERROR: { status: "FAILED", rank: STATUS_RANK.FAILED },
};

const historySchema = z.object({
  metadata: z.object({ display_phone_number: z.string().optional() }).passthrough().optional(),
  history: z.array(
    z.object({
      metadata: z.object({ phase: z.number().optional(), chunk_order: z.number().optional(), progress: z.number().optional() }).optional(),
      threads: z
        .array(
          z.object({
            id: z.string(),
            messages: z.array(z.object({ from: z.string(), to: z.string().optional(), id: z.string(), timestamp: unixSeconds, type: z.string(), history_context: z.object({ status: z.string() }).optional() }).passthrough()),
          }),
        )
        .default([]),
      errors: z.array(z.object({ code: z.number(), title: z.string().optional(), message: z.string().optional() })).optional(),
    }),
  ),
});

/**
 * Chat history from the phone app (Coexistence). Old traffic: it fills the
 * threads but opens no customer service window and triggers nothing.
 */
export async function recordHistory(db: Db, shopId: string, raw: unknown) {
  const value = historySchema.parse(raw);
  const business = value.metadata?.display_phone_number?.replace(/\D/g, "");
  for (const chunk of value.history) {
    const declined = chunk.errors?.find((e) => e.code === 2593109);
    if (declined) {
      await db.whatsAppAccount.updateMany({ where: { shopId }, data: { historySyncError: "The business chose not to share chat history" } });
    }
    for (const thread of chunk.threads) {
      const contact = await contactForWhatsAppUser(db, shopId, { waId: thread.id });
      for (const message of thread.messages) {
        const outgoing = message.from !== thread.id && (!business || message.from === business);
        const status = HISTORY_STATUS[message.history_context?.status ?? ""] ?? { status: outgoing ? "SENT" : "RECEIVED", rank: outgoing ? STATUS_RANK.SENT : STATUS_RANK.RECEIVED };
        await insertOnce(() =>
          db.message.create({
            data: {
              shopId,
              direction: outgoing ? "OUT" : "IN",
              source: "HISTORY",
              type: message.type,
              contactId: contact.id,
              wamid: message.id,
              body: textOf(message),
              status: outgoing ? status.status : "RECEIVED",
              statusRank: outgoing ? status.rank : STATUS_RANK.RECEIVED,
              occurredAt: new Date(Number(message.timestamp) * 1000),
            },
          }),
        );
      }
    }
    if (chunk.metadata?.progress !== undefined) {
      await db.whatsAppAccount.updateMany({
        where: { shopId, OR: [{ historySyncProgress: null }, { historySyncProgress: { lt: chunk.metadata.progress } }] },
        data: { historySyncProgress: chunk.metadata.progress },
      });
    }
  }
}
