// The Redis engine (REDIS_URL): intake queues receipts on BullMQ, any number of
// worker processes take them, and each number's pace is shared through Redis.
// Two real worker processes against one database and a real redis-server
// (skipped, with a message, when redis-server is not installed; .ci/run installs it).
// claimDue's fairness and priority are checked in-process without Redis.

import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { encryptSecret } from "../app/core/crypto.server";
import { claimDue } from "../app/messaging/claims.server";
import { STATUS_RANK } from "../app/core/domain";
import { QUEUE_PREFIX, RECEIPTS_QUEUE } from "../app/jobs/queue.server";
import { RedisRateLimiter } from "../app/jobs/redis-limiter.server";
import { closeRedisConnections } from "../app/jobs/redis.server";
import { SendRateLimiter } from "../app/messaging/send-pacing.server";
import { receiveMetaWebhook } from "../app/whatsapp/webhooks.server";
import { processDueReceipts } from "../app/jobs/worker.server";
import { graphClient } from "../app/whatsapp/client.server";
import { metaSignature } from "../sandbox/simulator/signing";
import { createLibraryTemplates, syncTemplates } from "../app/whatsapp/templates.server";
import { WhatsAppClient } from "../app/whatsapp/client.server";
import { parseConfig } from "../app/core/config.server";
import { sandboxEnv, startSandbox, type Sandbox } from "../sandbox/harness";
import { installShop } from "../sandbox/seed";
import { createShop, createTestDb, testDatabaseUrl, testProvider } from "./helpers/db";
import { metaEnvelope, postShopifyWebhook, simJson } from "./helpers/http";
import { sessionsByName } from "./helpers/postgres";
import { redisServerPath, startRedis, type TestRedis } from "./helpers/redis";
import { orderPayload } from "./helpers/shopify-payloads";
import { queuedRows } from "./helpers/messages";
import { WorkerFleet } from "./helpers/worker-process";

const CAP = 10;

/** The most sends the simulator accepted for one number in any one-second window. */
function busiestSecond(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let start = 0, end = 0; end < sorted.length; end++) {
    while (sorted[end]! - sorted[start]! >= 1000) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describe("claimDue: fair across shops, utility before marketing", () => {
  it("gives another shop's order confirmation a place in the next batch despite a 300-row backlog, and utility rows before marketing", async () => {
    const { db } = await createTestDb();
    try {
      const busy = await createShop(db, "busy.myshopify.com");
      const quiet = await createShop(db, "quiet.myshopify.com");
      const checkout = await db.checkout.create({ data: { shopId: busy.id, shopifyCheckoutId: "c1", lastUpdatedAt: new Date() } });
      const template = { id: null, name: "order_confirmation", language: "pt_BR" };
      const old = new Date(Date.now() - 60_000);
      // The busy shop: 150 cart reminders (marketing) queued first, then 150 order updates; the quiet shop's one confirmation last.
      await db.message.createMany({ data: queuedRows(busy.id, template, "cart", 150, 10_000_000, { checkoutId: checkout.id, createdAt: old }) });
      await db.message.createMany({ data: queuedRows(busy.id, template, "order", 150, 11_000_000, { createdAt: new Date(old.getTime() + 1000) }) });
      await db.message.createMany({ data: queuedRows(quiet.id, template, "quiet", 1, 12_000_000) });

      const first = await claimDue(db, { batchSize: 50, lockMs: 60_000, ratePerSecond: CAP });
      const quietAt = first.findIndex((m) => m.shopId === quiet.id);
      expect(quietAt).toBeGreaterThanOrEqual(0);
      expect(quietAt).toBeLessThan(2);
      // A second of the busy number's sends (what its pace lets go in one), not the whole batch: the next pass comes soon.
      expect(first.filter((m) => m.shopId === busy.id)).toHaveLength(Math.floor(CAP * SendRateLimiter.SAFETY));
      expect(first.every((m) => m.checkoutId === null)).toBe(true);

      await db.message.updateMany({ where: { shopId: busy.id, checkoutId: null }, data: { status: "SENT", statusRank: STATUS_RANK.SENT } });
      const next = await claimDue(db, { batchSize: 50, lockMs: 60_000, ratePerSecond: CAP });
      expect(next.length).toBeGreaterThan(0);
      expect(next.every((m) => m.shopId === busy.id && m.checkoutId === checkout.id)).toBe(true);
    } finally {
      await db.$disconnect();
    }
  });
});

describe("REDIS_URL", () => {
  const base = sandboxEnv({}, { app: 3000, sim: 4010, shopify: 4020 });
  it("is optional and must be a redis:// or rediss:// URL", () => {
    expect(parseConfig(base).REDIS_URL).toBeUndefined();
    expect(parseConfig({ ...base, REDIS_URL: "redis://127.0.0.1:6379" }).REDIS_URL).toBe("redis://127.0.0.1:6379");
    expect(parseConfig({ ...base, REDIS_URL: "rediss://user:secret@cache.internal:6380/2" }).REDIS_URL).toContain("rediss://");
    for (const bad of ["127.0.0.1:6379", "http://127.0.0.1:6379", "redis://"]) {
      expect(() => parseConfig({ ...base, REDIS_URL: bad })).toThrow(/REDIS_URL/);
    }
  });
});

const redisBinary = redisServerPath();
if (!redisBinary) console.warn("Skipping the Redis engine tests: redis-server is not installed (apt-get install redis-server; .ci/run does).");

describe.skipIf(!redisBinary)("Redis engine: two worker processes, one queue, one pace per number", () => {
  let redis: TestRedis;
  let sandbox: Sandbox;
  const fleet = new WorkerFleet(() => ({ ...sandbox.env, REDIS_URL: redis.url, LOG_LEVEL: "debug" }));
  const workers = fleet.workers;

  beforeAll(async () => {
    redis = await startRedis();
    // The web process announces receipts on BullMQ (REDIS_URL reaches it through the environment).
    process.env.REDIS_URL = redis.url;
    sandbox = await startSandbox({
      env: { DATABASE_URL: testDatabaseUrl(), DISPATCH_MODE: "off", WHATSAPP_RATE_PER_SECOND: String(CAP), DISPATCH_LOCK_MS: "30000" },
      // The simulator answers 130429 above CAP + 2: room for a loaded machine's jitter between a
      // pacing slot and its arrival, while two workers that did not share the pace (2 × 8/s) exceed it.
      simSettings: { ratePerSecond: CAP + 2, statusDelayMs: 20, sendRead: false },
    });
    for (let i = 0; i < 2; i++) startWorker(`worker-${i}`);
  });
  const startWorker = (name: string) => fleet.start({ ZAP_PROCESS: name });
  afterAll(async () => {
    await fleet.stopAll("SIGTERM");
    await sandbox?.stop();
    await redis?.stop();
    delete process.env.REDIS_URL;
  });

  const unsent = (shopId: string, prefix: string) => sandbox.db.message.count({ where: { shopId, idempotencyKey: { startsWith: `${prefix}:` }, statusRank: { lt: STATUS_RANK.SENT } } });

  it.skipIf(testProvider() !== "postgresql")("every process keeps DATABASE_POOL_SIZE connections to PostgreSQL open, named after it", async () => {
    const sessions = () => sessionsByName(sandbox.env.DATABASE_URL);
    const size = Number(sandbox.env.DATABASE_POOL_SIZE);
    await expect.poll(sessions, { timeout: 10_000 }).toMatchObject({ "zap-app": size, "zap-worker-0": size, "zap-worker-1": size });
  });

  it("keeps both workers together under the number's cap and sends every message exactly once; receipts come through the queue", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const template = await sandbox.db.template.findFirstOrThrow({ where: { shopId: shop.id, name: "order_confirmation", language: "pt_BR" } });
    const BURST = 60;
    const ORDERS = 10;
    // Warm both workers up first: a process's first sends run cold code paths (the first
    // fetch loads undici) and can leave 100 ms or more after their slot, which at 10/s is
    // the whole 15 % margin. The cap is checked on the burst that follows, from a clean count.
    await sandbox.db.message.createMany({ data: queuedRows(shop.id, template, "warmup", 20, 9_000_000) });
    for (const deadline = Date.now() + 20_000; (await unsent(shop.id, "warmup")) > 0 && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await unsent(shop.id, "warmup")).toBe(0);
    await sandbox.settled();
    const warmup = await simJson<{ rateLimited: number }>(sandbox.simUrl, "state");
    await simJson(sandbox.simUrl, "messages", { method: "DELETE" });
    await new Promise((resolve) => setTimeout(resolve, 1000));

    await sandbox.db.message.createMany({ data: queuedRows(shop.id, template, "burst", BURST, 10_000_000) });
    // Orders through the web process: stored, queued on BullMQ, handled by either worker.
    for (let i = 0; i < ORDERS; i++) {
      const order = orderPayload({ id: 7_000_000 + i, name: `#R${i}`, customer: { id: 8_000_000 + i, first_name: "Ana", phone: `+55119${40_000_000 + i}` } });
      const response = await postShopifyWebhook(sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, {
        topic: "orders/create",
        shop: sandbox.shopDomain,
        body: JSON.stringify(order),
        eventId: `redis-order-${i}`,
      });
      expect(response.status).toBe(200);
    }

    const deadline = Date.now() + 45_000;
    let sent: { phoneNumberId: string; time: string; template?: { name: string; parameters: string[] } }[] = [];
    while (Date.now() < deadline) {
      sent = await simJson<typeof sent>(sandbox.simUrl, "messages");
      if (sent.length >= BURST + ORDERS && (await unsent(shop.id, "burst")) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await sandbox.settled();
    sent = await simJson<typeof sent>(sandbox.simUrl, "messages");
    const { rateLimited } = await simJson<{ rateLimited: number }>(sandbox.simUrl, "state");

    expect(rateLimited).toBe(0);
    expect(busiestSecond(sent.map((m) => Date.parse(m.time)))).toBeLessThanOrEqual(CAP);
    const names = sent.map((m) => m.template?.parameters[1]);
    expect(sent).toHaveLength(BURST + ORDERS);
    expect(new Set(names).size).toBe(BURST + ORDERS);
    expect(await unsent(shop.id, "burst")).toBe(0);
    // Both processes sent, each pacing through Redis.
    for (const worker of workers) expect(worker.output()).toContain("Pacing this number through Redis");

    // Every order's receipt was handled through its BullMQ job (job id = receipt id).
    const receipts = await sandbox.db.webhookReceipt.findMany({ where: { source: "SHOPIFY", dedupeKey: { startsWith: "redis-order-" } }, select: { id: true, status: true } });
    expect(receipts).toHaveLength(ORDERS);
    expect(receipts.every((r) => r.status === "PROCESSED")).toBe(true);
    const client = new Redis(redis.url);
    try {
      const events = await client.xrange(`${QUEUE_PREFIX}:${RECEIPTS_QUEUE}:events`, "-", "+");
      const completed = new Set(events.filter(([, fields]) => fields[1] === "completed").map(([, fields]) => fields[fields.indexOf("jobId") + 1]));
      for (const receipt of receipts) expect(completed.has(receipt.id)).toBe(true);
    } finally {
      client.disconnect();
    }
    const seconds = (Math.max(...sent.map((m) => Date.parse(m.time))) - Math.min(...sent.map((m) => Date.parse(m.time)))) / 1000;
    console.info(
      `${sent.length} messages from 2 workers in ${seconds.toFixed(1)} s (cap ${CAP}/s, paced at ${Math.floor(CAP * 0.85)}/s), busiest second ${busiestSecond(sent.map((m) => Date.parse(m.time)))}, ${rateLimited} × 130429 (warm-up: ${warmup.rateLimited} × 130429)`,
    );
  });

  it("a send whose slot passed while its process was busy takes a new one instead of going out with the sends on time", async () => {
    const client = new Redis(redis.url);
    try {
      const limiter = new RedisRateLimiter(client, SendRateLimiter.SAFETY, `zap:pace-test:${Date.now()}:`);
      const released: number[] = [];
      const takes = Array.from({ length: 12 }, () => limiter.take("late-number", CAP).then(() => released.push(Date.now())));
      // The slots are handed out (CAP × SAFETY = 8 a second, 125 ms apart), then the event loop is held for 400 ms:
      // the first slots' timers fire late, all at once.
      await new Promise((resolve) => setTimeout(resolve, 20));
      for (const until = Date.now() + 400; Date.now() < until;);
      await Promise.all(takes);
      expect(released).toHaveLength(12);
      expect(busiestSecond(released)).toBeLessThanOrEqual(CAP);
    } finally {
      client.disconnect();
    }
  });

  it("messages a number received take its slots as sends would, in memory and through Redis", async () => {
    const client = new Redis(redis.url);
    try {
      const allowed = Math.floor(CAP * SendRateLimiter.SAFETY);
      for (const limiter of [new SendRateLimiter(), new RedisRateLimiter(client, SendRateLimiter.SAFETY, `zap:pace-test:${Date.now()}:`)]) {
        const receivedAt = Date.now();
        await limiter.reserve("busy-number", CAP, 6);
        const released: number[] = [];
        await Promise.all(Array.from({ length: allowed }, () => limiter.take("busy-number", CAP).then(() => released.push(Date.now()))));
        // 8 a second: the 6 received leave room for 2 sends in their second (without them, all 8 go in it).
        expect(released.filter((t) => t < receivedAt + 1000).length).toBeLessThanOrEqual(allowed - 6);
        expect(busiestSecond([...Array<number>(6).fill(receivedAt), ...released])).toBeLessThanOrEqual(allowed);
      }
    } finally {
      client.disconnect();
    }
  });

  it("a worker counts customer messages of the last seconds into their number's shared pace, not a late backlog's", async () => {
    const { db } = await createTestDb();
    const config = { ...sandbox.config, REDIS_URL: redis.url, WHATSAPP_RATE_PER_SECOND: CAP };
    const client = new Redis(redis.url);
    try {
      const fresh = `inbound-pace-${Date.now()}`;
      const late = `${fresh}-late`;
      for (const phoneNumberId of [fresh, late]) {
        const shop = await createShop(db, `${phoneNumberId}.myshopify.com`);
        await db.whatsAppAccount.create({
          data: {
            shopId: shop.id,
            wabaId: `waba-${phoneNumberId}`,
            phoneNumberId,
            accessTokenCiphertext: encryptSecret("token", config.encryptionKey),
            coexistence: false,
            onboardingState: "CONNECTED",
          },
        });
      }
      const now = Math.floor(Date.now() / 1000);
      for (const [phoneNumberId, sentAt] of [
        [fresh, now],
        [late, now - 60],
      ] as const) {
        const body = metaEnvelope(`waba-${phoneNumberId}`, "messages", {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: "15550100001", phone_number_id: phoneNumberId },
          contacts: [{ profile: { name: "Marina" }, wa_id: "5511987654321" }],
          messages: Array.from({ length: 12 }, (_, i) => ({ from: "5511987654321", id: `wamid.${phoneNumberId}.${i}`, timestamp: String(sentAt), type: "text", text: { body: "Oi" } })),
        });
        expect((await receiveMetaWebhook(db, Buffer.from(body), metaSignature(body, config.META_APP_SECRET), config.META_APP_SECRET)).receiptIds).toHaveLength(1);
      }
      const redisNow = async () => {
        const [seconds, micros] = await client.time();
        return Number(seconds) * 1000 + Number(micros) / 1000;
      };
      const before = await redisNow();
      // The worker's own pass over due receipts, as its poll runs it.
      expect(await processDueReceipts({ db, config, graph: graphClient(config) })).toBe(2);
      const after = await redisNow();
      // 12 received, 8 sends a second: the number's next send waits a second (at most a second's
      // slots are taken) from when they were counted.
      const next = Number(await client.hget(`zap:pace:${fresh}`, "next"));
      expect(next).toBeGreaterThanOrEqual(before + 1000 - 0.01);
      expect(next).toBeLessThanOrEqual(after + 1000 + 0.01);
      expect(await client.exists(`zap:pace:${late}`)).toBe(0);
      // The messages themselves are recorded as always.
      expect(await db.message.count({ where: { direction: "IN" } })).toBe(24);
    } finally {
      client.disconnect();
      // reserveInbound paced through this process's own Redis connection (limiterFor).
      await closeRedisConnections();
      await db.$disconnect();
    }
  });

  it("claims another shop's order confirmation while one shop's 300-message backlog is still going out", async () => {
    const { db, config } = sandbox;
    const busy = await db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const busyTemplate = await db.template.findFirstOrThrow({ where: { shopId: busy.id, name: "order_confirmation", language: "pt_BR" } });

    // A second merchant with a number of its own on the simulator.
    const business = await simJson<{ wabaId: string; phoneNumberId: string; accessToken: string }>(sandbox.simUrl, "businesses", { method: "POST", body: { name: "Quiet Store" } });
    const quiet = await installShop(db, config, "quiet-store.myshopify.com", { name: "Quiet Store", locale: "pt-BR" });
    const graph = new WhatsAppClient({ baseUrl: config.WHATSAPP_GRAPH_URL, version: config.WHATSAPP_GRAPH_VERSION, accessToken: business.accessToken });
    expect((await graph.registerNumber(business.phoneNumberId, "123456")).ok).toBe(true);
    expect((await createLibraryTemplates(graph, business.wabaId)).ok).toBe(true);
    for (const deadline = Date.now() + 15_000; Date.now() < deadline;) {
      const listed = await graph.listTemplates(business.wabaId);
      if (listed.ok && listed.value.every((t) => t.status === "APPROVED")) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await syncTemplates(db, quiet.id, graph, business.wabaId)).ok).toBe(true);
    await db.whatsAppAccount.create({
      data: {
        shopId: quiet.id,
        wabaId: business.wabaId,
        phoneNumberId: business.phoneNumberId,
        accessTokenCiphertext: encryptSecret(business.accessToken, config.encryptionKey),
        coexistence: false,
        onboardingState: "CONNECTED",
        connectedAt: new Date(),
      },
    });
    const quietTemplate = await db.template.findFirstOrThrow({ where: { shopId: quiet.id, name: "order_confirmation", language: "pt_BR" } });

    await db.message.createMany({ data: queuedRows(busy.id, busyTemplate, "backlog", 300, 20_000_000) });
    while ((await simJson<unknown[]>(sandbox.simUrl, "messages")).length < 70 + 5) await new Promise((resolve) => setTimeout(resolve, 100));
    await db.message.createMany({ data: queuedRows(quiet.id, quietTemplate, "quiet", 1, 30_000_000) });
    const queuedAt = Date.now();

    let confirmation = await db.message.findFirstOrThrow({ where: { shopId: quiet.id, idempotencyKey: "quiet:0" } });
    while (confirmation.statusRank < STATUS_RANK.SENT && Date.now() - queuedAt < 30_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      confirmation = await db.message.findFirstOrThrow({ where: { shopId: quiet.id, idempotencyKey: "quiet:0" } });
    }
    const backlogLeft = await unsent(busy.id, "backlog");
    // Stop the backlog so the workers can be stopped quickly.
    await db.message.updateMany({ where: { shopId: busy.id, idempotencyKey: { startsWith: "backlog:" }, status: "QUEUED" }, data: { status: "CANCELLED", statusRank: STATUS_RANK.CANCELLED } });

    expect(confirmation.statusRank).toBeGreaterThanOrEqual(STATUS_RANK.SENT);
    expect(confirmation.sendAttemptedAt).not.toBeNull();
    // The ordering, not the clock: the confirmation went out while most of the backlog still waited.
    expect(backlogLeft).toBeGreaterThan(200);
    const { rateLimited } = await simJson<{ rateLimited: number }>(sandbox.simUrl, "state");
    expect(rateLimited).toBe(0);
    console.info(
      `quiet shop's confirmation sent ${((confirmation.sendAttemptedAt!.getTime() - queuedAt) / 1000).toFixed(1)} s after it was queued, with ${backlogLeft}/300 of the busy shop's backlog still unsent`,
    );
  });

  it("SIGTERM: workers finish the receipts and sends in flight and exit 0; what is still queued waits for the next worker", async () => {
    const { db } = sandbox;
    const ORDERS = 30;
    const posts = Array.from({ length: ORDERS }, (_, i) => {
      const order = orderPayload({ id: 7_100_000 + i, name: `#T${i}`, customer: { id: 8_100_000 + i, first_name: "Ana", phone: `+55119${41_000_000 + i}` } });
      return postShopifyWebhook(sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(order), eventId: `term-order-${i}` });
    });
    for (const response of await Promise.all(posts)) expect(response.status).toBe(200);
    // Stop both workers while that burst is being handled.
    const running = workers.filter((w) => w.child.exitCode === null);
    expect(running.length).toBe(2);
    const exits = running.map((w) => new Promise<number | null>((resolve) => w.child.once("exit", (code) => resolve(code))));
    for (const w of running) w.child.kill("SIGTERM");
    expect(await Promise.all(exits)).toEqual([0, 0]);
    for (const w of running) expect(w.output()).toContain("Zap worker stopped");
    // Nothing abandoned half-way: no receipt still claimed, no message left mid-send.
    const claimed = await db.webhookReceipt.count({ where: { status: "RECEIVED", lockedUntil: { gt: new Date() } } });
    expect(claimed).toBe(0);
    expect(await db.message.count({ where: { status: "SENDING" } })).toBe(0);

    // A new worker takes what was still queued; every order is confirmed once.
    startWorker("worker-after");
    const confirmations = async () => (await simJson<{ template?: { name: string; parameters: string[] } }[]>(sandbox.simUrl, "messages")).filter((m) => m.template?.parameters[1]?.startsWith("#T"));
    for (const deadline = Date.now() + 30_000; (await confirmations()).length < ORDERS && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 200));
    const sent = await confirmations();
    expect(sent).toHaveLength(ORDERS);
    expect(new Set(sent.map((m) => m.template!.parameters[1])).size).toBe(ORDERS);
  });
});
