// Exactly once in the long tail: 1,000 orders through signed webhooks while the
// worker and the web process are killed mid-burst, Meta's answers to a few
// sends are lost, and every status webhook arrives 45 s late (long after a killed worker's lease ends) and twice.
// Each order must reach the customer once: no duplicate, no loss.
import type { ChildProcess } from "node:child_process";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { STATUS_RANK } from "../app/core/domain";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { testDatabaseUrl } from "./helpers/db";
import { postShopifyWebhook, simJson } from "./helpers/http";
import { orderPayload } from "./helpers/shopify-payloads";
import { WorkerFleet } from "./helpers/worker-process";

const ORDERS = 1000;
const STATUS_DELAY_MS = 45_000;
const LOST_RESPONSES = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("exactly once across crashes and late statuses", () => {
  let sandbox: Sandbox;
  const workers = new WorkerFleet(() => sandbox.env);

  beforeAll(async () => {
    sandbox = await startSandbox({
      // The killed worker's sends come back when its lease stops beating (about 10 s), long before
      // their statuses arrive. A send with no status 30 s after the statuses' delay is resent: a
      // worker killed between recording the attempt and the request leaving left one Meta never had.
      env: {
        DATABASE_URL: testDatabaseUrl(),
        DISPATCH_MODE: "off",
        DISPATCH_UNCONFIRMED_WINDOW_MS: String(STATUS_DELAY_MS + 30_000),
        DISPATCH_UNCONFIRMED_ACTION: "resend",
      },
      simSettings: {
        statusDelayMs: STATUS_DELAY_MS,
        statusStepMs: 1000,
        sendRead: false,
        redeliverStatuses: true,
        // Meta keeps retrying a webhook the app did not take (here: while the web process is down).
        webhookRetryDelaysMs: [1000, 2000, 5000, 10_000, 20_000, 30_000, 60_000, 60_000],
      },
    });
  });
  afterAll(
    async () => {
      await workers.stopAll();
      // The last statuses are still on their way: let the app take them before it stops, or the
      // simulator would retry each one on Meta's schedule against a stopped app.
      await sandbox?.settled(STATUS_DELAY_MS).catch(() => undefined);
      await sandbox?.stop();
    },
    2 * STATUS_DELAY_MS + 60_000,
  );

  const killed = (child: ChildProcess) => WorkerFleet.stop(child, "SIGKILL");
  const accepted = async () => (await simJson<unknown[]>(sandbox.simUrl, "messages")).length;

  /** Shopify's side: each order is delivered until the app answers 200 (it redelivers failed webhooks). */
  async function deliverOrders(): Promise<number> {
    let attempts = 0;
    const queue = Array.from({ length: ORDERS }, (_, i) => i);
    const send = async () => {
      for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
        const order = orderPayload({
          id: 7_000_000 + i,
          name: `#X${i}`,
          customer: { id: 8_000_000 + i, first_name: "Ana", last_name: "Souza", phone: `+55119${String(60_000_000 + i)}`, email: null, sms_marketing_consent: null },
        });
        const body = JSON.stringify(order);
        const eventId = `exactly-once-${i}`;
        for (;;) {
          attempts++;
          const status = await postShopifyWebhook(sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body, eventId })
            .then((response) => response.status)
            .catch(() => 0);
          if (status === 200) break;
          await sleep(250);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, send));
    return attempts;
  }

  it("sends every order confirmation once, with the worker and web killed mid-burst and statuses 45 s late", { timeout: 600_000 }, async () => {
    await simJson(sandbox.simUrl, "fail-next", { method: "POST", body: { lostResponse: true, count: LOST_RESPONSES } });
    workers.start();
    const delivering = deliverOrders();

    const deadline = Date.now() + 120_000;
    while ((await accepted()) < ORDERS * 0.3 && Date.now() < deadline) await sleep(50);
    console.info(`phase: kill at ${await accepted()} accepted`);
    await Promise.all([killed(workers.workers.at(-1)!.child), killed(sandbox.app())]);
    const atKill = await accepted();
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const midSend = await sandbox.db.message.count({ where: { shopId: shop.id, status: { in: ["SENDING", "UNCONFIRMED"] } } });
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(ORDERS);

    await sleep(3000); // locks and grace run out while everything is down
    await sandbox.restartApp();
    workers.start();
    const webhookAttempts = await delivering;
    console.info(`phase: all ${ORDERS} orders delivered in ${webhookAttempts} posts`);

    // Every confirmation row reaches SENT: by Meta's answer, or by its late status tying the wamid.
    const settle = Date.now() + STATUS_DELAY_MS + 150_000;
    let rows: { status: string; statusRank: number; wamid: string | null }[] = [];
    while (Date.now() < settle) {
      rows = await sandbox.db.message.findMany({ where: { shopId: shop.id, direction: "OUT" }, select: { status: true, statusRank: true, wamid: true } });
      if (rows.length === ORDERS && rows.every((r) => r.statusRank >= STATUS_RANK.SENT && r.wamid)) break;
      if (Math.floor((settle - Date.now()) / 1000) % 20 === 0) console.info(`phase: ${rows.length} rows, ${rows.filter((r) => r.statusRank >= STATUS_RANK.SENT && r.wamid).length} sent`);
      await sleep(1000);
    }
    const byStatus = Object.fromEntries([...new Set(rows.map((r) => r.status))].map((status) => [status, rows.filter((r) => r.status === status).length]));
    console.info(`settled after the restart: ${JSON.stringify(byStatus)}`);
    const unconfirmedAtEnd = rows.filter((r) => r.status === "UNCONFIRMED").length;
    expect(rows).toHaveLength(ORDERS);
    expect(unconfirmedAtEnd).toBe(0);
    expect(rows.filter((r) => r.statusRank < STATUS_RANK.SENT || !r.wamid)).toHaveLength(0);

    const sent = await simJson<{ to: string; template?: { name: string; parameters: string[] } }[]>(sandbox.simUrl, "messages");
    const confirmations = sent.filter((m) => m.template?.name === "order_confirmation");
    const perOrder = new Map<string, number>();
    for (const m of confirmations) perOrder.set(m.template!.parameters[1]!, (perOrder.get(m.template!.parameters[1]!) ?? 0) + 1);
    const duplicates = [...perOrder.values()].filter((n) => n > 1).length;
    const lost = Array.from({ length: ORDERS }, (_, i) => `#X${i}`).filter((name) => !perOrder.has(name)).length;
    expect(duplicates).toBe(0);
    expect(lost).toBe(0);
    expect(confirmations).toHaveLength(ORDERS);
    expect(new Set(rows.map((r) => r.wamid)).size).toBe(ORDERS);
    console.info(
      `${ORDERS} orders (${webhookAttempts} webhook posts); killed worker and web after ${atKill} sends with ${midSend} mid-send; ` +
        `${LOST_RESPONSES} answers lost; statuses ${STATUS_DELAY_MS / 1000} s late and delivered twice: ${confirmations.length} sent, ${duplicates} duplicates, ${lost} lost`,
    );
  });
});
