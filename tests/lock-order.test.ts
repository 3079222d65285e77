// Two workers applying status batches that share rows must wait in line, not
// in a cycle, and so must a customer's erasure and a status batch for their
// messages; a worker claiming due rows must not wait for rows another
// transaction holds (claims waiting on each other deadlocked in bench:scale).
// On PostgreSQL a statement that changes several rows locks them in the order
// its plan reads them: through an index in key order, through a scan of the
// table in row order. Here one worker's session reads through the index and
// the other's through the table, the rows' physical order is the reverse of
// their key order, and another transaction holds the first row until both
// workers wait for it. Locked in key order, they then finish one after the
// other; locked as each plan reads, PostgreSQL finds a deadlock and rolls one
// back. (SQLite's writing transactions take the whole database one at a time:
// there is nothing to order.)
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createDb, type Db } from "../app/core/db.server";
import { STATUS_RANK } from "../app/core/domain";
import type { Prisma } from "../app/generated/prisma/client";
import { claimDue } from "../app/messaging/claims.server";
import { applyStatusesIn, messageTransaction, type StatusUpdate } from "../app/messaging/messages.server";
import { redactCustomer } from "../app/shopify/redaction.server";
import { createShop, createTestDb, testProvider } from "./helpers/db";

const TZ = "America/Sao_Paulo";
const utility = { category: "utility", type: "regular", billable: true };
const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 12, minute));

/** The same database, with the session's planner told to read through indexes, or through the tables. */
function withPlan(url: string, plan: "index" | "table"): string {
  const settings = plan === "index" ? ["enable_seqscan=off", "enable_bitmapscan=off"] : ["enable_indexscan=off", "enable_indexonlyscan=off", "enable_bitmapscan=off"];
  const withOptions = new URL(url);
  withOptions.searchParams.set("options", settings.map((setting) => `-c ${setting}`).join(" "));
  return withOptions.toString();
}

describe.skipIf(testProvider() !== "postgresql")("workers sharing rows on PostgreSQL", () => {
  let db: Db;
  let url: string;
  let byIndex: Db;
  let byTable: Db;
  /** Another transaction, which holds a row until both workers wait for it. */
  let holder: pg.Client;
  /** A session that watches the others (a transaction would see one snapshot of them). */
  let observer: pg.Client;

  beforeAll(async () => {
    ({ db, url } = await createTestDb());
    byIndex = createDb(withPlan(url, "index"));
    byTable = createDb(withPlan(url, "table"));
    holder = new pg.Client({ connectionString: url });
    observer = new pg.Client({ connectionString: url });
    await Promise.all([holder.connect(), observer.connect()]);
  });
  afterAll(async () => {
    await Promise.all([holder.end(), observer.end()]);
    await Promise.all([byIndex.$disconnect(), byTable.$disconnect(), db.$disconnect()]);
  });

  async function numberWithTemplate(name: string) {
    const shop = await createShop(db, `${name}.myshopify.com`);
    await db.shop.update({ where: { id: shop.id }, data: { timezone: TZ } });
    await db.whatsAppAccount.create({ data: { shopId: shop.id, wabaId: `waba-${name}`, phoneNumberId: `pn-${name}`, currency: "USD", timezone: TZ, onboardingState: "CONNECTED" } });
    const template = await db.template.create({
      data: { shopId: shop.id, metaTemplateId: `tpl-${name}`, name: "order_confirmation", language: "pt_BR", category: "UTILITY", status: "APPROVED", components: "[]" },
    });
    return { shopId: shop.id, templateId: template.id };
  }

  /** An order confirmation of the shop's template, in the state `fields` give it. */
  const confirmation = (shopId: string, templateId: string, fields: Pick<Prisma.MessageUncheckedCreateInput, "status" | "statusRank"> & Partial<Prisma.MessageUncheckedCreateInput>) =>
    db.message.create({ data: { shopId, direction: "OUT", source: "AUTOMATION", type: "template", templateId, templateName: "order_confirmation", templateLanguage: "pt_BR", ...fields } });

  /**
   * An order confirmation Meta accepted as `wamid`, written in one insert: rows
   * inserted one after another into a new table's page, and never changed,
   * stay in that order in the table.
   */
  async function accepted(shopId: string, templateId: string, orderId: string, wamid: string) {
    const message = await confirmation(shopId, templateId, { market: "Brazil", orderId, wamid, status: "SENT", statusRank: STATUS_RANK.SENT });
    return message.id;
  }

  /** Sessions of the database waiting for a row another transaction holds. */
  async function waiting(): Promise<number> {
    const { rows } = await observer.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event IN ('transactionid', 'tuple')`,
    );
    return Number(rows[0]!.n);
  }

  /** Until `count` sessions wait for a row, or `done` (the work that could wait) has finished. */
  async function untilWaiting(count: number, done?: Promise<unknown>): Promise<void> {
    let finished = false;
    void done?.then(() => (finished = true));
    const deadline = Date.now() + 10_000;
    while (!finished && (await waiting()) < count) {
      if (Date.now() > deadline) throw new Error(`${count} sessions never waited for a lock`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /**
   * The holder locks `held` (the row both batches need first in key order);
   * the worker reading through the index starts its batch and waits for it,
   * then the one reading through the table starts its batch and waits too
   * (holding what it locked before); then the holder lets go.
   */
  async function batchesAfterHolder(held: { table: "Message" | "Order"; id: string }, shopId: string, viaIndex: StatusUpdate[], viaTable: StatusUpdate[]) {
    await holder.query("BEGIN");
    // A share lock leaves the row as it is: the first worker, woken, goes on with it, and the
    // second waits behind that one (a changed row would first send both back to find its new version).
    await holder.query(`SELECT 1 FROM "${held.table}" WHERE "id" = $1 FOR SHARE`, [held.id]);
    const first = messageTransaction(byIndex, (ledger) => applyStatusesIn(ledger, shopId, viaIndex));
    await untilWaiting(1);
    const second = messageTransaction(byTable, (ledger) => applyStatusesIn(ledger, shopId, viaTable));
    await untilWaiting(2);
    await holder.query("COMMIT");
    return Promise.allSettled([first, second]);
  }

  it("status batches lock the messages they share in wamid order", async () => {
    const { shopId, templateId } = await numberWithTemplate("shared-messages");
    const order = await db.order.create({ data: { shopId, shopifyOrderId: "1", name: "#1001", currency: "BRL" } });
    // The shop's other messages make its wamid index the plan's way to two of them.
    for (let i = 0; i < 40; i++) await accepted(shopId, templateId, order.id, `wamid.other.${i}`);
    // The message with the later wamid is written first, so the table holds it first.
    const later = await accepted(shopId, templateId, order.id, "wamid.shared.b");
    const earlier = await accepted(shopId, templateId, order.id, "wamid.shared.a");
    await observer.query(`ANALYZE "Message"`);
    const { rows } = await observer.query<{ wamid: string }>(`SELECT "wamid" FROM "Message" WHERE "shopId" = $1 AND "wamid" LIKE 'wamid.shared.%' ORDER BY ctid`, [shopId]);
    expect(rows.map((row) => row.wamid)).toEqual(["wamid.shared.b", "wamid.shared.a"]);
    const plan = async (session: Db) =>
      JSON.stringify(await session.$queryRawUnsafe(`EXPLAIN UPDATE "Message" SET "updatedAt" = now() WHERE "shopId" = $1 AND "wamid" IN ('wamid.shared.a', 'wamid.shared.b')`, shopId));
    expect(await plan(byIndex)).toContain("Message_shopId_wamid_key");
    expect(await plan(byTable)).toContain("Seq Scan");

    const statuses = (status: "delivered" | "read", minute: number): StatusUpdate[] =>
      ["wamid.shared.a", "wamid.shared.b"].map((wamid) => ({ wamid, status, occurredAt: at(minute), ...(status === "delivered" ? { pricing: utility } : {}) }));
    const outcomes = await batchesAfterHolder({ table: "Message", id: earlier }, shopId, statuses("delivered", 1), statuses("read", 2));

    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "fulfilled"]);
    const messages = await db.message.findMany({ where: { id: { in: [earlier, later] } }, select: { status: true, costState: true } });
    expect(messages).toEqual([
      { status: "READ", costState: "CHARGED" },
      { status: "READ", costState: "CHARGED" },
    ]);
    expect(await db.messageStatusEvent.count({ where: { shopId } })).toBe(4);
  });

  // Both workers also share-lock the orders as they change their messages (the foreign key), so
  // when the holder lets go, both wake and which one takes the first order is the scheduler's
  // choice: the deadlock needs the worker reading through the index to win. Four rounds.
  it.each([0, 1, 2, 3])("status batches lock the orders whose totals they share in key order (round %i)", async (round) => {
    const { shopId, templateId } = await numberWithTemplate(`shared-orders-${round}`);
    // The order with the higher key is written first, so the table holds it first.
    const high = await db.order.create({ data: { id: `order-${round}-b`, shopId, shopifyOrderId: "2", name: "#1002", currency: "BRL" } });
    const low = await db.order.create({ data: { id: `order-${round}-a`, shopId, shopifyOrderId: "1", name: "#1001", currency: "BRL" } });
    // Each batch delivers one message of each order (distinct messages, shared orders).
    const wamids = { index: [`wamid.${round}.1`, `wamid.${round}.2`], table: [`wamid.${round}.3`, `wamid.${round}.4`] };
    for (const batch of [wamids.index, wamids.table]) {
      await accepted(shopId, templateId, low.id, batch[0]!);
      await accepted(shopId, templateId, high.id, batch[1]!);
    }
    const { rows } = await observer.query<{ id: string }>(`SELECT "id" FROM "Order" WHERE "shopId" = $1 ORDER BY ctid`, [shopId]);
    expect(rows.map((row) => row.id)).toEqual([high.id, low.id]);
    const plan = async (session: Db) => JSON.stringify(await session.$queryRawUnsafe(`EXPLAIN UPDATE "Order" SET "updatedAt" = now() WHERE "id" IN ($1, $2)`, low.id, high.id));
    expect(await plan(byIndex)).toContain("Order_pkey");
    expect(await plan(byTable)).toContain("Seq Scan");

    const delivered = (batch: string[]): StatusUpdate[] => batch.map((wamid) => ({ wamid, status: "delivered", occurredAt: at(1), pricing: utility }));
    const outcomes = await batchesAfterHolder({ table: "Order", id: low.id }, shopId, delivered(wamids.index), delivered(wamids.table));

    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "fulfilled"]);
    const charged = await db.message.findMany({ where: { shopId }, select: { orderId: true, costMicros: true, costState: true } });
    expect(charged.every((message) => message.costState === "CHARGED")).toBe(true);
    // Each batch owed both orders the same, so each wrote them in one statement.
    expect(new Set(charged.map((message) => message.costMicros)).size).toBe(1);
    for (const order of [low, high]) {
      const { whatsappCostMicros } = await db.order.findUniqueOrThrow({ where: { id: order.id }, select: { whatsappCostMicros: true } });
      const owed = charged.filter((message) => message.orderId === order.id).reduce((sum, message) => sum + (message.costMicros ?? 0), 0);
      expect(owed).toBeGreaterThan(0);
      expect(whatsappCostMicros).toBe(BigInt(owed));
    }
  });

  it("erasing a customer locks their messages in wamid order, as status batches do", async () => {
    const { shopId, templateId } = await numberWithTemplate("redacted-customer");
    const shop = await db.shop.findUniqueOrThrow({ where: { id: shopId } });
    const contact = await db.contact.create({ data: { shopId, phoneE164: "+5511999990003", name: "Renata Lima" } });
    const order = await db.order.create({ data: { shopId, shopifyOrderId: "3", name: "#1003", currency: "BRL", contactId: contact.id } });
    // The message with the later wamid is written first, so the table holds it first.
    const later = await accepted(shopId, templateId, order.id, "wamid.redact.b");
    const earlier = await accepted(shopId, templateId, order.id, "wamid.redact.a");
    await db.message.updateMany({ where: { id: { in: [earlier, later] } }, data: { contactId: contact.id } });
    const { rows } = await observer.query<{ wamid: string }>(`SELECT "wamid" FROM "Message" WHERE "shopId" = $1 ORDER BY ctid`, [shopId]);
    expect(rows.map((row) => row.wamid)).toEqual(["wamid.redact.b", "wamid.redact.a"]);

    // The holder key-share-locks the earlier message (as a foreign key does): erasing waits for it, a
    // status batch does not. The customer's erasure goes first, reading through the table; then a
    // status batch for both messages. Locked as the table is read, the erasure would hold the later
    // message while waiting for the earlier one, which the batch takes while waiting for the later.
    await holder.query("BEGIN");
    await holder.query(`SELECT 1 FROM "Message" WHERE "id" = $1 FOR KEY SHARE`, [earlier]);
    const erasure = redactCustomer(byTable, shop, { id: 3, phone: "+5511999990003" }, ["3"]);
    await untilWaiting(1);
    const statuses: StatusUpdate[] = ["wamid.redact.a", "wamid.redact.b"].map((wamid) => ({ wamid, status: "delivered", occurredAt: at(1), pricing: utility }));
    const batch = messageTransaction(byIndex, (ledger) => applyStatusesIn(ledger, shopId, statuses));
    await untilWaiting(
      2,
      batch.then(
        () => undefined,
        () => undefined,
      ),
    );
    await holder.query("COMMIT");
    const outcomes = await Promise.allSettled([erasure, batch]);

    expect(outcomes.map((outcome) => (outcome.status === "rejected" ? String(outcome.reason) : outcome.status))).toEqual(["fulfilled", "fulfilled"]);
    expect(await db.message.count({ where: { shopId } })).toBe(0);
    expect(await db.messageStatusEvent.count({ where: { shopId } })).toBe(0);
    expect(await db.contact.count({ where: { shopId } })).toBe(0);
  });

  it("claims pass over the due rows another transaction holds instead of waiting for them", async () => {
    const { shopId, templateId } = await numberWithTemplate("shared-claims");
    const queued = (id: string, recipientPhone: string) => confirmation(shopId, templateId, { id, recipientPhone, status: "QUEUED", statusRank: STATUS_RANK.QUEUED });
    // The row with the higher id is written first, so the table holds it first.
    await queued("claim-shared-b", "+5511999990002");
    await queued("claim-shared-a", "+5511999990001");
    const { rows } = await observer.query<{ id: string }>(`SELECT "id" FROM "Message" WHERE "shopId" = $1 ORDER BY ctid`, [shopId]);
    expect(rows.map((row) => row.id)).toEqual(["claim-shared-b", "claim-shared-a"]);

    // Another transaction holds one of the due rows. One worker claims, then the other (reading
    // through the index and through the table, as the old claim's deadlock needed); each either
    // waits for a row or is done before the holder lets go.
    await holder.query("BEGIN");
    await holder.query(`SELECT 1 FROM "Message" WHERE "id" = 'claim-shared-a' FOR SHARE`);
    const claim = (session: Db, leaseId: string) => claimDue(session, { batchSize: 10, lockMs: 60_000, leaseId });
    const settled = (promise: Promise<unknown>) =>
      promise.then(
        () => true,
        () => true,
      );
    const first = claim(byIndex, "lease-index");
    await untilWaiting(1, settled(first));
    const second = claim(byTable, "lease-table");
    await untilWaiting(2, Promise.all([settled(first), settled(second)]));
    await holder.query("COMMIT");
    const outcomes = await Promise.allSettled([first, second]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(["fulfilled", "fulfilled"]);
    const [byIndexClaimed, byTableClaimed] = outcomes.map((outcome) => (outcome.status === "fulfilled" ? outcome.value.map((message) => message.id) : []));
    expect(byIndexClaimed).toEqual(["claim-shared-b"]);
    expect(byTableClaimed).toEqual([]);
    const rowsAfter = await db.message.findMany({ where: { shopId }, orderBy: { id: "asc" }, select: { id: true, status: true, claimedBy: true, attempts: true } });
    expect(rowsAfter).toEqual([
      { id: "claim-shared-a", status: "QUEUED", claimedBy: null, attempts: 0 },
      { id: "claim-shared-b", status: "SENDING", claimedBy: "lease-index", attempts: 1 },
    ]);
  });
});
