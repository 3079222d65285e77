// The worker: every piece of background work, in a process of its own, so the
// web process's event loop only answers requests. It handles stored webhook
// receipts (Shopify and Meta, due ones first, retries included), sends due
// messages (dispatch.server.ts), recomputes costs after a rate card upload,
// loads a newly connected shop's recent orders (backfill.server.ts), reads each
// connection's health (the number's quality, the templates) every few hours,
// and Meta's pricing figures and Shopify's shop facts daily.
// Receipts and messages are claimed row by row, so any number of workers can
// run against one database. How a worker hears of a new receipt:
// - without REDIS_URL, a web process that stores one wakes its embedded worker
//   at once (embedded-worker.server.ts); other workers find it by polling;
// - with REDIS_URL, intake queues a BullMQ job that any worker takes
//   (queue.server.ts), sends are paced per number through Redis across all
//   workers, and the database poll only catches what the queue missed (Redis
//   away, a worker killed mid-job, retries that fall due), less often.
import { runCodFollowUps } from "../messaging/cod.server";
import { readDueAudiences } from "../campaigns/audience.server";
import { queueDueCampaigns } from "../campaigns/queue.server";
import { buildMissingSearchText } from "../messaging/inbox-list.server";
import { purgeDataRequests } from "../shopify/data-requests.server";
import { startDispatcher } from "../messaging/dispatch.server";
import { log } from "../core/log.server";
import { recomputeDueRateCards } from "../pricing/rate-card-upload.server";
import { reconcileDueShops } from "../pricing/reconciliation.server";
import { runDueBackfills } from "../shopify/admin/backfill.server";
import { refreshDueCustomerFacts } from "../shopify/admin/customer-facts.server";
import { refreshDueShopFacts, writeCodOutcome } from "../shopify/admin/sync.server";
import { processShopifyReceipt } from "../shopify/webhooks.server";
import { dueReceipts, purgeReceiptBodies } from "./webhook-receipts.server";
import { processMetaReceipts } from "../whatsapp/webhooks.server";
import { refreshDueAccounts } from "../whatsapp/health.server";
import { startReceiptConsumer } from "./queue.server";
import { openLease } from "./leases.server";
import { closeRedisConnections } from "./redis.server";
import type { AppDeps } from "../core/deps";

const IDLE_POLL_MS = 200;
/** With Redis the queue brings new receipts; the poll is the safety net. */
const SAFETY_NET_POLL_MS = 5_000;
/** …and only takes receipts due this long ago, which the queue evidently missed. */
const SAFETY_NET_AGE_MS = 10_000;
const RECONCILE_EVERY_MS = 60 * 60 * 1000;
/** Rate card uploads and backfills are rare: looked for this often. */
const LONG_JOB_POLL_MS = 2_000;
/** Connections whose health is hours old are looked for this often, the first time as the worker starts. */
const HEALTH_POLL_MS = 5 * 60 * 1000;

/** Handles every receipt due at `asOf` (default now), oldest first (Meta's together, after Shopify's); returns how many it took. */
export async function processDueReceipts(deps: AppDeps, take = 50, asOf = new Date()): Promise<number> {
  const { receipts, deadLeases } = await dueReceipts(deps.db, take, asOf);
  const claimer = { leaseId: deps.leaseId, deadLeases };
  for (const receipt of receipts) if (receipt.source === "SHOPIFY") await processShopifyReceipt(deps, receipt.id, claimer);
  await processMetaReceipts(
    deps,
    receipts.filter((receipt) => receipt.source === "META").map((receipt) => receipt.id),
    claimer,
  );
  return receipts.length;
}

export interface Worker {
  /** New work was stored: look now instead of at the next poll. */
  wake(): void;
  /** Stops taking work and waits for what is in flight (sends included). */
  stop(): Promise<void>;
}

export function startWorker(workerDeps: AppDeps, options: { pollMs?: number } = {}): Worker {
  const lease = openLease(workerDeps.db);
  const deps = { ...workerDeps, leaseId: lease.id };
  const redisUrl = deps.config.REDIS_URL;
  const pollMs = options.pollMs ?? (redisUrl ? SAFETY_NET_POLL_MS : IDLE_POLL_MS);
  let running = true;
  // Naps end early on a wake (the receipts loop: new receipts) or on stop (every loop).
  const sleepers = { receipts: new Set<() => void>(), other: new Set<() => void>() };
  const nap = (ms: number, set: Set<() => void>) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        set.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  const wakeAll = (set: Set<() => void>) => {
    for (const done of [...set]) done();
  };
  const wake = () => wakeAll(sleepers.receipts);
  // Work starts once the lease is stored; without it (the database refused) claims fall back to their locks.
  const leased = lease.ready.catch((error: unknown) => log.warn({ err: error }, "Could not store this worker's lease"));
  const consumer = redisUrl ? leased.then(() => startReceiptConsumer(deps, redisUrl)) : null;
  const receipts = (async () => {
    await leased;
    while (running) {
      try {
        const asOf = redisUrl ? new Date(Date.now() - SAFETY_NET_AGE_MS) : new Date();
        if ((await processDueReceipts(deps, 50, asOf)) === 0) await nap(pollMs, sleepers.receipts);
      } catch (error) {
        log.error({ err: error }, "Processing webhook receipts failed");
        await nap(pollMs, sleepers.receipts);
      }
    }
  })();
  // Rare, long jobs (a rate card's recompute, a shop's order backfill), each in a loop of its own.
  const longJob = (what: string, job: () => Promise<unknown>, everyMs = Math.max(pollMs, LONG_JOB_POLL_MS)) =>
    (async () => {
      await leased;
      while (running) {
        try {
          await job();
        } catch (error) {
          log.error({ err: error }, `Looking for ${what} failed`);
        }
        await nap(everyMs, sleepers.other);
      }
    })();
  const recomputes = longJob("rate card recomputes", () => recomputeDueRateCards(deps.db, { stopping: () => !running }));
  const backfills = longJob("order backfills", () => runDueBackfills(deps, { stopping: () => !running }));
  // Search texts the conversations migration left to build; once none is left, not looked for again.
  let searchTextsBuilt = false;
  const searchTexts = longJob("conversation search texts", async () => {
    if (!searchTextsBuilt) searchTextsBuilt = (await buildMissingSearchText(deps.db)) === 0;
  });
  const audiences = longJob("campaign audiences", () => readDueAudiences(deps, { stopping: () => !running }));
  const campaigns = longJob("campaign messages to write", () => queueDueCampaigns(deps, { stopping: () => !running }));
  const customerFacts = longJob("VIP customers' facts", () => refreshDueCustomerFacts(deps));
  const codFollowUps = longJob("cash-on-delivery follow-ups", () => runCodFollowUps({ db: deps.db, writeOutcome: (shop, order, status) => writeCodOutcome(deps, shop, order, status) }));
  const health = longJob("connections' health to read", () => refreshDueAccounts(deps, { stopping: () => !running }), HEALTH_POLL_MS);
  const dispatcher = leased.then(() => startDispatcher(deps));
  // Meta's pricing figures and Shopify's shop facts, read once a day per shop (the hourly check picks the shops due).
  const reconcile = setInterval(() => {
    reconcileDueShops(deps).catch((error: unknown) => log.error({ err: error }, "Pricing reconciliation failed"));
    refreshDueShopFacts(deps).catch((error: unknown) => log.error({ err: error }, "Refreshing shop facts failed"));
    purgeReceiptBodies(deps.db).catch((error: unknown) => log.error({ err: error }, "Purging old webhook bodies failed"));
    purgeDataRequests(deps.db).catch((error: unknown) => log.error({ err: error }, "Purging old data requests failed"));
  }, RECONCILE_EVERY_MS);
  reconcile.unref();
  return {
    wake,
    stop: async () => {
      running = false;
      clearInterval(reconcile);
      wakeAll(sleepers.receipts);
      wakeAll(sleepers.other);
      // The queue consumer stops taking jobs and finishes those in flight, as the loops do.
      await Promise.all([receipts, recomputes, backfills, searchTexts, audiences, campaigns, customerFacts, codFollowUps, health, dispatcher.then((d) => d.stop()), consumer?.then((c) => c.close())]);
      await lease.close().catch((error: unknown) => log.warn({ err: error }, "Could not remove this worker's lease"));
      if (redisUrl) await closeRedisConnections();
    },
  };
}
