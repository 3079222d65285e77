// Webhook receipts: the stored copy of every signed delivery (Shopify or Meta)
// and its processing lifecycle, shared by both intakes.
//
// Intake stores a receipt due now; a worker takes it by a claim
// (compare-and-set on its lock), so two processes never handle it at once. A handler failure is either permanent
// (the payload will never be valid: REJECTED with the reason) or transient
// (retried with exponential backoff); after MAX_RECEIPT_ATTEMPTS tries it is
// DEAD, shown to the merchant, and retried only when they ask. Each failure
// pushes the receipt's next attempt into the future, so the retry job always
// reaches newer receipts: a few poison ones cannot starve the rest.
import { z } from "zod";

import type { Db, Tx } from "../core/db.server";
import type { WebhookSource } from "../core/domain";
import type { WebhookReceipt } from "../generated/prisma/client";
import { deadLeases } from "./leases.server";

export const MAX_RECEIPT_ATTEMPTS = 8;
/** How long a claim holds a receipt; a crashed processor's receipt is free again after it. */
const CLAIM_MS = 60_000;
const FIRST_BACKOFF_MS = 60_000;
const MAX_BACKOFF_MS = 60 * 60 * 1000;

/** A failure that retrying cannot fix: the receipt is recorded as REJECTED with this reason. */
export class PermanentWebhookError extends Error {
  override name = "PermanentWebhookError";
}

/** Retries wait 1, 2, 4 … minutes (capped at an hour), with jitter so a burst does not retry in lockstep. */
export function retryDelayMs(attempts: number): number {
  const base = Math.min(FIRST_BACKOFF_MS * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** Free to take: never claimed, its claim ran out, or its claimer's lease stopped beating (jobs/leases.server.ts). */
function unclaimed(now: Date, dead: string[]) {
  return { OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }, ...(dead.length ? [{ lockedBy: { in: dead } }] : [])] };
}

/**
 * Who claims: the worker's lease (if any), and the leases the caller found
 * dead. A claim takes a receipt a dead worker still holds only when it names
 * that lease: the poll (dueReceipts) reads the dead ones once per pass and
 * hands them on; a queued job's claim names none, and leaves such a receipt
 * to the poll (every 200 ms, or 5 s with Redis, then for receipts due 10 s
 * ago), which takes it soon after the lease is seen dead.
 */
export interface Claimer {
  leaseId?: string;
  deadLeases?: string[];
}

/** Takes the receipt for this process, or null when it is finished or another live process holds it. */
export async function claimReceipt(db: Db, id: string, options: Claimer & { now?: Date } = {}): Promise<WebhookReceipt | null> {
  return (await claimReceipts(db, [id], options))[0] ?? null;
}

/** claimReceipt for several receipts at once, in one statement: those taken, in the order asked. */
export async function claimReceipts(db: Db, ids: string[], options: Claimer & { now?: Date } = {}): Promise<WebhookReceipt[]> {
  if (!ids.length) return [];
  const now = options.now ?? new Date();
  const taken = await db.webhookReceipt.updateManyAndReturn({
    where: { id: { in: ids }, status: "RECEIVED", ...unclaimed(now, options.deadLeases ?? []) },
    data: { lockedUntil: new Date(now.getTime() + CLAIM_MS), lockedBy: options.leaseId ?? null, attempts: { increment: 1 } },
  });
  const order = new Map(ids.map((id, index) => [id, index]));
  return taken.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

/** Who the receipt turned out to belong to, learnt while handling it (undefined: unchanged). */
type Owner = { shopId?: string | null };

/** The claim a handler holds: its writes apply only while no other process has claimed the receipt since. */
type Claim = Pick<WebhookReceipt, "id" | "attempts">;
const held = (claim: Claim) => ({ id: claim.id, status: "RECEIVED", attempts: claim.attempts });

export async function finishReceipt(db: Db | Tx, claim: Claim, status: "PROCESSED" | "IGNORED" | "REJECTED", error?: string, owner: Owner = {}): Promise<void> {
  // A handled body is no longer needed and holds customers' data: it goes. A rejected one stays a while for diagnosis (purgeReceiptBodies).
  await db.webhookReceipt.updateMany({
    where: held(claim),
    data: { status, error: error ?? null, lockedUntil: null, processedAt: new Date(), ...owner, ...(status === "REJECTED" ? {} : { payload: "" }) },
  });
}

/** How long a rejected or dead receipt keeps its body (for diagnosis and the merchant's retry). */
export const FAILED_BODY_RETENTION_MS = 14 * 24 * 60 * 60 * 1000;

/**
 * The retention job: bodies older than the retention period are emptied
 * (rejected ones, and any a crash left behind on a finished receipt); a dead
 * one can no longer be retried without its body, so it is closed as ignored.
 */
export async function purgeReceiptBodies(db: Db, now = new Date()): Promise<number> {
  const old = { payload: { not: "" }, receivedAt: { lt: new Date(now.getTime() - FAILED_BODY_RETENTION_MS) } };
  const dead = await db.webhookReceipt.updateMany({ where: { ...old, status: "DEAD" }, data: { payload: "", status: "IGNORED", error: "Never processed; its body was erased after 14 days" } });
  const finished = await db.webhookReceipt.updateMany({ where: { ...old, status: { in: ["REJECTED", "PROCESSED", "IGNORED"] } }, data: { payload: "" } });
  return dead.count + finished.count;
}

/** Marks receipts processed for their shops, a statement per claim attempt and shop (a batch usually shares both). */
export async function finishProcessed(tx: Tx, claims: (Claim & { shopId: string })[]): Promise<void> {
  const groups = new Map<string, (Claim & { shopId: string })[]>();
  for (const claim of claims) {
    const key = `${claim.attempts} ${claim.shopId}`;
    groups.set(key, [...(groups.get(key) ?? []), claim]);
  }
  const processedAt = new Date();
  for (const group of groups.values()) {
    const { attempts, shopId } = group[0]!;
    await tx.webhookReceipt.updateMany({
      where: { id: { in: group.map((claim) => claim.id) }, status: "RECEIVED", attempts },
      data: { status: "PROCESSED", error: null, lockedUntil: null, processedAt, shopId, payload: "" },
    });
  }
}

/** Why a handler failed, in words for the merchant and the logs (never the payload itself). */
export function failureReason(error: unknown, topic: string): { permanent: boolean; reason: string } {
  if (error instanceof z.ZodError) {
    const fields = [...new Set(error.issues.map((issue) => issue.path.join(".") || "(root)"))].slice(0, 5).join(", ");
    return { permanent: true, reason: `invalid ${topic} payload: ${fields}` };
  }
  if (error instanceof PermanentWebhookError) return { permanent: true, reason: error.message };
  const code = (error as { code?: unknown } | null)?.code;
  const name = error instanceof Error ? error.name : typeof error;
  return { permanent: false, reason: `${name}${typeof code === "string" || typeof code === "number" ? ` ${code}` : ""} while handling ${topic}` };
}

/** Records a failed attempt: REJECTED if permanent, else a retry later, or DEAD once attempts run out. */
export async function failReceipt(
  db: Db,
  receipt: Pick<WebhookReceipt, "id" | "attempts" | "topic">,
  error: unknown,
  owner: Owner = {},
): Promise<{ status: "REJECTED" | "RECEIVED" | "DEAD"; reason: string }> {
  const { permanent, reason } = failureReason(error, receipt.topic);
  if (permanent) {
    await finishReceipt(db, receipt, "REJECTED", reason, owner);
    return { status: "REJECTED", reason };
  }
  const dead = receipt.attempts >= MAX_RECEIPT_ATTEMPTS;
  await db.webhookReceipt.updateMany({
    where: held(receipt),
    data: {
      ...owner,
      ...(dead
        ? { status: "DEAD", error: `${reason} (gave up after ${receipt.attempts} attempts)`, lockedUntil: null }
        : { error: reason, lockedUntil: null, nextAttemptAt: new Date(Date.now() + retryDelayMs(receipt.attempts)) }),
    },
  });
  return { status: dead ? "DEAD" : "RECEIVED", reason };
}

/**
 * Receipts to handle now (new ones and retries that are due), unclaimed or
 * held by a dead worker: Shopify's, then Meta's, each in the order they became
 * due; with the dead workers' leases, for the claims.
 */
export async function dueReceipts(db: Db, take = 100, now = new Date()): Promise<{ receipts: { id: string; source: WebhookSource }[]; deadLeases: string[] }> {
  const dead = await deadLeases(db);
  const where = { status: "RECEIVED", nextAttemptAt: { lte: now }, ...unclaimed(now, dead) };
  const oldest = (source: WebhookSource, count: number) =>
    db.webhookReceipt.findMany({ where: { ...where, source }, orderBy: [{ nextAttemptAt: "asc" }, { receivedAt: "asc" }], take: count, select: { id: true } });
  // Each source has half the batch, and what one leaves the other may take: an order placed while a campaign's
  // statuses pour in (three per message) is confirmed now, not after them, and a flood of Shopify updates
  // never holds back Meta's (a customer's STOP among them).
  const [shopify, meta] = await Promise.all([oldest("SHOPIFY", take), oldest("META", take)]);
  const metaShare = Math.min(meta.length, Math.max(take - shopify.length, Math.ceil(take / 2)));
  return {
    receipts: [...shopify.slice(0, take - metaShare).map(({ id }) => ({ id, source: "SHOPIFY" as const })), ...meta.slice(0, metaShare).map(({ id }) => ({ id, source: "META" as const }))],
    deadLeases: dead,
  };
}

/** Deliveries the app gave up on, for the merchant (home page). */
export async function deadReceipts(db: Db, shopId: string, take = 10) {
  const [rows, total] = await Promise.all([
    db.webhookReceipt.findMany({
      where: { shopId, status: "DEAD" },
      orderBy: { receivedAt: "desc" },
      take,
      select: { id: true, source: true, topic: true, error: true, attempts: true, receivedAt: true },
    }),
    db.webhookReceipt.count({ where: { shopId, status: "DEAD" } }),
  ]);
  return { total, rows: rows.map((row) => ({ ...row, receivedAt: row.receivedAt.toISOString() })) };
}

/** The merchant asks to try a dead delivery again: it goes back to the retry job, now. */
export async function retryDeadReceipt(db: Db, shopId: string, id: string): Promise<boolean> {
  const updated = await db.webhookReceipt.updateMany({
    where: { id, shopId, status: "DEAD", payload: { not: "" } },
    data: { status: "RECEIVED", attempts: 0, nextAttemptAt: new Date(), lockedUntil: null },
  });
  return updated.count === 1;
}
