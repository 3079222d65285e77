// Shopify events as they really come, over signed webhooks: fulfillments that
// are pending, then succeed, are cancelled, or report their shipment status;
// and a shop that asks for an explicit opt-in before order updates.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSandbox, type Sandbox } from "../sandbox/harness";
import { testDatabaseUrl } from "./helpers/db";
import { deliverShopifyWebhook } from "./helpers/http";
import { fulfillmentPayload, orderPayload } from "./helpers/shopify-payloads";

describe("real-world Shopify inputs", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 10 } });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const deliver = (topic: string, payload: unknown) =>
    deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic, shop: sandbox.shopDomain, body: JSON.stringify(payload) });
  const sent = async (orderId: number) =>
    (await sandbox.db.message.findMany({ where: { order: { shopifyOrderId: String(orderId) }, status: { not: "SKIPPED" } }, orderBy: { createdAt: "asc" }, select: { templateName: true } })).map((m) => m.templateName);

  it("sends the shipping message when a fulfillment succeeds, not while pending, never for a cancelled one; shipment statuses drive the rest", async () => {
    const order = orderPayload({ customer: { id: 61, first_name: "Iara", phone: "+5511944440001" } });
    await deliver("orders/create", order);
    const pending = fulfillmentPayload(order.id, { status: "pending" });
    await deliver("fulfillments/create", pending);
    expect(await sent(order.id)).toEqual(["order_confirmation"]);

    await deliver("fulfillments/update", { ...pending, status: "success" });
    await deliver("fulfillments/update", { ...pending, status: "success", shipment_status: "in_transit" });
    expect(await sent(order.id)).toEqual(["order_confirmation", "shipping_update"]);

    const cancelled = fulfillmentPayload(order.id, { status: "cancelled" });
    await deliver("fulfillments/create", cancelled);
    await deliver("fulfillments/update", { ...cancelled, shipment_status: "delivered" });
    expect(await sent(order.id)).toEqual(["order_confirmation", "shipping_update"]);

    await deliver("fulfillments/update", { ...pending, status: "success", shipment_status: "out_for_delivery" });
    await deliver("fulfillments/update", { ...pending, status: "success", shipment_status: "delivered" });
    expect(await sent(order.id)).toEqual(["order_confirmation", "shipping_update", "out_for_delivery", "order_delivered"]);
  });

  it("does not count a phone typed at checkout as the explicit opt-in a shop requires", async () => {
    await sandbox.db.shop.update({ where: { domain: sandbox.shopDomain }, data: { requireUtilityOptIn: true } });
    try {
      const order = orderPayload({ customer: { id: 62, first_name: "Joana", phone: "+5511944440002" } });
      await deliver("orders/create", order);
      const message = await sandbox.db.message.findFirstOrThrow({ where: { idempotencyKey: `ORDER_CREATED:${order.id}` } });
      expect(message).toMatchObject({ status: "SKIPPED", skipReason: "The shop requires explicit opt-in and this customer has not opted in" });
    } finally {
      await sandbox.db.shop.update({ where: { domain: sandbox.shopDomain }, data: { requireUtilityOptIn: false } });
    }
  });
});
