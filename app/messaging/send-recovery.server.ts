// Sends interrupted by a dead worker, and what becomes of them. A send whose
// outcome is unknown is never resent blind: once its worker's lease stops
// beating (or its lock and a grace period pass), a row never handed to Meta
// is queued again, and one that was becomes UNCONFIRMED and waits for its
// status; after DISPATCH_UNCONFIRMED_WINDOW_MS with none, it is resent
// (DISPATCH_UNCONFIRMED_ACTION=resend) or the merchant decides (ask).
import type { AppConfig } from "../core/config.server";
import type { Db } from "../core/db.server";
import { cancelled, STATUS_RANK } from "../core/domain";
import { deadLeases } from "../jobs/leases.server";
import { changeMessage } from "./messages.server";
import { reason } from "../core/reasons";

/**
 * Sends abandoned by a dead worker (its lease stopped beating, or lock and
 * grace expired): a row whose
 * request never left goes back to the queue; one whose request may have
 * reached Meta becomes UNCONFIRMED and waits for a status instead.
 */
export async function settleInterruptedSends(
  db: Db,
  recoveryGraceMs: number,
  unconfirmed: Pick<AppConfig, "DISPATCH_UNCONFIRMED_WINDOW_MS" | "DISPATCH_UNCONFIRMED_ACTION">,
  now = new Date(),
): Promise<{ requeued: number; unconfirmed: number; resent: number }> {
  // Claimed by a worker whose lease stopped beating (killed): abandoned now, not after its lock and grace.
  const dead = await deadLeases(db, now);
  const abandoned = {
    direction: "OUT",
    status: "SENDING",
    wamid: null,
    OR: [{ lockedUntil: { lt: new Date(now.getTime() - recoveryGraceMs) } }, ...(dead.length ? [{ claimedBy: { in: dead } }] : [])],
  };
  const requeued = await db.message.updateMany({
    where: { ...abandoned, sendAttemptedAt: null },
    data: { status: "QUEUED", statusRank: STATUS_RANK.QUEUED, lockedUntil: null, claimedBy: null },
  });
  // A row put back whose campaign was cancelled meanwhile is cancelled with the others.
  await db.message.updateMany({
    where: { status: "QUEUED", campaign: { status: "CANCELLED" } },
    data: cancelled("CAMPAIGN_CANCELLED"),
  });
  const marked = await db.message.updateMany({
    where: { ...abandoned, NOT: { sendAttemptedAt: null } },
    data: { status: "UNCONFIRMED", statusRank: STATUS_RANK.UNCONFIRMED, lockedUntil: null, claimedBy: null },
  });
  const resent = unconfirmed.DISPATCH_UNCONFIRMED_ACTION === "resend" ? await resendUnconfirmed(db, unconfirmed.DISPATCH_UNCONFIRMED_WINDOW_MS, now) : 0;
  return { requeued: requeued.count, unconfirmed: marked.count, resent };
}

/**
 * Past the window with no status, Meta most likely never had it (a worker
 * killed between recording the attempt and the request leaving): queued
 * again. Its status, had Meta sent one, arrived within the window; so the
 * window counts up to the oldest Meta webhook not handled yet (a killed
 * worker leaves a backlog of them, stored before anyone knows their shop),
 * and a send is resent only if its window ended before that webhook came.
 */
async function resendUnconfirmed(db: Db, windowMs: number, now: Date): Promise<number> {
  const waiting = await db.webhookReceipt.findFirst({ where: { source: "META", status: "RECEIVED" }, orderBy: { receivedAt: "asc" }, select: { receivedAt: true } });
  const handledUntil = Math.min(now.getTime(), waiting?.receivedAt.getTime() ?? Infinity);
  const resent = await db.message.updateMany({
    where: { direction: "OUT", status: "UNCONFIRMED", wamid: null, sendAttemptedAt: { lt: new Date(handledUntil - windowMs) } },
    data: { status: "QUEUED", statusRank: STATUS_RANK.QUEUED, sendAttemptedAt: null, scheduledFor: now },
  });
  return resent.count;
}

/** Sends whose outcome stayed unknown past the window: the merchant decides (home page; DISPATCH_UNCONFIRMED_ACTION=ask). */
export async function unconfirmedSends(db: Db, shopId: string, windowMs: number, take = 20) {
  const where = { shopId, direction: "OUT", status: "UNCONFIRMED", sendAttemptedAt: { lt: new Date(Date.now() - windowMs) } };
  const [rows, total] = await Promise.all([
    db.message.findMany({
      where,
      orderBy: { sendAttemptedAt: "asc" },
      take,
      select: { id: true, templateName: true, sendAttemptedAt: true, order: { select: { name: true } }, checkout: { select: { shopifyCheckoutId: true } } },
    }),
    db.message.count({ where }),
  ]);
  return {
    total,
    rows: rows.map((m) => ({ id: m.id, template: m.templateName, since: m.sendAttemptedAt!.toISOString(), subject: m.order?.name ?? m.checkout?.shopifyCheckoutId ?? null })),
  };
}

/**
 * The merchant's decision on an UNCONFIRMED send: send it again (the customer
 * may get it twice) or let it go. A status that arrived meanwhile wins: only
 * rows still UNCONFIRMED with no wamid change.
 */
export async function decideUnconfirmed(db: Db, shopId: string, messageId: string, decision: "resend" | "drop"): Promise<boolean> {
  const where = { id: messageId, shopId, status: "UNCONFIRMED", wamid: null };
  if (decision === "resend") {
    const updated = await db.message.updateMany({
      where,
      data: { status: "QUEUED", statusRank: STATUS_RANK.QUEUED, sendAttemptedAt: null, scheduledFor: new Date(), errorCode: null, errorTitle: null },
    });
    return updated.count === 1;
  }
  let decided = false;
  await changeMessage(db, shopId, messageId, (_tx, current) => {
    if (current.status !== "UNCONFIRMED" || current.wamid !== null) return null;
    decided = true;
    return cancelled(reason("NOT_RESENT"));
  });
  return decided;
}
