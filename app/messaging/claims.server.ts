// Claims: how a worker or a request takes message rows to send. A row is
// claimed (QUEUED → SENDING, with a lock) by a compare-and-set, so two workers
// never take the same row; a row a request sends at once is written already
// claimed; a claimed row that must wait goes back, fenced by its claim.
// Sending what was claimed is dispatch.server.ts.
import { type Db, locksRows, type Tx } from "../core/db.server";
import { STATUS_RANK } from "../core/domain";
import { type Message, Prisma } from "../generated/prisma/client";
import { SendRateLimiter, sendsAllowedPerSecond, throughputFor } from "./send-pacing.server";

export interface ClaimOptions {
  batchSize: number;
  lockMs: number;
  /** "utility": only rows that are neither a campaign's nor a cart reminder (the priority lane). */
  lane?: "all" | "utility";
  /** The numbers' throughput, when not Meta's default (throughputFor). */
  ratePerSecond?: number;
  /** The claiming worker's lease: its rows come back when the lease stops beating. */
  leaseId?: string;
}

/** A campaign's rows are sent only while it is going (not paused, cancelled or done). */
const CAMPAIGN_GOING = ["SCHEDULED", "SENDING"];

/** Claims one specific row now (a staff reply the merchant is waiting for); null if another worker has it. */
export async function claimNow(db: Db, messageId: string, lockMs: number): Promise<Message | null> {
  const [won] = await db.message.updateManyAndReturn({
    where: { id: messageId, status: "QUEUED" },
    data: { status: "SENDING", statusRank: STATUS_RANK.SENDING, lockedUntil: new Date(Date.now() + lockMs), claimedBy: null, attempts: { increment: 1 } },
  });
  return won ?? null;
}

/**
 * The status of a row its request sends at once (a staff reply, a test send): written already
 * claimed, so a worker polling for queued rows cannot take it between the insert and the send
 * and leave staff told "sent" about a send WhatsApp refuses. A request that dies holding it
 * leaves it to recovery once the lock runs out (send-recovery.server.ts).
 */
export function claimedByItsRequest(lockMs: number) {
  return { status: "SENDING", statusRank: STATUS_RANK.SENDING, lockedUntil: new Date(Date.now() + lockMs), attempts: 1 } as const;
}

/** How far ahead a pass claims one shop's rows: about this many seconds of its number's sends. */
const CLAIM_AHEAD_SECONDS = 1;

/**
 * Claims due rows for this worker, fairly: the shops with due rows (those
 * waiting longest first) each get a share of the batch, at most about a
 * second of their number's sends, so one shop's backlog never holds another
 * shop's messages behind it (other shops are claimed in the next pass, and
 * within a pass they are interleaved). Within a shop, utility messages (order
 * updates, replies) go before marketing ones (cart recovery, the rows with a
 * checkout; campaigns, the rows with one); then oldest first. The batch is taken by one compare-and-set
 * (on PostgreSQL, of the rows no other transaction holds).
 */
export async function claimDue(db: Db, options: ClaimOptions): Promise<Message[]> {
  const now = new Date();
  const due = { direction: "OUT", status: { in: ["QUEUED", "SCHEDULED"] }, OR: [{ scheduledFor: null }, { scheduledFor: { lte: now } }] };
  const utilityOnly = options.lane === "utility";
  // A paused campaign's rows are not due: its shop is not picked for them (other shops' order updates would wait behind it).
  const shops = await db.message.groupBy({
    by: ["shopId"],
    where: utilityOnly ? { ...due, checkoutId: null, campaignId: null } : { ...due, AND: [{ OR: [{ campaignId: null }, { campaign: { status: { in: CAMPAIGN_GOING } } }] }] },
    _min: { createdAt: true },
    orderBy: { _min: { createdAt: "asc" } },
    take: options.batchSize,
  });
  if (shops.length === 0) return [];
  const accounts = await db.whatsAppAccount.findMany({ where: { shopId: { in: shops.map((s) => s.shopId) } }, select: { shopId: true, coexistence: true } });
  const coexistence = new Map(accounts.map((a) => [a.shopId, a.coexistence]));
  const fairShare = Math.max(1, Math.ceil(options.batchSize / shops.length));
  const select = { id: true } as const;
  // Cart reminders, and the rows of campaigns going out (a paused or cancelled campaign's rows wait here, untouched).
  const marketingLane = [{ NOT: { checkoutId: null } }, { campaign: { status: { in: CAMPAIGN_GOING } } }];
  // Rows due now (no scheduled time) first on both databases (SQLite and PostgreSQL order NULLs differently).
  const orderBy = [{ scheduledFor: { sort: "asc" as const, nulls: "first" as const } }, { createdAt: "asc" as const }];
  const perShop = await Promise.all(
    shops.map(async ({ shopId }) => {
      const pace = sendsAllowedPerSecond(throughputFor({ coexistence: coexistence.get(shopId) ?? false }, options.ratePerSecond), SendRateLimiter.SAFETY);
      const share = Math.min(fairShare, Math.ceil(pace * CLAIM_AHEAD_SECONDS));
      const utility = await db.message.findMany({ where: { ...due, shopId, checkoutId: null, campaignId: null }, orderBy, take: share, select });
      const marketing =
        !utilityOnly && utility.length < share ? await db.message.findMany({ where: { ...due, shopId, AND: { OR: marketingLane } }, orderBy, take: share - utility.length, select }) : [];
      return { utility, marketing };
    }),
  );
  // Round-robin across shops: every shop's utility rows, then every shop's marketing rows.
  const roundRobin = (lists: (typeof perShop)[number]["utility"][]) => Array.from({ length: Math.max(0, ...lists.map((l) => l.length)) }, (_, i) => lists.flatMap((l) => (l[i] ? [l[i]] : []))).flat();
  const candidates = [...roundRobin(perShop.map((p) => p.utility)), ...roundRobin(perShop.map((p) => p.marketing))].slice(0, options.batchSize);
  if (candidates.length === 0) return [];
  // One compare-and-set for the batch: a row another worker took meanwhile is no longer due and is left out,
  // and so is the row of a campaign paused or cancelled since it was picked.
  const take = (tx: Tx, ids: string[]) =>
    tx.message.updateManyAndReturn({
      where: { id: { in: ids }, ...due, AND: { OR: [{ campaignId: null }, { campaign: { status: { in: CAMPAIGN_GOING } } }] } },
      data: { status: "SENDING", statusRank: STATUS_RANK.SENDING, lockedUntil: new Date(now.getTime() + options.lockMs), claimedBy: options.leaseId ?? null, attempts: { increment: 1 } },
    });
  const ids = candidates.map((c) => c.id);
  // On PostgreSQL the statement would lock the rows in the order its plan reads them: two workers
  // whose candidates overlap could each hold a row the other waits for, a deadlock that costs both a
  // second and one its batch. The rows still due are locked first, passing over those another
  // transaction holds (another worker claiming them, a campaign being cancelled): a claim never
  // waits, and what it passed over is left for the next pass.
  const won = locksRows(db)
    ? await db.$transaction(async (tx) => {
        const free = await tx.$queryRaw<{ id: string }[]>`
          SELECT "id" FROM "Message" WHERE "id" IN (${Prisma.join(ids)}) AND "status" IN ('QUEUED', 'SCHEDULED') FOR NO KEY UPDATE SKIP LOCKED`;
        const freeIds = free.map((row) => row.id);
        return freeIds.length ? take(tx, freeIds) : [];
      })
    : await take(db, ids);
  const position = new Map(candidates.map((c, i) => [c.id, i]));
  return won.sort((a, b) => position.get(a.id)! - position.get(b.id)!);
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
