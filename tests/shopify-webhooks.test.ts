import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { STATUS_RANK } from "../app/core/domain";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { testDatabaseUrl } from "./helpers/db";
import { deliverShopifyWebhook, postShopifyWebhook, shopifyHmac } from "./helpers/http";

describe("Shopify webhooks at POST /webhooks/shopify", () => {
  let sandbox: Sandbox;
  let secret: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() } });
    secret = sandbox.env.SHOPIFY_API_SECRET;
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const receipts = () => sandbox.db.webhookReceipt.findMany({ where: { source: "SHOPIFY" }, orderBy: { receivedAt: "asc" } });

  it("rejects a bad HMAC with 401 and stores nothing", async () => {
    const before = (await receipts()).length;
    const body = JSON.stringify({ id: 1, name: "#1001" });
    const response = await postShopifyWebhook(sandbox.appUrl, secret, { topic: "orders/create", shop: sandbox.shopDomain, body, hmac: shopifyHmac(body, "wrong-secret") });
    expect(response.status).toBe(401);
    expect((await receipts()).length).toBe(before);
  });

  it("records a delivery once, however many times Shopify repeats it", async () => {
    const body = JSON.stringify({ id: 820982911946154500, name: "#1001", phone: "+5511987654321" });
    const eventId = crypto.randomUUID();
    for (let i = 0; i < 3; i++) {
      const response = await postShopifyWebhook(sandbox.appUrl, secret, { topic: "orders/create", shop: sandbox.shopDomain, body, eventId });
      expect(response.status).toBe(200);
    }
    const matching = (await receipts()).filter((r) => r.dedupeKey === eventId);
    expect(matching).toHaveLength(1);
    expect(matching[0]).toMatchObject({ topic: "ORDERS_CREATE" });
  });

  it("acknowledges a signed body that is not JSON, records why, and keeps serving", async () => {
    const eventId = crypto.randomUUID();
    const response = await postShopifyWebhook(sandbox.appUrl, secret, { topic: "orders/create", shop: sandbox.shopDomain, body: '{"id": 1,', eventId });
    expect(response.status).toBe(200);
    const receipt = (await receipts()).find((r) => r.dedupeKey === eventId);
    expect(receipt).toMatchObject({ status: "REJECTED", error: "body is not valid JSON" });
    expect((await fetch(`${sandbox.appUrl}/healthz`)).status).toBe(200);
  });

  it("answers the compliance topics", async () => {
    for (const topic of ["customers/data_request", "customers/redact", "shop/redact"]) {
      const shop = topic === "shop/redact" ? "gone-store.myshopify.com" : sandbox.shopDomain;
      const body = JSON.stringify({ shop_id: 1, shop_domain: shop, customer: { id: 7, email: "ana@example.com", phone: "+5511987654321" }, orders_to_redact: [1001] });
      const { status, receiptStatus } = await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, secret, { topic, shop, body });
      expect(status).toBe(200);
      expect(receiptStatus).toBe("PROCESSED");
    }
  });

  it("on app/uninstalled forgets the sessions and the WhatsApp token and cancels queued messages", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    await sandbox.db.message.create({ data: { shopId: shop.id, direction: "OUT", source: "AUTOMATION", type: "template", status: "QUEUED", statusRank: 2 } });
    const later = await sandbox.db.message.create({
      data: { shopId: shop.id, direction: "OUT", source: "AUTOMATION", type: "template", status: "SCHEDULED", statusRank: STATUS_RANK.SCHEDULED, scheduledFor: new Date(Date.now() + 86_400_000) },
    });
    const response = await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, secret, {
      topic: "app/uninstalled",
      shop: sandbox.shopDomain,
      body: JSON.stringify({ id: 1, domain: sandbox.shopDomain }),
    });
    expect(response).toEqual({ status: 200, receiptStatus: "PROCESSED" });
    expect(await sandbox.db.session.count({ where: { shop: sandbox.shopDomain } })).toBe(0);
    expect(await sandbox.db.shop.findUniqueOrThrow({ where: { id: shop.id } })).toMatchObject({ uninstalledAt: expect.any(Date) });
    expect(await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId: shop.id } })).toMatchObject({ accessTokenCiphertext: null, onboardingState: "DISCONNECTED" });
    expect(await sandbox.db.message.count({ where: { shopId: shop.id, status: "QUEUED" } })).toBe(0);
    // Cancelled with the rank that goes with it: a status can no longer move it.
    expect(await sandbox.db.message.findUniqueOrThrow({ where: { id: later.id } })).toMatchObject({ status: "CANCELLED", statusRank: STATUS_RANK.CANCELLED, skipReason: "APP_UNINSTALLED" });
  });
});
