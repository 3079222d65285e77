// Chat history from the phone app (Coexistence onboarding): Meta's `history`
// field, in chunks of threads of messages, each message with the status it
// had (history_context). Media comes first as media_placeholder; Meta sends
// the media itself later (for media of the last 14 days) in history webhooks
// whose messages carry the same ids, which fill the placeholders in. Imported
// messages are old traffic: they join the contact and the order they were
// about, but open no customer service window, count as no unread message and
// trigger nothing.
import { z } from "zod";

import { contactForWhatsAppUser } from "../messaging/contacts.server";
import type { Db } from "../core/db.server";
import { insertOnce } from "../core/db-errors.server";
import { STATUS_RANK } from "../core/domain";
import { touchConversation } from "../messaging/conversations.server";
import { applyMessageChange, contentJson, pendingChange, settlePendingChanges } from "./message-changes.server";
import { changeOf, readMessage, storedContent, storedType } from "./message-content";
import { ItemChecks } from "./payload-items";
import { unixSeconds } from "./timestamps";

const HISTORY_STATUS: Record<string, { status: string; rank: number }> = {
  PENDING: { status: "SENDING", rank: STATUS_RANK.SENDING },
  SENT: { status: "SENT", rank: STATUS_RANK.SENT },
  DELIVERED: { status: "DELIVERED", rank: STATUS_RANK.DELIVERED },
  READ: { status: "READ", rank: STATUS_RANK.READ },
  PLAYED: { status: "READ", rank: STATUS_RANK.READ },
  ERROR: { status: "FAILED", rank: STATUS_RANK.FAILED },
};

const messageSchema = z
  .object({ from: z.string().optional(), to: z.string().optional(), id: z.string(), timestamp: unixSeconds, type: z.string(), history_context: z.object({ status: z.string() }).optional() })
  .passthrough();
type HistoryMessage = z.infer<typeof messageSchema>;

const historySchema = z.object({
  metadata: z.object({ display_phone_number: z.string().optional() }).passthrough().optional(),
  history: z
    .array(
      z.object({
        metadata: z.object({ phase: z.number().optional(), chunk_order: z.number().optional(), progress: z.number().optional() }).optional(),
        threads: z.array(z.object({ id: z.string(), messages: z.array(z.unknown()).default([]) })).default([]),
        errors: z.array(z.object({ code: z.number(), title: z.string().optional(), message: z.string().optional() })).optional(),
      }),
    )
    .default([]),
  /** The media of earlier placeholders (Meta's separate history webhooks for media). */
  messages: z.array(z.unknown()).default([]),
});

/** A history chunk: its threads' messages (each read on its own: one unreadable message loses no other) and the sync's progress. Returns what was passed over. */
export async function recordHistory(db: Db, shopId: string, raw: unknown): Promise<string | undefined> {
  const value = historySchema.parse(raw);
  const checks = new ItemChecks();
  const business = value.metadata?.display_phone_number?.replace(/\D/g, "");
  for (const [chunkAt, chunk] of value.history.entries()) {
    const declined = chunk.errors?.find((e) => e.code === 2593109);
    if (declined) {
      await db.whatsAppAccount.updateMany({ where: { shopId }, data: { historySyncError: "The business chose not to share chat history" } });
    }
    for (const [threadAt, thread] of chunk.threads.entries()) {
      const messages = checks.valid(thread.messages, messageSchema, ["history", chunkAt, "threads", threadAt, "messages"]);
      for (const message of messages) await recordHistoryMessage(db, shopId, message, { customer: thread.id, outgoing: message.from !== thread.id && (!business || message.from === business) });
    }
    if (chunk.metadata?.progress !== undefined) {
      await db.whatsAppAccount.updateMany({
        where: { shopId, OR: [{ historySyncProgress: null }, { historySyncProgress: { lt: chunk.metadata.progress } }] },
        data: { historySyncProgress: chunk.metadata.progress },
      });
    }
  }
  for (const message of checks.valid(value.messages, messageSchema, ["messages"])) {
    const outgoing = Boolean(business && message.from === business) || (!message.from && Boolean(message.to));
    const customer = outgoing ? message.to : message.from;
    await recordHistoryMessage(db, shopId, message, { customer, outgoing });
  }
  return checks.note("history");
}

async function recordHistoryMessage(db: Db, shopId: string, message: HistoryMessage, side: { customer: string | undefined; outgoing: boolean }) {
  const occurredAt = new Date(Number(message.timestamp) * 1000);
  const { body, content } = readMessage(message);
  const existing = await db.message.findUnique({ where: { shopId_wamid: { shopId, wamid: message.id } }, select: { id: true, content: true } });
  if (existing) {
    // Only a placeholder's media is filled in; anything else stored stays as it is.
    const stored = storedContent(existing.content);
    if (stored?.kind === "media" && stored.media === null && content?.kind === "media" && content.media) {
      await db.message.update({ where: { id: existing.id }, data: { type: storedType(message), body, content: contentJson(content) } });
    }
    return;
  }
  if (!side.customer) return;
  const contact = await contactForWhatsAppUser(db, shopId, { waId: side.customer });
  const direction = side.outgoing ? "OUT" : "IN";
  const change = changeOf(message);
  if (change && (await applyMessageChange(db, shopId, change, message, occurredAt, { contactId: contact.id, direction }))) return;
  const orderId = await orderForHistory(db, shopId, contact.id, occurredAt, (message.context as { id?: string } | undefined)?.id);
  const status = HISTORY_STATUS[message.history_context?.status ?? ""] ?? { status: "SENT", rank: STATUS_RANK.SENT };
  const stored = await insertOnce(() =>
    db.message.create({
      data: {
        shopId,
        direction,
        source: "HISTORY",
        type: storedType(message),
        contactId: contact.id,
        orderId,
        wamid: message.id,
        body,
        content: contentJson(content),
        ...pendingChange(change, occurredAt),
        status: side.outgoing ? status.status : "RECEIVED",
        statusRank: side.outgoing ? status.rank : STATUS_RANK.RECEIVED,
        occurredAt,
      },
    }),
  );
  if (stored) await touchConversation(db, stored);
  if (stored && !change) await settlePendingChanges(db, shopId, stored);
}

/**
 * The order an old message was about: the one it replies to, else the
 * contact's latest order placed by then, else (a chat before the first
 * purchase) the contact's first order.
 */
async function orderForHistory(db: Db, shopId: string, contactId: string, at: Date, replyToWamid?: string): Promise<string | null> {
  const original = replyToWamid ? await db.message.findUnique({ where: { shopId_wamid: { shopId, wamid: replyToWamid } }, select: { orderId: true } }) : null;
  if (original?.orderId) return original.orderId;
  const placed = { shopId, contactId };
  const before = await db.order.findFirst({
    where: { ...placed, OR: [{ processedAt: { lte: at } }, { processedAt: null, createdAt: { lte: at } }] },
    orderBy: { createdAt: "desc" },
    select: { id: true },
  });
  if (before) return before.id;
  const first = await db.order.findFirst({ where: placed, orderBy: { createdAt: "asc" }, select: { id: true } });
  return first?.id ?? null;
}
