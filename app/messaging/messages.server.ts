// Messages: the row written before anything is sent, and the order-safe,
// idempotent application of Meta's status updates to it.
import type { Db } from "../core/db.server";
import { insertOnce, isUniqueViolation } from "../core/db-errors.server";
import { type MessageStatus, normalisePricingCategory, STATUS_RANK } from "../core/domain";
import type { Message } from "../generated/prisma/client";
import { type MessageChange, trackIn, trackLocked, trackMessage, withLedger } from "../pricing/costs.server";
import type { CostLedger } from "../pricing/ledger.server";

export interface StatusUpdate {
  wamid: string;
  /** biz_opaque_callback_data as sent ("msg:<row id>"), echoed by Meta. */
  callbackData?: string;
  status: "sent" | "delivered" | "read" | "played" | "failed";
  occurredAt: Date;
  recipientId?: string;
  pricing?: { category?: string; type?: string; billable?: boolean };
  error?: { code: number; title: string; details?: string };
}

const TO_MESSAGE_STATUS: Record<StatusUpdate["status"], MessageStatus> = {
  sent: "SENT",
  delivered: "DELIVERED",
  read: "READ",
  played: "READ",
  failed: "FAILED",
};

/**
 * Records one status update. The (shop, wamid, status) event row makes a
 * replay a no-op; the message moves only forward in lifecycle rank; the
 * timestamps of skipped steps are still filled (a `read` implies delivery).
 * A status for a wamid the app has not stored yet is kept and applied when
 * the send is recorded (see recordAccepted).
 */
export async function applyStatusUpdate(db: Db, shopId: string, update: StatusUpdate): Promise<"applied" | "duplicate" | "pending"> {
  // The event and its effect commit together: a replay hits the unique event and rolls
  // back, and a failure leaves no event behind, so reprocessing the receipt applies it.
  try {
    if (await withLedger(db, (ledger) => applyStatusIn(ledger, shopId, update))) return "applied";
  } catch (error) {
    if (isUniqueViolation(error)) return "duplicate";
    throw error;
  }
  if (!(await insertOnce(() => db.messageStatusEvent.create({ data: { ...statusEvent(shopId, update), messageId: null } })))) return "duplicate";
  // A send whose wamid was never written (the worker died after Meta accepted it): the echo names the row.
  const rowId = /^msg:([\w-]+)$/.exec(update.callbackData ?? "")?.[1];
  const orphan = rowId ? await db.message.findFirst({ where: { id: rowId, shopId, wamid: null }, select: { id: true } }) : null;
  if (!orphan) return "pending";
  await recordAccepted(db, shopId, orphan.id, update.wamid);
  return "applied";
}

/**
 * The status applied to its message within a transaction that may hold
 * other updates; false, with nothing written, when no message of the shop
 * has that wamid yet. A replayed event throws the unique violation, which
 * rolls the whole transaction back.
 */
async function applyStatusIn(ledger: CostLedger, shopId: string, update: StatusUpdate): Promise<boolean> {
  return trackIn(ledger, shopId, { wamid: update.wamid }, async (tx, message) => {
    await tx.messageStatusEvent.create({ data: { ...statusEvent(shopId, update), messageId: message.id } });
    return statusChange(message, update);
  });
}

/**
 * applyStatusIn for several statuses of one shop (a batch of status
 * webhooks): their messages locked and read in one statement, their events
 * inserted in one, then each applied in the order given, a message's later
 * status seeing its earlier one. Returns the statuses applied; the others
 * wrote nothing: no message has that wamid yet, or the status was recorded
 * before (a replay, or its repeat in this batch), for the one-by-one path.
 */
export async function applyStatusesIn(ledger: CostLedger, shopId: string, updates: StatusUpdate[]): Promise<Set<StatusUpdate>> {
  const { tx } = ledger;
  const wamids = [...new Set(updates.map((u) => u.wamid))];
  const rows = await tx.message.updateManyAndReturn({ where: { shopId, wamid: { in: wamids } }, data: { updatedAt: new Date() } });
  const current = new Map(rows.map((row) => [row.wamid!, row]));
  const recorded = await tx.messageStatusEvent.findMany({ where: { shopId, wamid: { in: [...current.keys()] } }, select: { wamid: true, status: true } });
  const seen = new Set(recorded.map((event) => `${event.wamid} ${event.status}`));
  const fresh = updates.filter((update) => {
    const key = `${update.wamid} ${update.status}`;
    if (!current.has(update.wamid) || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (fresh.length) await tx.messageStatusEvent.createMany({ data: fresh.map((update) => ({ ...statusEvent(shopId, update), messageId: current.get(update.wamid)!.id })) });
  for (const update of fresh) {
    current.set(update.wamid, await trackLocked(ledger, current.get(update.wamid)!, (_tx, message) => statusChange(message, update)));
  }
  return new Set(fresh);
}

function statusEvent(shopId: string, update: StatusUpdate) {
  return {
    shopId,
    wamid: update.wamid,
    status: update.status,
    occurredAt: update.occurredAt,
    errorCode: update.error?.code ?? null,
    errorTitle: update.error?.title ?? null,
    pricingCategory: normalisePricingCategory(update.pricing?.category) ?? null,
    pricingType: update.pricing?.type ?? null,
    billable: update.pricing?.billable ?? null,
  };
}

type Lifecycle = Pick<Message, "statusRank" | "sentAt" | "deliveredAt" | "readAt" | "pricingCategory">;

/** What one status changes on the message as it stands (the row is locked by trackMessage). */
function statusChange(message: Lifecycle, update: Omit<StatusUpdate, "wamid">): MessageChange {
  const status = TO_MESSAGE_STATUS[update.status];
  const rank = STATUS_RANK[status];
  const at = update.occurredAt;
  const change: MessageChange = {};
  // Each lifecycle time is the earliest evidence of it: a `read` implies
  // delivery, and a `delivered` that arrives later with an earlier time wins.
  const earliest = (field: "sentAt" | "deliveredAt" | "readAt") => {
    const current = message[field];
    if (!current || current > at) change[field] = at;
  };
  if (status === "SENT" || status === "DELIVERED" || status === "READ") earliest("sentAt");
  if (status === "DELIVERED" || status === "READ") earliest("deliveredAt");
  if (status === "READ") earliest("readAt");
  if (update.pricing && message.pricingCategory === null) {
    change.pricingCategory = normalisePricingCategory(update.pricing.category) ?? null;
    change.pricingType = update.pricing.type ?? null;
    change.billable = update.pricing.billable ?? null;
  }
  if (message.statusRank < rank) {
    Object.assign(change, { status, statusRank: rank });
    if (status === "FAILED") Object.assign(change, { failedAt: at, errorCode: update.error?.code ?? null, errorTitle: update.error?.title ?? null, errorDetails: update.error?.details ?? null });
  }
  return change;
}

/**
 * The Cloud API accepted the message: store its wamid, then apply any status
 * that raced ahead of this write.
 */
export async function recordAccepted(db: Db, shopId: string, messageId: string, wamid: string) {
  await recordAcceptedMany(db, [{ shopId, messageId, wamid }]);
}

/** A send the Cloud API accepted: its row and the wamid Meta gave it. */
export interface Accepted {
  shopId: string;
  messageId: string;
  wamid: string;
}

/**
 * recordAccepted for several sends: their wamids in one transaction (rows
 * locked in id order), then the statuses that raced ahead of any of them,
 * each applied to its own shop's message.
 */
export async function recordAcceptedMany(db: Db, sends: Accepted[]) {
  const ordered = [...sends].sort((a, b) => (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0));
  await withLedger(db, async (ledger) => {
    for (const { shopId, messageId, wamid } of ordered) {
      await trackIn(ledger, shopId, messageId, (_tx, message) => ({
        wamid,
        ...(message.statusRank < STATUS_RANK.SENT ? { status: "SENT", statusRank: STATUS_RANK.SENT } : {}),
      }));
    }
  });
  const early = await db.messageStatusEvent.findMany({
    where: { messageId: null, OR: sends.map(({ shopId, wamid }) => ({ shopId, wamid })) },
    orderBy: { occurredAt: "asc" },
  });
  for (const event of early) {
    const send = sends.find((s) => s.shopId === event.shopId && s.wamid === event.wamid);
    if (!send) continue;
    await trackMessage(db, send.shopId, send.messageId, async (tx, message) => {
      await tx.messageStatusEvent.update({ where: { id: event.id }, data: { messageId: send.messageId } });
      return statusChange(message, {
        status: event.status as StatusUpdate["status"],
        occurredAt: event.occurredAt,
        pricing: event.pricingCategory ? { category: event.pricingCategory, type: event.pricingType ?? undefined, billable: event.billable ?? undefined } : undefined,
        error: event.errorCode ? { code: event.errorCode, title: event.errorTitle ?? "" } : undefined,
      });
    });
  }
}

/** The latest messages that did not go out (skipped, failed, cancelled), with why, for the merchant. */
export async function recentProblems(db: Db, shopId: string, take = 8) {
  const rows = await db.message.findMany({
    where: { shopId, direction: "OUT", status: { in: ["SKIPPED", "FAILED", "CANCELLED"] } },
    orderBy: { updatedAt: "desc" },
    take,
    include: { order: { select: { name: true } }, checkout: { select: { shopifyCheckoutId: true } } },
  });
  return rows.map((m) => ({
    id: m.id,
    status: m.status,
    at: m.updatedAt.toISOString(),
    subject: m.order?.name ?? (m.checkout ? `checkout ${m.checkout.shopifyCheckoutId}` : (m.recipientPhone ?? "")),
    template: m.templateName,
    skipReason: m.skipReason,
    errorTitle: m.errorTitle,
    errorCode: m.errorCode,
  }));
}

/** Outgoing message counts for the home page. */
export async function outgoingStats(db: Db, shopId: string, since: Date) {
  const rows = await db.message.groupBy({
    by: ["status"],
    where: { shopId, direction: "OUT", createdAt: { gte: since } },
    _count: { _all: true },
  });
  const count = (statuses: string[]) => rows.filter((r) => statuses.includes(r.status)).reduce((sum, r) => sum + r._count._all, 0);
  return { total: count(rows.map((r) => r.status)), delivered: count(["DELIVERED", "READ"]), failed: count(["FAILED"]), skipped: count(["SKIPPED"]) };
}

/**
 * A claimed send that must wait (a person is handling the customer): back to
 * SCHEDULED for `until`, fenced by the claim so a worker that lost it changes nothing.
 */
export async function postponeClaimed(db: Db, message: Pick<Message, "id" | "attempts">, until: Date) {
  await db.message.updateMany({
    where: { id: message.id, status: "SENDING", attempts: message.attempts },
    data: { status: "SCHEDULED", statusRank: STATUS_RANK.SCHEDULED, lockedUntil: null, scheduledFor: until },
  });
}
