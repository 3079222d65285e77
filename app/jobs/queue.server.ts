// How intake hands a stored receipt to the workers. One call, announceReceipt:
//
// - without REDIS_URL: wake the web process's own worker over IPC (embedded
//   mode); `npm run worker` processes find the receipt by polling;
// - with REDIS_URL: a BullMQ job on Redis whose id is the receipt id (a repeat
//   is a no-op), consumed by every worker process (startReceiptConsumer).
//
// Either way the receipt row is the truth: processing claims it by
// compare-and-set (webhook-receipts.server.ts), so a job that runs twice, or
// races the database poll, handles it once. Announcing never delays or fails
// a webhook's answer: if Redis is away the job is not queued, and the poll
// (the safety net for retries and crashed workers too) finds the receipt.
import { Queue, Worker as BullWorker } from "bullmq";

import { config } from "../core/config.server";
import { groupCommit, limited } from "../core/concurrency";
import type { WebhookSource } from "../core/domain";
import { log } from "../core/log.server";
import { processShopifyReceipt } from "../shopify/webhooks.server";
import { processMetaReceipts } from "../whatsapp/webhooks.server";
import { wakeWorker } from "./embedded-worker.server";
import { redisConnection } from "./redis.server";
import type { AppDeps } from "../core/deps";

export const RECEIPTS_QUEUE = "receipts";
export const QUEUE_PREFIX = "zap";
/** Receipt jobs one worker process takes at once (Meta's wait for a shared batch). */
const CONSUMER_CONCURRENCY = 32;
/**
 * How long the first Meta job of a quiet spell waits for others to share its
 * batch. A status changes nothing anyone waits on (a tick in the inbox), and
 * a batch's fixed statements (claim, transaction, event lookup, report line,
 * receipts' finish) cost as much for one status as for twenty.
 */
const META_GATHER_MS = 50;
/**
 * Shopify receipts one worker process handles at once. Handling one is CPU
 * work, here and in PostgreSQL: more at once adds no throughput on a busy
 * machine, only busy database backends, and leaves less CPU for the sends
 * (dispatch while 2,000 orders arrive: 83 % of the cap with 2, 59–73 % with 16).
 */
const SHOPIFY_CONCURRENCY = 2;

interface ReceiptJob {
  source: WebhookSource;
}

const holder = globalThis as unknown as { zapReceiptQueue?: Queue<ReceiptJob> };

function receiptQueue(url: string): Queue<ReceiptJob> {
  holder.zapReceiptQueue ??= new Queue<ReceiptJob>(RECEIPTS_QUEUE, {
    connection: redisConnection(url, "producer"),
    prefix: QUEUE_PREFIX,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: { count: 1000 } },
  });
  return holder.zapReceiptQueue;
}

// Announcements made in one turn of the event loop (requests whose inserts completed
// together) go to Redis as one addBulk: one round trip, one socket write.
let batch: { receiptId: string; source: WebhookSource }[] = [];

function flush(url: string): void {
  const jobs = batch;
  batch = [];
  receiptQueue(url)
    .addBulk(jobs.map(({ receiptId, source }) => ({ name: source, data: { source }, opts: { jobId: receiptId } })))
    .catch((error: unknown) => log.warn({ err: error, receipts: jobs.length }, "Could not queue receipts on Redis; the database poll will handle them"));
}

/** A receipt was stored: get it handled now (BullMQ with REDIS_URL, else the embedded worker's wake). */
export function announceReceipt(receiptId: string, source: WebhookSource): void {
  const url = config().REDIS_URL;
  if (!url) {
    wakeWorker();
    return;
  }
  batch.push({ receiptId, source });
  if (batch.length === 1) setImmediate(flush, url);
}

/** The receipt queue on Redis: jobs by state, and how long the oldest waiting one has waited. */
export interface ReceiptQueueDepth {
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  oldestWaitingSeconds: number | null;
}

/** Reads the receipt queue's depth (readiness); rejects while Redis does not answer. */
export async function receiptQueueDepth(url: string, now = Date.now()): Promise<ReceiptQueueDepth> {
  const queue = receiptQueue(url);
  const [counts, [oldest]] = await Promise.all([queue.getJobCounts("wait", "active", "delayed", "failed"), queue.getJobs(["wait"], 0, 0, true)]);
  return {
    waiting: counts.wait ?? 0,
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    failed: counts.failed ?? 0,
    oldestWaitingSeconds: oldest ? Math.max(0, Math.round((now - oldest.timestamp) / 1000)) : null,
  };
}

/** Other work was stored (a rate card to recompute): the embedded worker looks now; Redis workers find it on their next poll. */
export function announceWork(): void {
  if (!config().REDIS_URL) wakeWorker();
}

/** Consumes receipt jobs in this process; close() stops taking jobs and waits for those in flight. */
export function startReceiptConsumer(deps: AppDeps, url: string, concurrency = CONSUMER_CONCURRENCY): { close: () => Promise<void> } {
  // Meta jobs taken while a batch is being handled wait for the next one: a burst of
  // status webhooks is applied a batch per transaction (processMetaReceipts).
  const meta = groupCommit((ids: string[]) => processMetaReceipts(deps, ids, { leaseId: deps.leaseId }), {
    gatherMs: META_GATHER_MS,
  });
  const shopify = limited(SHOPIFY_CONCURRENCY);
  const worker = new BullWorker<ReceiptJob>(
    RECEIPTS_QUEUE,
    async (job) => {
      const id = job.id;
      if (!id) return;
      await (job.data.source === "SHOPIFY" ? shopify(() => processShopifyReceipt(deps, id, { leaseId: deps.leaseId })) : meta(id));
    },
    {
      connection: redisConnection(url, "commands"),
      prefix: QUEUE_PREFIX,
      concurrency,
      removeOnComplete: { count: 0 },
      removeOnFail: { count: 1000 },
    },
  );
  worker.on("error", (error) => log.error({ err: error }, "The receipt queue consumer failed"));
  worker.on("failed", (job, error) => log.warn({ receiptId: job?.id, err: error }, "A receipt job failed; the database poll retries the receipt"));
  return { close: () => worker.close() };
}
