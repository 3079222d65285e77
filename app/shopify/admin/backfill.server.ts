// The backfill: when WhatsApp is connected, the orders of the last 60 days are
// read from the Admin API, page by page (above BACKFILL_BULK_ABOVE orders, from
// a bulk operation's JSONL export), and those with a phone recorded, so a
// customer who writes about an order placed before the install finds its
// thread. It never sends: recording an order triggers nothing. A worker claims
// the shop's backfill and writes each page's orders together with the cursor
// after them, so a worker killed halfway is followed by one that carries on
// from the last page (claims name the worker's lease: a dead lease frees it at
// once). Throttling is waited out by the Admin client.
import { Readable } from "node:stream";
import { createInterface } from "node:readline";
import type { ReadableStream as WebReadableStream } from "node:stream/web";

import type { AppConfig } from "../../core/config.server";
import type { Db } from "../../core/db.server";
import { singleStatementUpsert } from "../../core/db-errors.server";
import { deadLeases } from "../../jobs/leases.server";
import { describeError, log } from "../../core/log.server";
import { refreshSearchText } from "../../messaging/inbox-list.server";
import { recipientOf, recordBackfilledOrder } from "../orders.server";
import { backgroundAdmin } from "./client.server";
import type { AppOrderFragment } from "../../generated/shopify-admin/admin.generated";
import { AdminAuthError, type AdminGraphql, AdminGraphqlError } from "./graphql.server";
import { BULK_RUN_MUTATION, BULK_STATUS_QUERY, bulkOrdersQuery, ORDERS_COUNT_QUERY, ORDERS_PAGE_QUERY, orderPayloadFromAdmin } from "./orders.server";
import type { AppDeps } from "../../core/deps";

export const BACKFILL_DAYS = 60;
/** Orders per page: at 9 cost points per order, a page stays under Shopify's 1,000-point query limit. */
const PAGE_SIZE = 100;
const CLAIM_MS = 60_000;
const MAX_ATTEMPTS = 5;
const RETRY_AFTER_MS = 60_000;
/** The error of a backfill stopped because Shopify refused the shop's token (the home page says so). */
export const AUTH_LOST = "auth-lost";
/** How often a running bulk export's status is read. */
const BULK_POLL_MS = 1_000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Starts the shop's backfill once (connecting again later does not load the orders a second time). */
export async function requestBackfill(db: Db, shopId: string, now = new Date()): Promise<void> {
  const since = new Date(now.getTime() - BACKFILL_DAYS * DAY_MS);
  await db.backfill.upsert({
    where: { shopId },
    create: { shopId, since },
    update: singleStatementUpsert({ shopId }),
  });
  // One that failed starts over (from where it stopped) when the merchant connects again.
  await db.backfill.updateMany({
    where: { shopId, status: "FAILED" },
    data: { status: "PENDING", attempts: 0, error: null },
  });
}

class Superseded extends Error {}

type Deps = Pick<AppDeps, "db" | "leaseId"> & { config: Pick<AppConfig, "SHOPIFY_ADMIN_URL" | "BACKFILL_BULK_ABOVE"> };

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
    const claim = {
      lockedBy: deps.leaseId ?? null,
      lockedUntil: new Date(Date.now() + CLAIM_MS),
    };
    const won = await db.backfill.updateMany({
      where: {
        id: backfill.id,
        status: { in: ["PENDING", "RUNNING"] },
        lockedUntil: backfill.lockedUntil,
        lockedBy: backfill.lockedBy,
      },
      data: { ...claim, status: "RUNNING" },
    });
    if (won.count === 0) continue;
    try {
      if (backfill.shop.uninstalledAt) throw new AdminAuthError(backfill.shop.domain);
      if (await runBackfill(deps, backfill.id, backfill.shop.domain, claim, options)) finished++;
    } catch (error) {
      if (error instanceof Superseded) continue;
      if (error instanceof AdminAuthError) {
        await db.backfill.updateMany({
          where: { id: backfill.id, lockedUntil: claim.lockedUntil },
          data: { status: "FAILED", error: AUTH_LOST, lockedUntil: null },
        });
        continue;
      }
      // Shopify away, the database refused, an order Shopify sent that does not parse: tried again later from the
      // last stored batch, waiting longer each time, and given up after a few failures in a row (the error is
      // kept). A stored batch starts the count again: a long backfill is not given up for failures far apart.
      const current = await db.backfill.findUnique({ where: { id: backfill.id }, select: { attempts: true } });
      // Gone with its shop (shop/redact): nothing to try again.
      if (!current) continue;
      const attempts = current.attempts + 1;
      const { type, message } = describeError(error);
      await db.backfill.updateMany({
        where: { id: backfill.id, lockedUntil: claim.lockedUntil },
        data:
          attempts >= MAX_ATTEMPTS
            ? {
                status: "FAILED",
                attempts,
                error: `${type}: ${message}`.slice(0, 500),
                lockedUntil: null,
              }
            : {
                attempts,
                lockedUntil: new Date(Date.now() + attempts * RETRY_AFTER_MS),
                lockedBy: null,
              },
      });
      log.warn({ backfillId: backfill.id, attempts, err: error }, "Backfill stopped; it carries on from its last stored batch later");
    }
  }
  return finished;
}

type Claim = { lockedBy: string | null; lockedUntil: Date };
type BackfillRow = Awaited<ReturnType<Db["backfill"]["findUniqueOrThrow"]>>;

async function runBackfill(deps: Deps, id: string, domain: string, claim: Claim, options: { stopping?: () => boolean }): Promise<boolean> {
  const { db } = deps;
  const graphql = await backgroundAdmin(db, deps.config, domain);
  let state = await db.backfill.findUniqueOrThrow({ where: { id } });
  const search = `created_at:>='${state.since.toISOString()}'`;
  if (state.total === null) {
    const { ordersCount } = await graphql(ORDERS_COUNT_QUERY, {
      query: search,
    });
    state = await db.backfill.update({
      where: { id },
      data: { total: ordersCount?.count ?? 0 },
    });
  }
  if ((state.total ?? 0) > deps.config.BACKFILL_BULK_ABOVE) return runBulkExport(deps, graphql, state, search, claim, options);
  for (;;) {
    await giveUpIfStopping(db, id, claim, options);
    const { orders } = await graphql(ORDERS_PAGE_QUERY, {
      first: PAGE_SIZE,
      after: state.cursor,
      query: search,
    });
    const done = !orders.pageInfo.hasNextPage;
    state = await storeOrders(db, state, claim, orders.nodes, {
      cursor: orders.pageInfo.endCursor ?? state.cursor,
      done,
    });
    if (done) return true;
  }
}

/** Stopping (SIGTERM): give the backfill up now, so the next worker starts at once. */
async function giveUpIfStopping(db: Db, id: string, claim: Claim, options: { stopping?: () => boolean }) {
  if (!options.stopping?.()) return;
  await db.backfill.updateMany({
    where: { id, lockedUntil: claim.lockedUntil },
    data: { lockedUntil: null, lockedBy: null },
  });
  throw new Superseded();
}

/**
 * Records a batch of orders (those with a phone) and where the next batch
 * starts, in one transaction fenced by the claim: a worker that took over after
 * this one stalled wins, and this batch rolls back.
 */
async function storeOrders(db: Db, state: BackfillRow, claim: Claim, nodes: AppOrderFragment[], next: { cursor: string | null; done: boolean }): Promise<BackfillRow> {
  const shop = await db.shop.findUniqueOrThrow({ where: { id: state.shopId }, select: { id: true, country: true, smsConsentCountsForWhatsApp: true, locale: true } });
  const payloads = nodes.map(orderPayloadFromAdmin).filter((payload) => recipientOf(payload, shop.country));
  const renewed = new Date(Date.now() + CLAIM_MS);
  // Customers of the batch's orders who had no conversation when their order was recorded.
  const contacts = new Set<string>();
  const stored = await db.$transaction(
    async (tx) => {
      const held = await tx.backfill.updateMany({
        where: {
          id: state.id,
          lockedUntil: claim.lockedUntil,
          lockedBy: claim.lockedBy,
        },
        data: {
          cursor: next.cursor,
          read: { increment: nodes.length },
          stored: { increment: payloads.length },
          attempts: 0,
          lockedUntil: next.done ? null : renewed,
          ...(next.done ? { status: "DONE", finishedAt: new Date(), lockedBy: null } : {}),
        },
      });
      if (held.count === 0) throw new Superseded();
      for (const payload of payloads) {
        const contactId = await recordBackfilledOrder(tx, shop, payload);
        if (contactId) contacts.add(contactId);
      }
      return tx.backfill.findUniqueOrThrow({ where: { id: state.id } });
    },
    // A batch is up to 100 orders of a few statements each.
    { timeout: 30_000 },
  );
  claim.lockedUntil = renewed;
  // One of them may have got a conversation before the commit: a staff reply from an older order's
  // page, an automation for an older order, writes the conversation (its search text read without
  // the batch's uncommitted orders) but not the contact the batch holds. Read again now that the
  // orders are committed. The batch is stored whatever happens here, and the next run goes on from
  // the next page: a failure is logged, and the other customers still get theirs.
  if (contacts.size) {
    const started = await db.conversation.findMany({ where: { shopId: state.shopId, contactId: { in: [...contacts] } }, select: { contactId: true } });
    for (const { contactId } of started) {
      await refreshSearchText(db, contactId).catch((error: unknown) =>
        log.warn({ err: error, backfillId: state.id }, "A conversation started during a backfill batch could not get the batch's order numbers in its search text"),
      );
    }
  }
  return stored;
}

/**
 * A shop with more orders than BACKFILL_BULK_ABOVE: Shopify exports them with
 * a bulk operation, the worker waits for it (renewing its claim) and reads the
 * JSONL file it produces. `read` counts the lines recorded, so a successor
 * skips them; a failed or expired export is started again.
 */
async function runBulkExport(deps: Deps, graphql: AdminGraphql, initial: BackfillRow, search: string, claim: Claim, options: { stopping?: () => boolean }): Promise<boolean> {
  const { db } = deps;
  let state = initial;
  if (!state.bulkOperationId) {
    const { bulkOperationRunQuery: started } = await graphql(BULK_RUN_MUTATION, { query: bulkOrdersQuery(search) });
    if (!started?.bulkOperation) throw new AdminGraphqlError(started?.userErrors.map((e) => ({ message: e.message })) ?? [{ message: "no bulk operation" }]);
    state = await db.backfill.update({
      where: { id: state.id },
      data: { bulkOperationId: started.bulkOperation.id },
    });
  }
  let url: string | null | undefined;
  for (;;) {
    await giveUpIfStopping(db, state.id, claim, options);
    const { bulkOperation } = await graphql(BULK_STATUS_QUERY, {
      id: state.bulkOperationId!,
    });
    if (!bulkOperation || ["FAILED", "CANCELED", "CANCELING", "EXPIRED"].includes(bulkOperation.status)) {
      await db.backfill.update({
        where: { id: state.id },
        data: { bulkOperationId: null },
      });
      throw new Error(`Shopify's bulk export ended ${bulkOperation?.status ?? "missing"} ${bulkOperation?.errorCode ?? ""}`.trim());
    }
    if (bulkOperation.status === "COMPLETED") {
      url = bulkOperation.url;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, BULK_POLL_MS));
    const renewed = new Date(Date.now() + CLAIM_MS);
    const held = await db.backfill.updateMany({
      where: { id: state.id, lockedUntil: claim.lockedUntil },
      data: { lockedUntil: renewed },
    });
    if (held.count === 0) throw new Superseded();
    claim.lockedUntil = renewed;
  }
  // No file: the export matched no order.
  if (!url) return (await storeOrders(db, state, claim, [], { cursor: null, done: true })).status === "DONE";
  const response = await fetch(url);
  if (!response.ok || !response.body) {
    // The file's link expires after a week: a refused download starts a new export.
    if (response.status >= 400 && response.status < 500)
      await db.backfill.update({
        where: { id: state.id },
        data: { bulkOperationId: null },
      });
    throw new Error(`Downloading Shopify's bulk export failed: HTTP ${response.status}`);
  }
  const lines = createInterface({
    input: Readable.fromWeb(response.body as WebReadableStream),
    crlfDelay: Infinity,
  });
  let skip = state.read;
  let batch: AppOrderFragment[] = [];
  for await (const line of lines) {
    if (!line.trim()) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    batch.push(parseExportLine(line));
    if (batch.length === PAGE_SIZE) {
      await giveUpIfStopping(db, state.id, claim, options);
      state = await storeOrders(db, state, claim, batch, {
        cursor: null,
        done: false,
      });
      batch = [];
    }
  }
  await storeOrders(db, state, claim, batch, { cursor: null, done: true });
  return true;
}

/** One order of a bulk export; a line that is not JSON fails the run without quoting it (it holds customer data). */
function parseExportLine(line: string): AppOrderFragment {
  try {
    return JSON.parse(line) as AppOrderFragment;
  } catch {
    throw new Error("A line of Shopify's bulk export is not JSON");
  }
}

/** The shop's backfill for the home page's progress bar; null before WhatsApp was connected. */
export async function backfillProgress(db: Db, shopId: string) {
  const row = await db.backfill.findUnique({ where: { shopId }, select: { status: true, total: true, read: true, stored: true, error: true } });
  return row && { status: row.status, total: row.total, read: row.read, stored: row.stored, authLost: row.error === AUTH_LOST };
}
