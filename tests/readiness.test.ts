// /readyz: what an operator and a load balancer read. The database's counts of
// waiting work (in-process, real database), and over real HTTP with a real
// redis-server: the receipt jobs waiting on Redis, then Redis going away while
// the database still answers (reported, still 200). Skipped, with a message,
// when redis-server is not installed (.ci/run installs it).
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { readiness, type Readiness } from "../app/jobs/readiness.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { createShop, createTestDb, testDatabaseUrl } from "./helpers/db";
import { postShopifyWebhook } from "./helpers/http";
import { queuedRows } from "./helpers/messages";
import { redisServerPath, startRedis, type TestRedis } from "./helpers/redis";
import { orderPayload } from "./helpers/shopify-payloads";

const template = { id: null, name: "order_confirmation", language: "pt_BR" };

describe("readiness: the database's waiting work", () => {
  it("counts due receipts and messages with the oldest one's age, not future ones, and says Redis is not used without REDIS_URL", async () => {
    const { db } = await createTestDb();
    try {
      const now = new Date();
      const before = await readiness(db, {}, now);
      expect(before).toMatchObject({ ok: true, database: "ok", redis: "not used", receiptQueue: null });

      const shop = await createShop(db, `readyz-${Date.now()}.myshopify.com`);
      const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000);
      const receipt = (key: string, data: { status?: string; receivedAt: Date; nextAttemptAt: Date }) =>
        db.webhookReceipt.create({ data: { shopId: shop.id, source: "SHOPIFY", dedupeKey: `${shop.id}-${key}`, topic: "orders/create", payload: "{}", ...data } });
      // Due: a new receipt from 10 minutes ago. Not due: a retry whose time has not come, and one handled.
      await receipt("due", { receivedAt: ago(600), nextAttemptAt: ago(600) });
      await receipt("retry-later", { receivedAt: ago(900), nextAttemptAt: new Date(now.getTime() + 60_000) });
      await receipt("dead", { status: "DEAD", receivedAt: ago(3600), nextAttemptAt: ago(3600) });
      // Due: a confirmation queued 20 minutes ago. Not due: a send scheduled for tomorrow.
      await db.message.createMany({ data: queuedRows(shop.id, template, `readyz-${shop.id}`, 1, 30_000_000, { createdAt: ago(1200) }) });
      await db.message.createMany({
        data: queuedRows(shop.id, template, `readyz-later-${shop.id}`, 1, 30_000_001, { status: "SCHEDULED", createdAt: ago(7200), scheduledFor: new Date(now.getTime() + 86_400_000) }),
      });

      const after = await readiness(db, {}, now);
      expect(after.receiptsPending - before.receiptsPending).toBe(1);
      expect(after.receiptsDead - before.receiptsDead).toBe(1);
      expect(after.messagesDue - before.messagesDue).toBe(1);
      // A fresh database: the oldest due ones are these.
      expect(after.oldestReceiptAgeSeconds).toBe(600);
      expect(after.oldestMessageDueSeconds).toBe(1200);
    } finally {
      await db.$disconnect();
    }
  });
});

const redisBinary = redisServerPath();
if (!redisBinary) console.warn("Skipping the /readyz Redis test: redis-server is not installed (apt-get install redis-server; .ci/run does).");

describe.skipIf(!redisBinary)("GET /readyz with REDIS_URL", () => {
  let redis: TestRedis;
  let sandbox: Sandbox;

  beforeAll(async () => {
    redis = await startRedis();
    // The web process reads REDIS_URL from the environment; no worker consumes the queue, so jobs wait.
    process.env.REDIS_URL = redis.url;
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl(), DISPATCH_MODE: "off" } });
  });
  afterAll(async () => {
    await sandbox?.stop();
    await redis?.stop();
    delete process.env.REDIS_URL;
  });

  const readyz = async () => {
    const response = await fetch(`${sandbox.appUrl}/readyz`);
    return { status: response.status, cache: response.headers.get("cache-control"), body: (await response.json()) as Readiness };
  };

  it("reports the receipt jobs waiting on Redis, then Redis unreachable while the database answers", async () => {
    // The web process connects to Redis at the first probe; on a busy machine that may take longer than a probe waits.
    await expect.poll(async () => (await readyz()).body.redis, { timeout: 10_000 }).toBe("ok");
    const first = await readyz();
    expect(first).toMatchObject({ status: 200, cache: "no-store", body: { ok: true, database: "ok", redis: "ok" } });
    const waitingBefore = first.body.receiptQueue!.waiting;

    for (let i = 0; i < 3; i++) {
      const order = orderPayload({ id: 9_100_000 + i, name: `#RZ${i}`, customer: { id: 9_200_000 + i, first_name: "Ana", phone: `+55119${50_000_000 + i}` } });
      const response = await postShopifyWebhook(sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, {
        topic: "orders/create",
        shop: sandbox.shopDomain,
        body: JSON.stringify(order),
        eventId: `readyz-order-${i}`,
      });
      expect(response.status).toBe(200);
    }
    // At least these three: the simulators may deliver other webhooks of the shop meanwhile.
    await expect.poll(async () => (await readyz()).body.receiptQueue?.waiting ?? 0, { timeout: 10_000 }).toBeGreaterThanOrEqual(waitingBefore + 3);
    const queued = await readyz();
    expect(queued.body.receiptQueue).toMatchObject({ active: 0, failed: 0 });
    expect(queued.body.receiptQueue!.oldestWaitingSeconds).toBeGreaterThanOrEqual(0);
    expect(queued.body.receiptsPending).toBeGreaterThanOrEqual(3);

    await redis.stop();
    const away = await readyz();
    expect(away).toMatchObject({ status: 200, body: { ok: true, database: "ok", redis: "unreachable", receiptQueue: null } });
    expect(away.body.receiptsPending).toBeGreaterThanOrEqual(3);
  });
});
