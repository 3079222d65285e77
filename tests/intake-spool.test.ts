// Webhook intake on SQLite while another process holds the write lock: the
// receipt is spooled, the webhook answered, and the receipt stored (once)
// and handled when the lock is free; spools left by a process that ended are
// stored by the next one.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";

import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { sqliteFilePath } from "../app/core/database-url";
import type { Db } from "../app/core/db.server";
import { pendingSpools, storeLeftoverSpools } from "../app/jobs/intake-spool.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { createTestDb, testDatabaseUrl, testProvider } from "./helpers/db";
// Straight to the app: the test helper's post waits for the spool to be stored, which this test holds up on purpose.
import { postShopifyWebhook } from "../sandbox/shopify-webhooks";
import { simJson } from "./helpers/http";
import { orderPayload } from "./helpers/shopify-payloads";

const spoolsBeside = (databaseFile: string) => readdirSync(path.dirname(databaseFile)).filter((name) => name.startsWith(`${path.basename(databaseFile)}.intake-spool.`));

async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(testProvider() !== "sqlite")("webhook intake while SQLite is locked by another process", () => {
  let sandbox: Sandbox;
  let databaseFile: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() } });
    databaseFile = sqliteFilePath(sandbox.env.DATABASE_URL);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("answers at once, then stores the delivery once and sends its confirmation when the lock is free", async () => {
    const eventId = crypto.randomUUID();
    const order = orderPayload({ id: 7_700_001, name: "#7701", customer: { id: 7_700_002, first_name: "Lucía", phone: "+5491155550101" } });
    const body = JSON.stringify(order);
    // Another process (the worker, a long transaction) holds SQLite's write lock.
    const holder = new Database(databaseFile);
    holder.exec("BEGIN IMMEDIATE");
    let statuses: number[];
    try {
      const first = await postShopifyWebhook(sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body, eventId });
      // Shopify repeats a delivery it is unsure of: the repeat is answered too.
      const repeat = await postShopifyWebhook(sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body, eventId });
      statuses = [first.status, repeat.status];
      // Answered while the lock was still held: nothing in the table yet, the delivery is in the spool.
      expect(holder.prepare("SELECT count(*) AS n FROM WebhookReceipt WHERE dedupeKey = ?").get(eventId)).toEqual({ n: 0 });
      expect(spoolsBeside(databaseFile).length).toBeGreaterThan(0);
    } finally {
      holder.exec("ROLLBACK");
      holder.close();
    }
    expect(statuses).toEqual([200, 200]);

    const receipts = await waitFor(
      () => sandbox.db.webhookReceipt.findMany({ where: { source: "SHOPIFY", dedupeKey: eventId } }),
      (rows) => rows.length > 0 && rows[0]!.status !== "RECEIVED",
    );
    expect(receipts).toHaveLength(1);
    expect(receipts[0]).toMatchObject({ topic: "ORDERS_CREATE", status: "PROCESSED" });
    const sent = await waitFor(
      () => simJson<{ to: string; template?: { name: string } }[]>(sandbox.simUrl, "messages"),
      (messages) => messages.some((m) => m.to === "5491155550101" && m.template?.name === "order_confirmation"),
    );
    expect(sent.filter((m) => m.to === "5491155550101" && m.template?.name === "order_confirmation")).toHaveLength(1);
    // The repeat, spooled behind the first, is stored as a duplicate: nothing is left in the spool.
    expect(
      await waitFor(
        async () => spoolsBeside(databaseFile),
        (files) => files.length === 0,
      ),
    ).toEqual([]);
    expect(await sandbox.db.webhookReceipt.count({ where: { source: "SHOPIFY", dedupeKey: eventId } })).toBe(1);
  });
});

describe.skipIf(testProvider() !== "sqlite")("spools left by a process that ended", () => {
  let db: Db;
  let databaseFile: string;

  beforeAll(async () => {
    const created = await createTestDb();
    db = created.db;
    databaseFile = sqliteFilePath(created.url);
  });
  afterAll(async () => {
    await db.$disconnect();
  });

  it("are stored by the next process, once, skipping a line cut short by the crash", async () => {
    const deadPid = spawnSync("true").pid;
    const live = process.pid;
    const line = (dedupeKey: string) => JSON.stringify({ source: "SHOPIFY", dedupeKey, topic: "ORDERS_CREATE", payload: "{}" });
    const leftover = `${databaseFile}.intake-spool.${deadPid}`;
    writeFileSync(leftover, `${line("left-1")}\n${line("left-2")}\n${line("left-1")}\n{"source":"SHOPIFY","dedu`);
    // A live process's spool is its own to store: left alone.
    const otherLive = `${databaseFile}.intake-spool.${live}`;
    writeFileSync(otherLive, `${line("mine-1")}\n`);
    // What a test or the sandbox waits for: the running process's spool, not the gone one's (the next start's).
    expect(pendingSpools(path.dirname(databaseFile), databaseFile)).toEqual([path.basename(otherLive)]);

    expect(await storeLeftoverSpools(db)).toBe(2);
    const rows = await db.webhookReceipt.findMany({ where: { dedupeKey: { in: ["left-1", "left-2", "mine-1"] } }, orderBy: { dedupeKey: "asc" } });
    expect(rows.map((r) => [r.dedupeKey, r.status])).toEqual([
      ["left-1", "RECEIVED"],
      ["left-2", "RECEIVED"],
    ]);
    expect(existsSync(leftover)).toBe(false);
    expect(existsSync(otherLive)).toBe(true);
    expect(await storeLeftoverSpools(db)).toBe(0);
    unlinkSync(otherLive);
  });
});
