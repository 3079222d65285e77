// What an operator (or a load balancer's readiness probe) needs to know about
// the background work: the database answers, Redis answers (REDIS_URL), and how
// much work is waiting and for how long. Counts and ages only, never content.
//
// Only the database decides readiness (503): intake needs it for every webhook.
// Without Redis a web process still stores receipts and the workers' database
// poll handles them (sends wait for the shared pace), so Redis being away is
// reported for the operator, not a reason to take every web process out of
// the load balancer at once.
import type { Db } from "../core/db.server";
import type { Redis } from "ioredis";

import { receiptQueueDepth, type ReceiptQueueDepth } from "./queue.server";
import { redisConnection } from "./redis.server";

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
  /** Redis (REDIS_URL): answering within REDIS_TIMEOUT_MS, or not configured (the embedded runner). */
  redis: "ok" | "unreachable" | "not used";
  /** The receipt jobs on Redis; null without Redis or while it does not answer. */
  receiptQueue: ReceiptQueueDepth | null;
}

/** How long readiness waits for Redis before calling it unreachable: well within a probe's usual 1 s. */
export const REDIS_TIMEOUT_MS = 500;

/** Resolves when the connection is ready, or rejects after `ms` (or at once when it is not even trying to connect). */
function whenReady(client: Redis, ms: number): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  if (!["wait", "connecting", "connect"].includes(client.status)) return Promise.reject(new Error(`Redis is ${client.status}`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off("ready", ready);
      reject(new Error("Redis did not become ready in time"));
    }, ms);
    const ready = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once("ready", ready);
  });
}

async function redisState(redisUrl: string | undefined, now: Date): Promise<Pick<Readiness, "redis" | "receiptQueue">> {
  if (!redisUrl) return { redis: "not used", receiptQueue: null };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("Redis did not answer in time")), REDIS_TIMEOUT_MS);
  });
  try {
    // Asked only of a ready connection: while Redis is away a probe answers at once, and no queries pile up behind it.
    await Promise.race([whenReady(redisConnection(redisUrl, "producer"), REDIS_TIMEOUT_MS), timeout]);
    const receiptQueue = await Promise.race([receiptQueueDepth(redisUrl, now.getTime()), timeout]);
    return { redis: "ok", receiptQueue };
  } catch {
    return { redis: "unreachable", receiptQueue: null };
  } finally {
    clearTimeout(timer);
  }
}

const ageSeconds = (since: Date | null | undefined, now: Date) => (since ? Math.max(0, Math.round((now.getTime() - since.getTime()) / 1000)) : null);

export async function readiness(db: Db, options: { redisUrl?: string }, now = new Date()): Promise<Readiness> {
  const redis = redisState(options.redisUrl, now);
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
      ...(await redis),
    };
  } catch {
    return {
      ok: false,
      database: "unreachable",
      receiptsPending: 0,
      oldestReceiptAgeSeconds: null,
      messagesDue: 0,
      oldestMessageDueSeconds: null,
      receiptsDead: 0,
      ...(await redis),
    };
  }
}
