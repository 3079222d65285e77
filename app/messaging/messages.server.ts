// Messages: the row written before anything is sent, the unit of work every
// later change to it goes through (accepted, a status, a failure, a reply, a
// reprice), and the order-safe, idempotent application of Meta's status
// updates to it. Which message a reply answers is reply-marks.server.ts;
// repricing after a rate card change, repricing.server.ts.
import { type Db, locksRows, type Tx } from "../core/db.server";
import { insertOnce, isUniqueViolation } from "../core/db-errors.server";
import { type MessageStatus, normalisePricingCategory, STATUS_RANK } from "../core/domain";
import { type Message, Prisma } from "../generated/prisma/client";
import { type CostOptions, costStep } from "../pricing/costs.server";
import { CostLedger } from "../pricing/ledger.server";

/** The fields a change to a message may set: plain values, computed from the locked row. */
export type MessageChange = Partial<
  Pick<
    Message,
    | "wamid"
    | "status"
    | "statusRank"
    | "sentAt"
    | "deliveredAt"
    | "readAt"
    | "failedAt"
    | "repliedAt"
    | "lockedUntil"
    | "pricingCategory"
    | "pricingType"
    | "billable"
    | "errorCode"
    | "errorTitle"
    | "errorDetails"
    | "skipReason"
  >
>;

type Change = (tx: Tx, current: Message) => Promise<MessageChange | null> | MessageChange | null;

/**
 * Applies a change to one message, its cost and the aggregates with it, in
 * one transaction. The message is named by id or by wamid, always within its
 * shop. The first statement takes the row lock and reads the row
 * (PostgreSQL; SQLite serialises writers anyway), so `change` decides from
 * the message as it stands and concurrent updates of the same message see
 * each other's result. `change` may write other rows in the transaction and
 * returns the message's new values (null: nothing to change). Returns whether
 * the message was found.
 */
export async function changeMessage(db: Db, shopId: string, message: string | { wamid: string }, change: Change, options: CostOptions = {}): Promise<boolean> {
  return messageTransaction(db, (ledger) => changeIn(ledger, shopId, message, change, options));
}

/** Runs `work` in one transaction whose message changes settle into the cost aggregates when it ends. */
export async function messageTransaction<T>(db: Db, work: (ledger: CostLedger) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    const ledger = new CostLedger(tx, db);
    const result = await work(ledger);
    await ledger.flush();
    return result;
  });
}

/** changeMessage within a transaction that already holds a ledger (several changes, one commit). */
async function changeIn(ledger: CostLedger, shopId: string, message: string | { wamid: string }, change: Change, options: CostOptions = {}): Promise<boolean> {
  const key = typeof message === "string" ? { id: message } : { wamid: message.wamid };
  const [row] = await ledger.tx.message.updateManyAndReturn({ where: { ...key, shopId }, data: { updatedAt: new Date() } });
  if (!row) return false;
  await changeLocked(ledger, row, change, options);
  return true;
}

/**
 * The rest of changeIn for a row the transaction has already locked and read
 * (a batch locks its messages in one statement): the change, the cost step,
 * one update with both; returns the row as changed, for the next change to
 * the same message in the batch.
 */
async function changeLocked(ledger: CostLedger, row: Message, change: Change, options: CostOptions = {}): Promise<Message> {
  const changes = (await change(ledger.tx, row)) ?? {};
  const data = { ...changes, ...(await costStep(ledger, row, changes, options)) };
  if (Object.keys(data).length) await ledger.tx.message.update({ where: { id: row.id }, data });
  return { ...row, ...data };
}

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
    if (await messageTransaction(db, (ledger) => applyStatusIn(ledger, shopId, update))) return "applied";
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
  return changeIn(ledger, shopId, { wamid: update.wamid }, async (tx, message) => {
    await tx.messageStatusEvent.create({ data: { ...statusEvent(shopId, update), messageId: message.id } });
    return statusChange(message, update);
  });
}

/**
 * applyStatusIn for several statuses of one shop (a batch of status
 * webhooks): their messages locked and read in one statement, their events
 * inserted in one, then each message's statuses applied in the order given,
 * a later one seeing the earlier ones, and the message written once with
 * their sum (a send's sent, delivered and read often share a batch). Its cost
 * is settled from that sum: where a later status moves `sentAt` earlier than
 * the `delivered` before it in the batch, it is priced with the earlier time,
 * as one by one it would not be (a settled cost stands). Returns
 * the statuses applied; the others wrote nothing: no message has that wamid
 * yet, or the status was recorded before (a replay, or its repeat in this
 * batch), for the one-by-one path.
 */
export async function applyStatusesIn(ledger: CostLedger, shopId: string, updates: StatusUpdate[]): Promise<Set<StatusUpdate>> {
  const { tx } = ledger;
  const wamids = [...new Set(updates.map((u) => u.wamid))];
  // One statement locks the batch's messages in the order its plan reads them, which differs
  // between plans (the wamid index's order, the table's row order): two batches sharing messages
  // would each hold one the other waits for. On PostgreSQL they are locked in wamid order first,
  // and only those are read (a message whose wamid was written since is not locked out of order).
  const locked = locksRows(tx) && wamids.length > 1 ? { id: { in: await lockInWamidOrder(tx, shopId, wamids) } } : { wamid: { in: wamids } };
  const rows = await tx.message.updateManyAndReturn({ where: { shopId, ...locked }, data: { updatedAt: new Date() } });
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
  const byMessage = new Map<string, StatusUpdate[]>();
  for (const update of fresh) byMessage.set(update.wamid, [...(byMessage.get(update.wamid) ?? []), update]);
  for (const [wamid, statuses] of byMessage) {
    await changeLocked(ledger, current.get(wamid)!, (_tx, message) => {
      let state: Lifecycle = message;
      const change: MessageChange = {};
      for (const update of statuses) {
        const step = statusChange(state, update);
        Object.assign(change, step);
        state = { ...state, ...step };
      }
      return change;
    });
  }
  return new Set(fresh);
}

/**
 * The one order in which transactions lock several messages on PostgreSQL
 * (status batches here, a customer's erasure): by wamid, compared as bytes as
 * JavaScript sorts; messages with no wamid (not sent yet) last, by id.
 */
export const MESSAGE_LOCK_ORDER = Prisma.sql`ORDER BY "wamid" COLLATE "C", "id" COLLATE "C"`;

/** The shop's messages with these wamids, locked in MESSAGE_LOCK_ORDER: their ids. */
async function lockInWamidOrder(tx: Tx, shopId: string, wamids: string[]): Promise<string[]> {
  const rows = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "Message" WHERE "shopId" = ${shopId} AND "wamid" IN (${Prisma.join(wamids)}) ${MESSAGE_LOCK_ORDER} FOR NO KEY UPDATE`;
  return rows.map((row) => row.id);
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

/** What one status changes on the message as it stands (the row is locked by changeIn). */
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
 * recordAccepted for several sends: their wamids in one transaction, a shop's
 * rows locked and read in one statement, then the statuses that raced ahead of
 * any of them, each applied to its own shop's message. The rows have no wamid
 * yet, so no status batch holds them, and each is accepted by the worker that
 * claimed it (or, its answer lost, by its first status, which locks that row
 * alone): no two transactions wait on each other's rows in a cycle.
 */
export async function recordAcceptedMany(db: Db, sends: Accepted[]) {
  await messageTransaction(db, async (ledger) => {
    for (const shopId of [...new Set(sends.map((send) => send.shopId))].sort()) {
      const mine = sends.filter((send) => send.shopId === shopId);
      const rows = await ledger.tx.message.updateManyAndReturn({ where: { shopId, id: { in: mine.map((send) => send.messageId) } }, data: { updatedAt: new Date() } });
      const locked = new Map(rows.map((row) => [row.id, row]));
      for (const { messageId, wamid } of mine) {
        const row = locked.get(messageId);
        if (!row) continue;
        locked.set(
          messageId,
          await changeLocked(ledger, row, (_tx, message) => ({
            wamid,
            ...(message.statusRank < STATUS_RANK.SENT ? { status: "SENT", statusRank: STATUS_RANK.SENT } : {}),
          })),
        );
      }
    }
  });
  const early = await db.messageStatusEvent.findMany({
    where: { messageId: null, OR: sends.map(({ shopId, wamid }) => ({ shopId, wamid })) },
    orderBy: { occurredAt: "asc" },
  });
  for (const event of early) {
    const send = sends.find((s) => s.shopId === event.shopId && s.wamid === event.wamid);
    if (!send) continue;
    await changeMessage(db, send.shopId, send.messageId, async (tx, message) => {
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
