// What an operator (or a load balancer's readiness probe) needs to know about
// the background work: the database answers, and how much work is waiting and
// for how long. Counts and ages only, never content.
import type { Db } from "../core/db.server";

export interface Readiness {
  ok: boolean;
  database: "ok" | "unreachable";
  /** Webhook receipts due to be handled (new, or retries whose time has come). */
  receiptsPending: number;
  oldestReceiptAgeSeconds: number | null;
  /** Messages due to be sent. */
  messagesDue: number;
  oldestMessageDueSeconds: number | null;
  /** Webhook receipts the app gave up on (shown to merchants). */
  receiptsDead: number;
}

const ageSeconds = (since: Date | null | undefined, now: Date) => (since ? Math.max(0, Math.round((now.getTime() - since.getTime()) / 1000)) : null);

export async function readiness(db: Db, now = new Date()): Promise<Readiness> {
  try {
    const dueReceipt = { status: "RECEIVED", nextAttemptAt: { lte: now } };
    const dueMessage = { direction: "OUT", status: { in: ["QUEUED", "SCHEDULED"] }, OR: [{ scheduledFor: null }, { scheduledFor: { lte: now } }] };
    const [receiptsPending, oldestReceipt, messagesDue, oldestMessage, receiptsDead] = await Promise.all([
      db.webhookReceipt.count({ where: dueReceipt }),
      db.webhookReceipt.findFirst({ where: dueReceipt, orderBy: { receivedAt: "asc" }, select: { receivedAt: true } }),
      db.message.count({ where: dueMessage }),
      db.message.findFirst({ where: dueMessage, orderBy: { createdAt: "asc" }, select: { createdAt: true, scheduledFor: true } }),
      db.webhookReceipt.count({ where: { status: "DEAD" } }),
    ]);
    return {
      ok: true,
      database: "ok",
      receiptsPending,
      oldestReceiptAgeSeconds: ageSeconds(oldestReceipt?.receivedAt, now),
      messagesDue,
      oldestMessageDueSeconds: ageSeconds(oldestMessage?.scheduledFor ?? oldestMessage?.createdAt, now),
      receiptsDead,
    };
  } catch {
    return { ok: false, database: "unreachable", receiptsPending: 0, oldestReceiptAgeSeconds: null, messagesDue: 0, oldestMessageDueSeconds: null, receiptsDead: 0 };
  }
}
