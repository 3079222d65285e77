// Claims are fences: a worker that lost its claim (its lease looked dead while it
// stalled, and another worker took the work) changes nothing afterwards.
// A staff reply is its request's claim from the moment it is written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseConfig } from "../app/core/config.server";
import type { Db } from "../app/core/db.server";
import { claimDue } from "../app/messaging/claims.server";
import { sendClaimed } from "../app/messaging/dispatch.server";
import { sendStaffReply } from "../app/messaging/replies.server";
import { SendRateLimiter } from "../app/messaging/send-pacing.server";
import { STATUS_RANK } from "../app/core/domain";
import { deadLeases, LEASE_TTL_MS } from "../app/jobs/leases.server";
import { claimReceipt, finishReceipt } from "../app/jobs/webhook-receipts.server";
import { graphClient } from "../app/whatsapp/client.server";
import { sandboxEnv } from "../sandbox/harness";
import { createShop, createTestDb } from "./helpers/db";

describe("claims fence a worker that lost them", () => {
  let db: Db;
  let shopId: string;
  const config = parseConfig(sandboxEnv({}, { app: 1, sim: 2, shopify: 3 }));

  beforeAll(async () => {
    ({ db } = await createTestDb());
    // No WhatsApp account: a send that goes ahead ends FAILED ("not connected"), which shows whether a write happened.
    shopId = (await createShop(db, "claims.myshopify.com")).id;
  });
  afterAll(async () => {
    await db.$disconnect();
  });

  it("a send re-claimed by another worker is not finished by the first", async () => {
    await db.message.create({ data: { shopId, direction: "OUT", source: "AUTOMATION", type: "template", templateName: "order_confirmation", status: "QUEUED", statusRank: STATUS_RANK.QUEUED } });
    const [first] = await claimDue(db, { batchSize: 10, lockMs: 60_000, leaseId: "lease-stalled" });
    expect(first).toMatchObject({ status: "SENDING", attempts: 1, claimedBy: "lease-stalled" });
    // Worker A stalls; its lease is taken for dead, the row goes back to the queue and worker B claims it.
    await db.message.update({ where: { id: first!.id }, data: { status: "QUEUED", statusRank: STATUS_RANK.QUEUED, claimedBy: null } });
    const [second] = await claimDue(db, { batchSize: 10, lockMs: 60_000, leaseId: "lease-b" });
    expect(second).toMatchObject({ id: first!.id, attempts: 2, claimedBy: "lease-b" });

    await sendClaimed({ db, config, graph: graphClient(config) }, new SendRateLimiter(), first!);
    expect(await db.message.findUniqueOrThrow({ where: { id: first!.id } })).toMatchObject({ status: "SENDING", attempts: 2, claimedBy: "lease-b" });
    await sendClaimed({ db, config, graph: graphClient(config) }, new SendRateLimiter(), second!);
    expect(await db.message.findUniqueOrThrow({ where: { id: first!.id } })).toMatchObject({ status: "FAILED", errorTitle: "NOT_CONNECTED" });
  });

  it("a staff reply is never a worker's to take while its request sends it, so staff hear what WhatsApp answered", async () => {
    const contact = await db.contact.create({ data: { shopId, phoneE164: "+5511944447777", lastInboundAt: new Date() } });
    // A worker polls for due rows at the worst moment: right after the reply's row is written.
    const polled: unknown[] = [];
    const polling = db.$extends({
      query: {
        message: {
          async create({ args, query }) {
            const created = await query(args);
            polled.push(...(await claimDue(db, { batchSize: 10, lockMs: 60_000, leaseId: "lease-poller" })));
            return created;
          },
        },
      },
    }) as unknown as Db;
    const staff = { id: "7", name: "Mariana Costa" };
    const result = await sendStaffReply({ db: polling, config, graph: graphClient(config) }, shopId, { contactId: contact.id }, staff, { kind: "text", text: "Oi!" }, "reply-7777-1");
    expect(polled).toEqual([]);
    // The shop has no WhatsApp account: the request's own send failed, and it says so.
    expect(result).toMatchObject({ ok: false, field: "text", code: "refused" });
    expect(await db.message.findFirstOrThrow({ where: { shopId, idempotencyKey: "STAFF:reply-7777-1" } })).toMatchObject({ status: "FAILED", attempts: 1, errorTitle: "NOT_CONNECTED" });
  });

  it("a receipt re-claimed by another worker is not finished by the first", async () => {
    await db.workerLease.createMany({
      data: [
        { id: "lease-a", heartbeatAt: new Date(Date.now() - LEASE_TTL_MS - 1000) },
        { id: "lease-b2", heartbeatAt: new Date() },
      ],
    });
    const stored = await db.webhookReceipt.create({ data: { source: "META", dedupeKey: "fenced-1", topic: "messages", payload: "{}", shopId } });
    const a = await claimReceipt(db, stored.id, { leaseId: "lease-a" });
    // A queued job's claim names no dead lease: it leaves A's receipt to the poll.
    expect(await claimReceipt(db, stored.id, { leaseId: "lease-b2" })).toBeNull();
    // The poll found lease-a dead: worker B takes the receipt although A's one-minute claim has not run out.
    const b = await claimReceipt(db, stored.id, { leaseId: "lease-b2", deadLeases: await deadLeases(db) });
    expect([a?.attempts, b?.attempts]).toEqual([1, 2]);
    await finishReceipt(db, a!, "IGNORED", "worker A's late answer");
    expect(await db.webhookReceipt.findUniqueOrThrow({ where: { id: stored.id } })).toMatchObject({ status: "RECEIVED", lockedBy: "lease-b2" });
    await finishReceipt(db, b!, "PROCESSED");
    expect(await db.webhookReceipt.findUniqueOrThrow({ where: { id: stored.id } })).toMatchObject({ status: "PROCESSED", error: null });
  });

  it("names the workers that died lately first, however many died before", async () => {
    const longAgo = Date.now() - 30 * 60 * 1000;
    await db.workerLease.createMany({ data: Array.from({ length: 150 }, (_, i) => ({ id: `lease-old-${i}`, heartbeatAt: new Date(longAgo + i) })) });
    await db.workerLease.create({ data: { id: "lease-just-died", heartbeatAt: new Date(Date.now() - LEASE_TTL_MS - 500) } });
    const dead = await deadLeases(db);
    expect(dead[0]).toBe("lease-just-died");
    expect(dead).not.toContain("lease-b2");
  });
});
