// Shopify events as they really come, over signed webhooks: fulfillments that
// are pending, then succeed, are cancelled, or report their shipment status;
// a shop that asks for an explicit opt-in before order updates; and Meta's own
// marketing opt-outs (user_preferences, error 131050, the Stop promotions tap).
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { encryptSecret } from "../app/core/crypto.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { createShop, testDatabaseUrl } from "./helpers/db";
import { SEED } from "../sandbox/simulator/state";
import { deliverShopifyWebhook, simJson } from "./helpers/http";
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
    (await sandbox.db.message.findMany({ where: { order: { shopifyOrderId: String(orderId) }, status: { not: "SKIPPED" } }, orderBy: { createdAt: "asc" }, select: { templateName: true } })).map(
      (m) => m.templateName,
    );

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

  it("sends the shipping message once when the tracking comes after the fulfillment was marked done", async () => {
    const order = orderPayload({ customer: { id: 63, first_name: "Caio", phone: "+5511944440003" } });
    await deliver("orders/create", order);
    const untracked = fulfillmentPayload(order.id, { tracking_company: null, tracking_number: null, tracking_numbers: [], tracking_url: null, tracking_urls: [] });
    await deliver("fulfillments/create", untracked);
    const key = `FULFILLMENT_CREATED:${order.id}:${untracked.id}`;
    expect(await sandbox.db.message.findFirstOrThrow({ where: { idempotencyKey: key } })).toMatchObject({ status: "SKIPPED", skipReason: expect.stringMatching(/^EMPTY_VARIABLE/) });

    const tracked = fulfillmentPayload(order.id, { id: untracked.id, updated_at: new Date().toISOString() });
    await deliver("fulfillments/update", tracked);
    await deliver("fulfillments/update", { ...tracked, shipment_status: "in_transit" });
    expect(await sent(order.id)).toEqual(["order_confirmation", "shipping_update"]);
    const shipping = await sandbox.db.message.findFirstOrThrow({ where: { idempotencyKey: key } });
    expect(shipping.skipReason).toBeNull();
    expect(JSON.stringify(shipping.params)).toContain(tracked.tracking_url);
    expect(await sandbox.db.message.count({ where: { order: { shopifyOrderId: String(order.id) }, templateName: "shipping_update" } })).toBe(1);
  });

  it("greets a customer who gave only a last name by it, rather than holding the confirmation back", async () => {
    const order = orderPayload({
      customer: { id: 64, first_name: null, last_name: "Pereira", phone: "+5511944440004" },
      shipping_address: { first_name: "", last_name: "Pereira", phone: null, country_code: "BR" },
      billing_address: null,
    });
    await deliver("orders/create", order);
    const confirmation = await sandbox.db.message.findFirstOrThrow({ where: { idempotencyKey: `ORDER_CREATED:${order.id}` } });
    expect(confirmation.status).not.toBe("SKIPPED");
    expect((confirmation.params as { body: string[] }).body[0]).toBe("Pereira");
  });

  it("does not count a phone typed at checkout as the explicit opt-in a shop requires", async () => {
    await sandbox.db.shop.update({ where: { domain: sandbox.shopDomain }, data: { requireUtilityOptIn: true } });
    try {
      const order = orderPayload({ customer: { id: 62, first_name: "Joana", phone: "+5511944440002" } });
      await deliver("orders/create", order);
      const message = await sandbox.db.message.findFirstOrThrow({ where: { idempotencyKey: `ORDER_CREATED:${order.id}` } });
      expect(message).toMatchObject({ status: "SKIPPED", skipReason: "OPT_IN_REQUIRED" });
    } finally {
      await sandbox.db.shop.update({ where: { domain: sandbox.shopDomain }, data: { requireUtilityOptIn: false } });
    }
  });
});

describe("Meta's own marketing opt-outs", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 10 } });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const metadata = { display_phone_number: "15550100001", phone_number_id: SEED.cloudPhoneNumberId };
  const metaChange = async (field: string, value: Record<string, unknown>) => {
    await simJson(sandbox.simUrl, "webhook", { method: "POST", body: { field, wabaId: SEED.wabaId, value: { messaging_product: "whatsapp", metadata, ...value } } });
    await sandbox.settled();
  };
  /** A customer with marketing consent, and the confirmation the app sent them. */
  const consentedCustomer = async (phone: string) => {
    const order = orderPayload({ customer: { id: Number(phone.slice(-5)), first_name: "Nina", phone: `+${phone}` } });
    await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(order) });
    await sandbox.settled();
    const contact = await sandbox.db.contact.update({
      where: { shopId_phoneE164: { shopId: (await sandbox.db.shop.findFirstOrThrow()).id, phoneE164: `+${phone}` } },
      data: { marketingConsent: true, marketingConsentSource: "test", marketingConsentAt: new Date(Date.now() - 60_000) },
    });
    const sentWamid = () => sandbox.db.message.findFirst({ where: { idempotencyKey: `ORDER_CREATED:${order.id}`, wamid: { not: null } }, select: { wamid: true } });
    await expect.poll(sentWamid, { timeout: 15_000 }).not.toBeNull();
    return { contact, wamid: (await sentWamid())!.wamid! };
  };
  const marketing = (id: string) => sandbox.db.contact.findUniqueOrThrow({ where: { id }, select: { marketingConsent: true, marketingOptOutSource: true } });
  const now = () => Math.floor(Date.now() / 1000);

  it("stops and resumes on user_preferences, ignoring an older event that arrives late", async () => {
    const { contact } = await consentedCustomer("5511933330001");
    const preference = (value: string, timestamp: number) =>
      metaChange("user_preferences", {
        contacts: [{ profile: { name: "Nina" }, wa_id: "5511933330001" }],
        user_preferences: [{ wa_id: "5511933330001", detail: "User requested to stop marketing messages", category: "marketing_messages", value, timestamp }],
      });
    await preference("stop", now());
    expect(await marketing(contact.id)).toEqual({ marketingConsent: false, marketingOptOutSource: "whatsapp_user_preferences" });
    await preference("resume", now() + 5);
    expect(await marketing(contact.id)).toEqual({ marketingConsent: true, marketingOptOutSource: null });
    await preference("stop", now() - 600);
    expect((await marketing(contact.id)).marketingConsent).toBe(true);
    // A timestamp in milliseconds would date the change millennia ahead, so no later one could follow it. A stop
    // still stops marketing, as the latest word; a resume is passed over. Both are named on the receipt.
    const latest = () => sandbox.db.webhookReceipt.findFirstOrThrow({ where: { source: "META", topic: "user_preferences" }, orderBy: { receivedAt: "desc" } });
    await preference("stop", now() * 1000);
    expect(await marketing(contact.id)).toEqual({ marketingConsent: false, marketingOptOutSource: "whatsapp_user_preferences" });
    expect(await latest()).toMatchObject({ status: "PROCESSED", error: expect.stringContaining("user_preferences.0.timestamp (unreadable; stop applied as the latest)") });
    await preference("resume", now() * 1000);
    expect((await marketing(contact.id)).marketingConsent).toBe(false);
    expect(await latest()).toMatchObject({ status: "PROCESSED", error: expect.stringContaining("user_preferences.0.timestamp (unreadable; resume passed over)") });
  });

  it("opts out on error 131050 in a status, and on a Stop promotions tap", async () => {
    const refused = await consentedCustomer("5511933330002");
    await metaChange("messages", {
      statuses: [
        {
          id: refused.wamid,
          status: "failed",
          timestamp: String(now()),
          recipient_id: "5511933330002",
          errors: [{ code: 131050, title: "Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business." }],
        },
      ],
    });
    expect(await marketing(refused.contact.id)).toEqual({ marketingConsent: false, marketingOptOutSource: "whatsapp_131050" });

    const tapped = await consentedCustomer("5511933330003");
    await metaChange("messages", {
      contacts: [{ profile: { name: "Nina" }, wa_id: "5511933330003" }],
      messages: [
        {
          from: "5511933330003",
          id: "wamid.stop-promotions-1",
          timestamp: String(now()),
          type: "button",
          button: { payload: "Stop promotions", text: "Stop promotions" },
          context: { from: "15550100001", id: tapped.wamid },
        },
      ],
    });
    expect(await marketing(tapped.contact.id)).toEqual({ marketingConsent: false, marketingOptOutSource: "whatsapp_stop_promotions" });
  });
});

describe("stores of one business sharing a WABA", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() } });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("raises the number's throughput and leaves its messaging limit alone, and another shop's number on the same WABA as it was", async () => {
    const demo = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const account = () => sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId: demo.id }, select: { messagingLimitTier: true, throughputLevel: true } });
    const before = await account();
    // The business's second store, with a number of its own on the same WABA, and a third one connecting (its number not read yet).
    const second = await createShop(sandbox.db, "second-store.myshopify.com");
    await sandbox.db.whatsAppAccount.create({
      data: { shopId: second.id, wabaId: SEED.wabaId, phoneNumberId: "pn-second-store", displayPhoneNumber: "+1 555-010-0002", throughputLevel: "STANDARD", onboardingState: "CONNECTED" },
    });
    const third = await createShop(sandbox.db, "third-store.myshopify.com");
    await sandbox.db.whatsAppAccount.create({ data: { shopId: third.id, wabaId: SEED.wabaId, displayPhoneNumber: null, throughputLevel: null, onboardingState: "TOKEN_EXCHANGED" } });
    await simJson(sandbox.simUrl, "webhook", {
      method: "POST",
      body: { field: "phone_number_quality_update", wabaId: SEED.wabaId, value: { display_phone_number: "15550100001", event: "THROUGHPUT_UPGRADE", current_limit: "TIER_UNLIMITED" } },
    });
    await sandbox.settled();
    expect(await account()).toEqual({ messagingLimitTier: before.messagingLimitTier, throughputLevel: "HIGH" });
    expect(before.messagingLimitTier).not.toBe("TIER_UNLIMITED");
    expect(await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId: second.id }, select: { throughputLevel: true } })).toEqual({ throughputLevel: "STANDARD" });
    expect(await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId: third.id }, select: { throughputLevel: true } })).toEqual({ throughputLevel: null });
  });

  const subscribed = async () => (await simJson<{ wabas: { id: string; subscribed: boolean }[] }>(sandbox.simUrl, "state")).wabas.find((w) => w.id === SEED.wabaId)?.subscribed;

  it("one store leaving keeps the WABA's webhooks for the others (Meta keeps one subscription per app and WABA)", async () => {
    const sister = await createShop(sandbox.db, "sister-store.myshopify.com");
    await sandbox.db.whatsAppAccount.create({
      data: {
        shopId: sister.id,
        wabaId: SEED.wabaId,
        phoneNumberId: "pn-sister-store",
        displayPhoneNumber: "+1 555-010-0003",
        accessTokenCiphertext: encryptSecret(SEED.accessToken, sandbox.config.encryptionKey),
        onboardingState: "CONNECTED",
      },
    });
    expect(await subscribed()).toBe(true);
    const uninstall = await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, {
      topic: "app/uninstalled",
      shop: sister.domain,
      body: JSON.stringify({ id: 1, domain: sister.domain }),
    });
    expect(uninstall.receiptStatus).toBe("PROCESSED");
    expect((await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId: sister.id } })).onboardingState).toBe("DISCONNECTED");
    expect(await subscribed()).toBe(true);
  });

  it("a change naming a store's number under another WABA is not that store's", async () => {
    const before = await sandbox.db.message.count();
    await simJson(sandbox.simUrl, "webhook", {
      method: "POST",
      body: {
        field: "messages",
        wabaId: "990000000000001",
        value: {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: "15550100001", phone_number_id: SEED.cloudPhoneNumberId },
          contacts: [{ profile: { name: "Outra" }, wa_id: "5511977770101" }],
          messages: [{ from: "5511977770101", id: "wamid.other-waba.1", timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "Oi" } }],
        },
      },
    });
    await sandbox.settled();
    expect(await sandbox.db.message.count()).toBe(before);
    expect(await sandbox.db.contact.count({ where: { phoneE164: "+5511977770101" } })).toBe(0);
  });
});
