import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Db } from "../app/core/db.server";
import { recordAccepted } from "../app/messaging/messages.server";
import { parseConfig } from "../app/core/config.server";
import { deadLeases, LEASE_TTL_MS } from "../app/jobs/leases.server";
import { processDueReceipts } from "../app/jobs/worker.server";
import { claimReceipt } from "../app/jobs/webhook-receipts.server";
import { graphClient } from "../app/whatsapp/client.server";
import { sandboxEnv } from "../sandbox/harness";
import { orderPayload } from "./helpers/shopify-payloads";
import { createShop, createTestDb } from "./helpers/db";

describe("webhook receipts left unprocessed", () => {
  let db: Db;
  let shopId: string;

  beforeAll(async () => {
    ({ db } = await createTestDb());
    shopId = (await createShop(db, "receipts.myshopify.com")).id;
    await db.whatsAppAccount.create({ data: { shopId, wabaId: "w1", phoneNumberId: "p1", onboardingState: "CONNECTED" } });
  });
  afterAll(async () => {
    await db.$disconnect();
  });

  const config = parseConfig(sandboxEnv({}, { app: 1, sim: 2, shopify: 3 }));

  it("are processed again by the background job, once", async () => {
    const message = await db.message.create({ data: { shopId, direction: "OUT", source: "AUTOMATION", type: "template", status: "QUEUED", statusRank: 2 } });
    await recordAccepted(db, shopId, message.id, "wamid.stranded");
    const value = { messaging_product: "whatsapp", metadata: { phone_number_id: "p1" }, statuses: [{ id: "wamid.stranded", status: "delivered", timestamp: "1764000000" }] };
    // As the intake leaves it when the process dies between storing and handling: due a minute after it arrived.
    const receipt = await db.webhookReceipt.create({
      data: {
        source: "META",
        dedupeKey: "stranded-1",
        topic: "messages",
        shopId,
        status: "RECEIVED",
        payload: JSON.stringify({ entryId: "w1", field: "messages", value }),
        receivedAt: new Date(Date.now() - 120_000),
        nextAttemptAt: new Date(Date.now() - 60_000),
      },
    });
    const fresh = await db.webhookReceipt.create({
      data: {
        source: "META",
        dedupeKey: "fresh-1",
        topic: "messages",
        shopId,
        status: "RECEIVED",
        payload: JSON.stringify({ entryId: "w1", field: "messages", value }),
        nextAttemptAt: new Date(Date.now() + 60_000),
      },
    });

    expect(await processDueReceipts({ db, config, graph: graphClient(config) })).toBe(1);
    expect((await db.webhookReceipt.findUniqueOrThrow({ where: { id: receipt.id } })).status).toBe("PROCESSED");
    expect((await db.webhookReceipt.findUniqueOrThrow({ where: { id: fresh.id } })).status).toBe("RECEIVED");
    expect(await db.message.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ status: "DELIVERED", deliveredAt: new Date(1_764_000_000_000) });
    expect(await processDueReceipts({ db, config, graph: graphClient(config) })).toBe(0);
  });

  it("a Shopify delivery stored but not handled (the process stopped after the 200) is handled by the job", async () => {
    const order = orderPayload();
    const receipt = await db.webhookReceipt.create({
      data: {
        source: "SHOPIFY",
        dedupeKey: "evt-stranded",
        topic: "ORDERS_CREATE",
        shopId,
        payload: JSON.stringify({ shop: "receipts.myshopify.com", topic: "ORDERS_CREATE", webhookId: "w", eventId: "evt-stranded", payload: order }),
        receivedAt: new Date(Date.now() - 120_000),
        nextAttemptAt: new Date(Date.now() - 60_000),
      },
    });
    expect(await processDueReceipts({ db, config, graph: graphClient(config) })).toBe(1);
    expect((await db.webhookReceipt.findUniqueOrThrow({ where: { id: receipt.id } })).status).toBe("PROCESSED");
    expect(await db.order.findUnique({ where: { shopId_shopifyOrderId: { shopId, shopifyOrderId: String(order.id) } } })).toMatchObject({ name: order.name, phone: "+5511987654321" });
  });

  it("a receipt claimed by a worker that stopped beating is taken again at once; one held by a live worker is not", async () => {
    const value = { messaging_product: "whatsapp", metadata: { phone_number_id: "p1" }, statuses: [] };
    const claimedBy = async (leaseId: string, beatAgoMs: number) => {
      await db.workerLease.create({ data: { id: leaseId, heartbeatAt: new Date(Date.now() - beatAgoMs) } });
      // As a worker leaves it mid-handling: claimed for another minute, naming its lease.
      return db.webhookReceipt.create({
        data: {
          source: "META",
          dedupeKey: `leased-${leaseId}`,
          topic: "messages",
          shopId,
          payload: JSON.stringify({ entryId: "w1", field: "messages", value }),
          nextAttemptAt: new Date(Date.now() - 1000),
          attempts: 1,
          lockedUntil: new Date(Date.now() + 60_000),
          lockedBy: leaseId,
        },
      });
    };
    const killed = await claimedBy("lease-killed", LEASE_TTL_MS + 5_000);
    const busy = await claimedBy("lease-busy", 500);

    expect(await processDueReceipts({ db, config, graph: graphClient(config), leaseId: "lease-mine" })).toBe(1);
    expect(await db.webhookReceipt.findUniqueOrThrow({ where: { id: killed.id } })).toMatchObject({ status: "PROCESSED", attempts: 2, lockedBy: "lease-mine" });
    expect(await db.webhookReceipt.findUniqueOrThrow({ where: { id: busy.id } })).toMatchObject({ status: "RECEIVED", attempts: 1, lockedBy: "lease-busy" });
    expect(await claimReceipt(db, busy.id, { leaseId: "lease-mine", deadLeases: await deadLeases(db) })).toBeNull();
  });
});
