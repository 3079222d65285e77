import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { STATUS_RANK } from "../app/core/domain";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { testDatabaseUrl } from "./helpers/db";
import { simJson } from "./helpers/http";
import { queuedRows } from "./helpers/messages";
import { WorkerFleet } from "./helpers/worker-process";

const BATCH = 300;

describe("dispatch survives a killed worker", () => {
  let sandbox: Sandbox;
  const workers = new WorkerFleet(() => sandbox.env);

  beforeAll(async () => {
    sandbox = await startSandbox({
      // The web process only receives webhooks here; worker processes send. Locks and grace keep
      // their defaults (60 s + 300 s): the killed worker's rows come back because its lease stops
      // beating. A send killed between recording its attempt and its request leaving is resent once
      // 5 s pass with no status (statuses come 20 ms after a send here).
      env: {
        DATABASE_URL: testDatabaseUrl(),
        DISPATCH_MODE: "off",
        DISPATCH_UNCONFIRMED_WINDOW_MS: "5000",
        DISPATCH_UNCONFIRMED_ACTION: "resend",
      },
      simSettings: { statusDelayMs: 20, sendRead: false },
    });
  });
  afterAll(async () => {
    await workers.stopAll();
    await sandbox?.stop();
  });

  const accepted = async () => (await simJson<{ template?: { parameters: string[] } }[]>(sandbox.simUrl, "messages")).length;

  it("sends every message exactly once when the worker is killed in the middle of a batch and restarted", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const template = await sandbox.db.template.findFirstOrThrow({ where: { shopId: shop.id, name: "order_confirmation", language: "pt_BR" } });
    await sandbox.db.message.createMany({ data: queuedRows(shop.id, template, "crash-test", BATCH, 10_000_000) });

    const first = workers.start().child;
    const deadline = Date.now() + 30_000;
    while ((await accepted()) < BATCH / 4 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    await WorkerFleet.stop(first, "SIGKILL");
    const atKill = await accepted();
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(BATCH);
    const stranded = await sandbox.db.message.count({ where: { shopId: shop.id, status: "SENDING" } });

    workers.start();
    const settle = Date.now() + 45_000;
    let pending = BATCH;
    while (Date.now() < settle) {
      pending = await sandbox.db.message.count({ where: { shopId: shop.id, idempotencyKey: { startsWith: "crash-test:" }, statusRank: { lt: STATUS_RANK.SENT } } });
      if (pending === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(pending).toBe(0);
    await sandbox.settled();

    const sent = await simJson<{ template: { parameters: string[] } }[]>(sandbox.simUrl, "messages");
    const orderNames = sent.map((m) => m.template.parameters[1]);
    expect(sent).toHaveLength(BATCH);
    expect(new Set(orderNames).size).toBe(BATCH);
    const rows = await sandbox.db.message.findMany({ where: { shopId: shop.id, idempotencyKey: { startsWith: "crash-test:" } }, select: { wamid: true, status: true } });
    expect(rows.every((r) => r.wamid?.startsWith("wamid."))).toBe(true);
    expect(new Set(rows.map((r) => r.wamid)).size).toBe(BATCH);
    console.info(`worker killed after ${atKill}/${BATCH} accepted sends with ${stranded} rows mid-send; all ${BATCH} sent exactly once after restart`);
    // Two worker start-ups (tsx), up to 30 s before the kill, 45 s to finish and the simulator settling: a loaded CI machine needs them all.
  }, 240_000);
});
