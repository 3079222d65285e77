// The backfill: when WhatsApp is connected, the orders of the last 60 days are
// read from the Admin API, page by page, and those with a phone recorded, so a
// customer who writes about an order placed before the install finds its
// thread. It never sends: recording an order triggers nothing. A worker claims
// the shop's backfill and writes each page's orders together with the cursor
// after them, so a worker killed halfway is followed by one that carries on
// from the last page (claims name the worker's lease: a dead lease frees it at
// once). Throttling is waited out by the Admin client.
import type { AppConfig } from "../config.server";
import type { Db } from "../db.server";
import { deadLeases } from "../jobs/leases.server";
import { log } from "../log.server";
import { recipientOf, recordOrder } from "../orders.server";
import { backgroundAdmin } from "./client.server";
import { AdminAuthError } from "./graphql.server";
import { ORDERS_COUNT_QUERY, ORDERS_PAGE_QUERY, orderPayloadFromAdmin } from "./orders.server";

export const BACKFILL_DAYS = 60;
/** Orders per page: at 9 cost points per order, a page stays under Shopify's 1,000-point query limit. */
const PAGE_SIZE = 100;
const CLAIM_MS = 60_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Starts the shop's backfill once (connecting again later does not load the orders a second time). */
export async function requestBackfill(db: Db, shopId: string, now = new Date()): Promise<void> {
  const since = new Date(now.getTime() - BACKFILL_DAYS * DAY_MS);
  await db.backfill.upsert({ where: { shopId }, create: { shopId, since }, update: {} });
}

class Superseded extends Error {}

interface Deps {
  db: Db;
  config: Pick<AppConfig, "SHOPIFY_ADMIN_URL">;
  leaseId?: string;
}

/** Runs every backfill that is waiting or whose worker died; returns how many finished. */
export async function runDueBackfills(deps: Deps, options: { stopping?: () => boolean } = {}): Promise<number> {
  const { db } = deps;
  const now = new Date();
  const dead = await deadLeases(db, now);
  const due = await db.backfill.findMany({
    where: {
      status: { in: ["PENDING", "RUNNING"] },
      OR: [{ lockedUntil: null }, { lockedUntil: { lt: now } }, ...(dead.length ? [{ lockedBy: { in: dead } }] : [])],
    },
    include: { shop: { select: { domain: true, uninstalledAt: true } } },
    take: 5,
  });
  let finished = 0;
  for (const backfill of due) {
    if (options.stopping?.()) break;
    const claim = { lockedBy: deps.leaseId ?? null, lockedUntil: new Date(Date.now() + CLAIM_MS) };
    const won = await db.backfill.updateMany({ where: { id: backfill.id, lockedUntil: backfill.lockedUntil, lockedBy: backfill.lockedBy }, data: { ...claim, status: "RUNNING" } });
    if (won.count === 0) continue;
    try {
      if (backfill.shop.uninstalledAt) throw new AdminAuthError(backfill.shop.domain);
      if (await runBackfill(deps, backfill.id, backfill.shop.domain, claim, options)) finished++;
    } catch (error) {
      if (error instanceof Superseded) continue;
      if (error instanceof AdminAuthError) {
        await db.backfill.updateMany({ where: { id: backfill.id, lockedUntil: claim.lockedUntil }, data: { status: "FAILED", error: "Shopify no longer accepts the shop's token", lockedUntil: null } });
        continue;
      }
      // Shopify away, the database refused: the claim lapses and a worker tries again from the last page.
      log.warn({ backfillId: backfill.id, err: error }, "Backfill stopped; it carries on from its last page later");
    }
  }
  return finished;
}

async function runBackfill(deps: Deps, id: string, domain: string, claim: { lockedBy: string | null; lockedUntil: Date }, options: { stopping?: () => boolean }): Promise<boolean> {
  const { db } = deps;
  const graphql = await backgroundAdmin(db, deps.config, domain);
  let state = await db.backfill.findUniqueOrThrow({ where: { id } });
  const search = `created_at:>='${state.since.toISOString()}'`;
  if (state.total === null) {
    const { ordersCount } = await graphql(ORDERS_COUNT_QUERY, { query: search });
    state = await db.backfill.update({ where: { id }, data: { total: ordersCount?.count ?? 0 } });
  }
  for (;;) {
    if (options.stopping?.()) {
      // Stopping (SIGTERM): give it up now, so the next worker starts at once.
      await db.backfill.updateMany({ where: { id, lockedUntil: claim.lockedUntil }, data: { lockedUntil: null, lockedBy: null } });
      throw new Superseded();
    }
    const { orders } = await graphql(ORDERS_PAGE_QUERY, { first: PAGE_SIZE, after: state.cursor, query: search });
    const payloads = orders.nodes.map(orderPayloadFromAdmin).filter((payload) => recipientOf(payload));
    const next = new Date(Date.now() + CLAIM_MS);
    const done = !orders.pageInfo.hasNextPage;
    state = await db.$transaction(async (tx) => {
      // Fenced by the claim: a worker that took over after this one stalled wins, and this page rolls back.
      const held = await tx.backfill.updateMany({
        where: { id, lockedUntil: claim.lockedUntil },
        data: {
          cursor: orders.pageInfo.endCursor ?? state.cursor,
          read: { increment: orders.nodes.length },
          stored: { increment: payloads.length },
          lockedUntil: done ? null : next,
          ...(done ? { status: "DONE", finishedAt: new Date(), lockedBy: null } : {}),
        },
      });
      if (held.count === 0) throw new Superseded();
      for (const payload of payloads) await recordOrder(tx, state.shopId, payload);
      return tx.backfill.findUniqueOrThrow({ where: { id } });
    });
    claim.lockedUntil = next;
    if (done) return true;
  }
}

/** The shop's backfill for the home page's progress bar; null before WhatsApp was connected. */
export async function backfillProgress(db: Db, shopId: string) {
  return db.backfill.findUnique({ where: { shopId }, select: { status: true, total: true, read: true, stored: true, finishedAt: true } });
}
