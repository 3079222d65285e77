// The order backfill on connect: 2,500 orders of the last 60 days read from the
// Shopify simulator's Admin API through throttling, page by page, by a worker
// that is killed with SIGKILL halfway and replaced; every order with a phone is
// recorded exactly once, nothing is sent, and the home page shows the progress.
// Then: a bulk export, Shopify's outages, and (PostgreSQL) a conversation started
// while a batch is being stored, which still gets the batch's order numbers.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import type { Db } from "../app/core/db.server";
import { touchConversation } from "../app/messaging/conversations.server";
import { requestBackfill, runDueBackfills } from "../app/shopify/admin/backfill.server";
import { ADMIN_API_VERSION } from "../app/shopify/admin/endpoint.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { sandboxOfflineToken } from "../sandbox/seed";
import { testDatabaseUrl, testProvider } from "./helpers/db";
import { BROWSER_UA, simJson } from "./helpers/http";
import { orderPayload } from "./helpers/shopify-payloads";
import { WorkerFleet } from "./helpers/worker-process";

const DAY_MS = 24 * 60 * 60 * 1000;
const IN_WINDOW = 2_500;
const WITHOUT_PHONE = 200;
const TOO_OLD = 40;

describe("order backfill when WhatsApp is connected", () => {
  let sandbox: Sandbox;
  const fleet = new WorkerFleet(() => sandbox.env);

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl(), DISPATCH_MODE: "off" } });
    const now = Date.now();
    for (let i = 0; i < IN_WINDOW + TOO_OLD; i++) {
      const old = i >= IN_WINDOW;
      const noPhone = i < WITHOUT_PHONE;
      const phone = `+55119${String(10_000_000 + i).slice(-8)}`;
      sandbox.shopify.store.placeOrder(
        sandbox.shopDomain,
        orderPayload({
          created_at: new Date(now - (old ? 70 * DAY_MS : ((i % 59) + 0.5) * DAY_MS)).toISOString(),
          customer: noPhone ? { id: 900_000 + i, first_name: "Sem", phone: null } : { id: 900_000 + i, first_name: "Bia", phone },
          shipping_address: noPhone ? { first_name: "Sem", phone: null, country_code: "BR" } : { first_name: "Bia", phone, country_code: "BR" },
          billing_address: null,
        }),
      );
    }
    // A small bucket that refills fast.
    await fetch(`${sandbox.shopify.url}/_sim/shopify/throttle`, { method: "POST", body: JSON.stringify({ maximumAvailable: 1000, restoreRate: 1000 }) });
  });
  afterAll(async () => {
    await fleet.stopAll();
    await sandbox?.stop();
  });

  const progress = (shopId: string) => sandbox.db.backfill.findUniqueOrThrow({ where: { shopId } });
  const pages = () => sandbox.shopify.calls.filter((c) => c.operation === "OrdersSince");
  /**
   * Another caller of the app spends the shop's bucket (Shopify's is the app's in that shop) until a backfill page is
   * throttled. Left alone, a busy machine stores a page slower than the bucket refills, and no page ever is.
   */
  const spendBucketUntilAPageIsThrottled = async () => {
    for (const deadline = Date.now() + 60_000; !pages().some((c) => c.throttled) && Date.now() < deadline;) {
      const response = await fetch(`${sandbox.shopify.url}/admin/api/${ADMIN_API_VERSION}/graphql.json`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-shopify-access-token": sandboxOfflineToken(sandbox.shopDomain) },
        body: JSON.stringify({ query: "query Elsewhere { orders(first: 250) { nodes { id name } } }" }),
      });
      expect(response.status).toBe(200);
      const { extensions } = (await response.json()) as { extensions: { cost: { throttleStatus: { currentlyAvailable: number } } } };
      if (extensions.cost.throttleStatus.currentlyAvailable < 100) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const homePage = async () => (await fetch(sandbox.adminUrl("/app"), { headers: { "user-agent": BROWSER_UA } })).text();

  // Its waits (90 s for half the pages, 120 s for the rest) are longer than the suite's 60 s default.
  it("loads every order with a phone once, through throttling and a killed worker, and sends nothing", { timeout: 300_000 }, async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    await requestBackfill(sandbox.db, shop.id);

    const first = fleet.start({ ZAP_PROCESS: "backfill-1" });
    await spendBucketUntilAPageIsThrottled();
    await expect.poll(async () => (await progress(shop.id)).read, { timeout: 90_000, interval: 100 }).toBeGreaterThanOrEqual(IN_WINDOW / 2);
    first.child.kill("SIGKILL");
    const atKill = await progress(shop.id);
    expect(atKill.status).toBe("RUNNING");
    expect(atKill.read).toBeLessThan(IN_WINDOW);
    expect(await homePage()).toContain(`Loading your orders from the last 60 days:`);

    fleet.start({ ZAP_PROCESS: "backfill-2" });
    await expect.poll(async () => (await progress(shop.id)).status, { timeout: 120_000, interval: 250 }).toBe("DONE");

    const done = await progress(shop.id);
    expect(done).toMatchObject({ total: IN_WINDOW, read: IN_WINDOW, stored: IN_WINDOW - WITHOUT_PHONE, lockedUntil: null });
    const orders = await sandbox.db.order.findMany({ where: { shopId: shop.id }, select: { phone: true, customerName: true } });
    expect(orders).toHaveLength(IN_WINDOW - WITHOUT_PHONE);
    expect(orders.every((o) => o.phone?.startsWith("+5511") && o.customerName === "Bia")).toBe(true);
    expect(await sandbox.db.message.count({ where: { shopId: shop.id } })).toBe(0);
    expect(await simJson<unknown[]>(sandbox.simUrl, "messages")).toEqual([]);

    // A throttled page was read again once the bucket held its cost, and the second worker carried on from the last
    // stored page: at most the one page in flight at the kill was read twice.
    expect(pages().some((c) => c.throttled)).toBe(true);
    expect(pages().filter((c) => !c.throttled).length).toBeLessThanOrEqual(IN_WINDOW / 100 + 1);

    expect(await homePage()).toContain(`${(IN_WINDOW - WITHOUT_PHONE).toLocaleString("en")} of your ${IN_WINDOW.toLocaleString("en")} orders`);
    // Connecting again later does not load them a second time.
    await requestBackfill(sandbox.db, shop.id);
    expect((await progress(shop.id)).status).toBe("DONE");
  });
});

describe("order backfill of a large shop, through a bulk operation", () => {
  let sandbox: Sandbox;
  const fleet = new WorkerFleet(() => sandbox.env);
  const ORDERS = 300;
  const NO_PHONE = 50;

  beforeAll(async () => {
    // Above 100 orders the backfill asks Shopify for a bulk export (10,000 by default).
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl(), DISPATCH_MODE: "off", BACKFILL_BULK_ABOVE: "100" } });
    for (let i = 0; i < ORDERS; i++) {
      const phone = i < NO_PHONE ? null : `+55219${String(20_000_000 + i).slice(-8)}`;
      sandbox.shopify.store.placeOrder(
        sandbox.shopDomain,
        orderPayload({
          created_at: new Date(Date.now() - (i % 50) * DAY_MS).toISOString(),
          customer: { id: 800_000 + i, first_name: "Caio", phone },
          shipping_address: { first_name: "Caio", phone, country_code: "BR" },
          billing_address: null,
        }),
      );
    }
  });
  afterAll(async () => {
    await fleet.stopAll();
    await sandbox?.stop();
  });

  it("runs bulkOperationRunQuery, waits for it, and records the JSONL export's orders", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    await requestBackfill(sandbox.db, shop.id);
    fleet.start({ ZAP_PROCESS: "bulk-backfill" });
    await expect.poll(async () => (await sandbox.db.backfill.findUniqueOrThrow({ where: { shopId: shop.id } })).status, { timeout: 60_000, interval: 250 }).toBe("DONE");
    expect(await sandbox.db.backfill.findUniqueOrThrow({ where: { shopId: shop.id } })).toMatchObject({
      total: ORDERS,
      read: ORDERS,
      stored: ORDERS - NO_PHONE,
      bulkOperationId: expect.stringMatching(/^gid:\/\/shopify\/BulkOperation\//),
    });
    expect(await sandbox.db.order.count({ where: { shopId: shop.id } })).toBe(ORDERS - NO_PHONE);
    const operations = sandbox.shopify.calls.map((c) => c.operation);
    expect(operations).toContain("BulkOrdersRun");
    expect(operations).toContain("BulkOrdersStatus");
    expect(operations).not.toContain("OrdersSince");
    expect(await sandbox.db.message.count({ where: { shopId: shop.id } })).toBe(0);
  });
});

describe("order backfill through Shopify outages", () => {
  let sandbox: Sandbox;
  const fleet = new WorkerFleet(() => sandbox.env);
  const ORDERS = 350;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl(), DISPATCH_MODE: "off" } });
    for (let i = 0; i < ORDERS; i++) {
      const phone = `+55319${String(30_000_000 + i).slice(-8)}`;
      sandbox.shopify.store.placeOrder(
        sandbox.shopDomain,
        orderPayload({
          created_at: new Date(Date.now() - ((i % 50) + 0.5) * DAY_MS).toISOString(),
          customer: { id: 700_000 + i, first_name: "Lia", phone },
          shipping_address: { first_name: "Lia", phone, country_code: "BR" },
          billing_address: null,
        }),
      );
    }
  });
  afterAll(async () => {
    await fleet.stopAll();
    await sandbox?.stop();
  });

  it("gives up only after failures in a row: a stored page starts the count again", { timeout: 180_000 }, async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    await requestBackfill(sandbox.db, shop.id);
    // Four runs of this backfill already failed (Shopify away each time), one short of giving up.
    await sandbox.db.backfill.update({ where: { shopId: shop.id }, data: { attempts: 4 } });
    // The first page is read; then Shopify answers 503 to the second and to each of the Admin client's 4 retries.
    const outage = await fetch(`${sandbox.shopify.url}/_sim/shopify/outage`, { method: "POST", body: JSON.stringify({ operation: "OrdersSince", after: 1, calls: 5 }) });
    expect(outage.status).toBe(200);

    fleet.start({ ZAP_PROCESS: "backfill-outage" });
    const progress = () => sandbox.db.backfill.findUniqueOrThrow({ where: { shopId: shop.id } });
    // Until the run stops after its first page: waiting to try again (no worker holds it), or given up.
    const stoppedAfterAPage = (p: Awaited<ReturnType<typeof progress>>) => (p.read > 0 && p.lockedBy === null) || p.status === "FAILED";
    await expect.poll(async () => stoppedAfterAPage(await progress()), { timeout: 60_000, interval: 100 }).toBe(true);
    const stopped = await progress();
    expect(stopped).toMatchObject({ status: "RUNNING", read: 100, attempts: 1, error: null, lockedBy: null });
    // It waits a minute before trying again; the minute passes.
    expect(stopped.lockedUntil!.getTime()).toBeGreaterThan(Date.now());
    await sandbox.db.backfill.update({ where: { shopId: shop.id }, data: { lockedUntil: new Date(Date.now() - 1000) } });

    await expect.poll(async () => (await progress()).status, { timeout: 60_000, interval: 250 }).toBe("DONE");
    expect(await progress()).toMatchObject({ total: ORDERS, read: ORDERS, stored: ORDERS, attempts: 0, error: null });
    expect(await sandbox.db.order.count({ where: { shopId: shop.id } })).toBe(ORDERS);
  });
});

// On PostgreSQL a conversation can start while a backfill batch holding the customer's order is
// being stored: a staff reply from an older order's page, or an automation for one, writes the
// conversation but not the contact row the batch holds, so it does not wait for the batch, and the
// search text it reads cannot see the uncommitted order. (SQLite has one writer: it waits for the
// batch's commit.)
describe.skipIf(testProvider() !== "postgresql")("order backfill while a conversation starts", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl(), DISPATCH_MODE: "off" } });
    // The backfill runs in this process, as in a worker started with the sandbox's environment: its
    // Admin client reads the configuration (config(), kept from its first read), so the environment
    // is in place before the backfill's first call.
    for (const [name, value] of Object.entries(sandbox.env)) if (value !== undefined) vi.stubEnv(name, value);
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await sandbox?.stop();
  });

  it("puts the batch's order in the search text of the conversation started meanwhile", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const phone = "+5511987650001";
    // The customer is known (an earlier order); their order from last week is not recorded yet.
    const contact = await sandbox.db.contact.create({ data: { shopId: shop.id, phoneE164: phone, name: "Clara Reis" } });
    sandbox.shopify.store.placeOrder(
      sandbox.shopDomain,
      orderPayload({
        name: "#3001",
        created_at: new Date(Date.now() - 7 * DAY_MS).toISOString(),
        customer: { id: 600_001, first_name: "Clara", last_name: "Reis", phone },
        shipping_address: { first_name: "Clara", phone, country_code: "BR" },
        billing_address: null,
      }),
    );
    await requestBackfill(sandbox.db, shop.id);
    // The batch's transaction records the order (and finds no conversation to put its number in); before it
    // commits, a conversation starts on another connection, as a staff reply or an automation starts it.
    let orderRecorded = false;
    let messageArrived = false;
    const backfillDb = sandbox.db.$extends({
      query: {
        order: {
          upsert: async ({ args, query }) => {
            const order = await query(args);
            orderRecorded = true;
            return order;
          },
        },
        backfill: {
          // The transaction's last statement reads the backfill's progress.
          findUniqueOrThrow: async ({ args, query }) => {
            if (orderRecorded && !messageArrived) {
              messageArrived = true;
              const now = new Date();
              await touchConversation(sandbox.db, {
                shopId: shop.id,
                contactId: contact.id,
                direction: "OUT",
                source: "STAFF",
                status: "SENDING",
                changeKind: null,
                type: "text",
                body: "Olá Clara",
                occurredAt: now,
                createdAt: now,
              });
            }
            return query(args);
          },
        },
      },
    }) as unknown as Db;

    expect(await runDueBackfills({ db: backfillDb, config: sandbox.config })).toBe(1);

    expect(messageArrived).toBe(true);
    expect(await sandbox.db.order.count({ where: { shopId: shop.id, contactId: contact.id, name: "#3001" } })).toBe(1);
    const { searchText } = await sandbox.db.conversation.findUniqueOrThrow({ where: { contactId: contact.id }, select: { searchText: true } });
    expect(searchText.split(" ")).toEqual(expect.arrayContaining(["clara", "reis", "#3001"]));
  });
});
