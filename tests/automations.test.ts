import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import type { Db } from "../app/core/db.server";
import { Prisma } from "../app/generated/prisma/client";
import { orderPayloadSchema, recordOrder } from "../app/shopify/orders.server";
import { applyShopifySmsConsent } from "../app/shopify/sms-consent.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, deliverShopifyWebhook, simJson } from "./helpers/http";
import { checkoutPayload, fulfillmentPayload, orderPayload } from "./helpers/shopify-payloads";

interface SimMessage {
  to: string;
  type: string;
  template?: { name: string; language: string; category: string; parameters: string[] };
}

describe("automations: signed Shopify webhooks → approved templates at the simulator", () => {
  let sandbox: Sandbox;
  let shopId: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 5 } });
    // These cart customers consented through Shopify's SMS marketing consent, which the shop lets count for WhatsApp.
    shopId = (await sandbox.db.shop.update({ where: { domain: sandbox.shopDomain }, data: { smsConsentCountsForWhatsApp: true } })).id;
  });
  afterAll(async () => {
    await sandbox?.stop();
  });
  beforeEach(async () => {
    await simJson(sandbox.simUrl, "messages", { method: "DELETE" });
  });

  const deliver = (topic: string, payload: unknown, eventId?: string) =>
    deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic, shop: sandbox.shopDomain, body: JSON.stringify(payload), eventId });
  const sent = () => simJson<SimMessage[]>(sandbox.simUrl, "messages");
  async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 8000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (done(value) || Date.now() > deadline) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const rowFor = (key: string) => sandbox.db.message.findFirst({ where: { shopId, idempotencyKey: key } });
  const enableCart = (data: Record<string, unknown> = {}) =>
    sandbox.db.automation.update({ where: { shopId_trigger: { shopId, trigger: "CHECKOUT_ABANDONED" } }, data: { enabled: true, quietHours: Prisma.DbNull, ...data } });

  it("an order that names no language gets the store's, its total written as the store's language writes it", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { id: shopId } });
    expect(shop.locale).toBe("pt-BR");
    const order = orderPayload({ customer_locale: null, total_price: "1234.50", customer: { id: 88_000_001, first_name: "Ana", phone: "+5511987650099" } });
    expect((await deliver("orders/create", order)).status).toBe(200);
    const messages = await waitFor(sent, (m) => m.some((x) => x.to === "5511987650099"));
    expect(messages.find((m) => m.to === "5511987650099")).toMatchObject({ template: { language: "pt_BR", parameters: ["Ana", order.name, "R$ 1.234,50"] } });
  });

  it("an order sends one confirmation in the customer's language, however often the webhook comes", async () => {
    const order = orderPayload();
    const eventId = crypto.randomUUID();
    for (let i = 0; i < 3; i++) expect((await deliver("orders/create", order, eventId)).status).toBe(200);
    // Shopify can also resend the same order under a new event id.
    expect((await deliver("orders/create", order)).status).toBe(200);
    const messages = await waitFor(sent, (m) => m.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await sent()).toHaveLength(1);
    expect(messages[0]).toMatchObject({ to: "5511987654321", template: { name: "order_confirmation", language: "pt_BR", parameters: ["Ana", order.name, "R$ 149,90"] } });
    const row = await rowFor(`ORDER_CREATED:${order.id}`);
    expect(row).toMatchObject({ direction: "OUT", source: "AUTOMATION", recipientPhone: "+5511987654321", market: "Brazil" });
    expect(await sandbox.db.message.count({ where: { shopId, idempotencyKey: `ORDER_CREATED:${order.id}` } })).toBe(1);
  });

  it("a fulfillment with tracking sends the shipping update with the tracking URL", async () => {
    const order = orderPayload({ customer_locale: "es-AR", customer: { first_name: "Lucía", phone: "+5491123456789" }, shipping_address: { country_code: "AR" } });
    await deliver("orders/create", order);
    const fulfillment = fulfillmentPayload(order.id);
    expect((await deliver("fulfillments/create", fulfillment)).status).toBe(200);
    const messages = await waitFor(sent, (m) => m.some((x) => x.template?.name === "shipping_update"));
    expect(messages.find((m) => m.template?.name === "shipping_update")).toMatchObject({
      template: { language: "es", parameters: ["Lucía", order.name, fulfillment.tracking_url] },
    });
    await deliver("fulfillments/update", { ...fulfillment, shipment_status: "out_for_delivery" });
    await deliver("fulfillments/update", { ...fulfillment, shipment_status: "delivered" });
    const later = await waitFor(sent, (m) => m.some((x) => x.template?.name === "order_delivered"));
    expect(later.map((m) => m.template?.name).sort()).toEqual(["order_confirmation", "order_delivered", "out_for_delivery", "shipping_update"]);
  });

  it("a cancelled order sends the cancellation", async () => {
    const order = orderPayload({ customer_locale: "en", customer: { first_name: "Sam", phone: "+447911123456" }, shipping_address: { country_code: "GB" } });
    await deliver("orders/cancelled", { ...order, cancelled_at: new Date().toISOString() });
    const messages = await waitFor(sent, (m) => m.length > 0);
    expect(messages).toMatchObject([{ to: "447911123456", template: { name: "order_cancelled", language: "en_US", parameters: ["Sam", order.name] } }]);
  });

  it("records an order without a usable phone as skipped, with the reason", async () => {
    const order = orderPayload({ customer: { first_name: "Zé", phone: "12" }, shipping_address: { country_code: "BR", phone: null } });
    await deliver("orders/create", order);
    expect(await rowFor(`ORDER_CREATED:${order.id}`)).toMatchObject({ status: "SKIPPED", skipReason: "NO_PHONE" });
    // The merchant sees it on the home page, with the order and the reason.
    const home = await (await fetch(sandbox.adminUrl("/app"), { headers: { "user-agent": BROWSER_UA } })).text();
    expect(home).toContain("Messages that did not go out");
    expect(home).toMatch(new RegExp(`${order.name}[\\s\\S]*?order_confirmation[\\s\\S]*?Skipped[\\s\\S]*?No valid phone number on the order`));
  });

  it("an abandoned checkout gets its reminder only after the delay", async () => {
    await enableCart({ delayMinutes: 1 });
    const checkout = checkoutPayload({ updated_at: new Date(Date.now() - 57_000).toISOString() });
    expect((await deliver("checkouts/update", checkout)).status).toBe(200);
    expect(await rowFor(`CHECKOUT_ABANDONED:${checkout.id}`)).toMatchObject({ status: "SCHEDULED" });
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await sent()).toEqual([]);
    const messages = await waitFor(sent, (m) => m.length > 0, 10_000);
    expect(messages).toMatchObject([
      { to: "525512345678", template: { name: "abandoned_cart", category: "marketing", language: "es", parameters: ["Bruno", "Tenis Rojos", checkout.abandoned_checkout_url] } },
    ]);
  });

  it("sends the optional second reminder after its own delay, and neither once the order arrives", async () => {
    await enableCart({ delayMinutes: 1, secondReminderDelayMinutes: 2 });
    const checkout = checkoutPayload({
      updated_at: new Date(Date.now() - 117_000).toISOString(),
      customer: { first_name: "Bruno", phone: "+525587654321", sms_marketing_consent: { state: "subscribed" } },
    });
    await deliver("checkouts/update", checkout);
    await waitFor(sent, (m) => m.length === 1);
    expect(await rowFor(`CHECKOUT_ABANDONED:${checkout.id}:second`)).toMatchObject({ status: "SCHEDULED" });
    const both = await waitFor(sent, (m) => m.length === 2, 10_000);
    expect(both.map((m) => [m.to, m.template?.name])).toEqual([
      ["525587654321", "abandoned_cart"],
      ["525587654321", "abandoned_cart"],
    ]);

    const converted = checkoutPayload({
      updated_at: new Date(Date.now() - 30_000).toISOString(),
      customer: { first_name: "Eva", phone: "+525511112222", sms_marketing_consent: { state: "subscribed" } },
    });
    await deliver("checkouts/update", converted);
    await deliver("orders/create", orderPayload({ checkout_token: converted.token, customer: converted.customer, shipping_address: { country_code: "MX" } }));
    expect(await rowFor(`CHECKOUT_ABANDONED:${converted.id}`)).toMatchObject({ status: "CANCELLED" });
    expect(await rowFor(`CHECKOUT_ABANDONED:${converted.id}:second`)).toMatchObject({ status: "CANCELLED" });
    await enableCart({ secondReminderDelayMinutes: null });
  });

  it("sends no reminder when the order arrives first", async () => {
    await enableCart({ delayMinutes: 1 });
    const checkout = checkoutPayload({ updated_at: new Date(Date.now() - 57_000).toISOString() });
    await deliver("checkouts/create", checkout);
    await deliver("orders/create", orderPayload({ checkout_token: checkout.token, customer: checkout.customer, customer_locale: "es-MX", shipping_address: { country_code: "MX" } }));
    await new Promise((resolve) => setTimeout(resolve, 4500));
    expect((await sent()).filter((m) => m.template?.name === "abandoned_cart")).toEqual([]);
    expect(await rowFor(`CHECKOUT_ABANDONED:${checkout.id}`)).toMatchObject({ status: "CANCELLED", skipReason: "CHECKOUT_COMPLETED" });
  });

  it("counts neither Shopify's email consent nor, unless the shop says so, its SMS consent; START on WhatsApp opts in", async () => {
    await enableCart({ delayMinutes: 0 });
    await sandbox.db.shop.update({ where: { id: shopId }, data: { smsConsentCountsForWhatsApp: false } });
    try {
      const emailOnly = checkoutPayload({
        buyer_accepts_marketing: true,
        customer: { first_name: "Dani", phone: "+5511966660010", sms_marketing_consent: null },
        shipping_address: { country_code: "BR" },
      });
      const smsOnly = checkoutPayload({
        buyer_accepts_marketing: false,
        customer: { first_name: "Lia", phone: "+5511966660011", sms_marketing_consent: { state: "subscribed" } },
        shipping_address: { country_code: "BR" },
      });
      await deliver("checkouts/update", emailOnly);
      await deliver("checkouts/update", smsOnly);
      for (const checkout of [emailOnly, smsOnly]) expect(await rowFor(`CHECKOUT_ABANDONED:${checkout.id}`)).toMatchObject({ status: "SKIPPED", skipReason: "NO_CONSENT" });

      await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: "+5511966660010", text: "START" } });
      await sandbox.settled();
      expect(await sandbox.db.contact.findFirstOrThrow({ where: { phoneE164: "+5511966660010" } })).toMatchObject({ marketingConsent: true, marketingConsentSource: "whatsapp_keyword:START" });
      const later = checkoutPayload({
        buyer_accepts_marketing: false,
        customer: { first_name: "Dani", phone: "+5511966660010", sms_marketing_consent: null },
        shipping_address: { country_code: "BR" },
      });
      await deliver("checkouts/update", later);
      const messages = await waitFor(sent, (m) => m.some((x) => x.to === "5511966660010"), 10_000);
      expect(messages.filter((m) => m.to === "5511966660010").map((m) => m.template?.name)).toEqual(["abandoned_cart"]);
    } finally {
      await sandbox.db.shop.update({ where: { id: shopId }, data: { smsConsentCountsForWhatsApp: true } });
    }
  });

  it("sends no marketing without consent, nor to blocked markets", async () => {
    await enableCart({ delayMinutes: 0 });
    const noConsent = checkoutPayload({
      buyer_accepts_marketing: false,
      customer: { first_name: "Caro", phone: "+5511955550000", sms_marketing_consent: { state: "not_subscribed" } },
      shipping_address: { country_code: "BR" },
    });
    await deliver("checkouts/update", noConsent);
    const us = checkoutPayload({ customer: { first_name: "Joe", phone: "+12025550143", sms_marketing_consent: { state: "subscribed" } }, shipping_address: { country_code: "US" } });
    await deliver("checkouts/update", us);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await sent()).toEqual([]);
    expect(await rowFor(`CHECKOUT_ABANDONED:${noConsent.id}`)).toMatchObject({ status: "SKIPPED", skipReason: "NO_CONSENT" });
    expect(await rowFor(`CHECKOUT_ABANDONED:${us.id}`)).toMatchObject({ status: "SKIPPED", skipReason: "BLOCKED_MARKET?country=US" });
  });

  it("holds marketing during the shop's quiet hours (shop timezone) until they end", async () => {
    await enableCart({ delayMinutes: 0 });
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { id: shopId } });
    const localHour = Number(new Intl.DateTimeFormat("en-GB", { timeZone: shop.timezone, hour: "2-digit", hourCycle: "h23" }).format(new Date()));
    const start = `${String(localHour).padStart(2, "0")}:00`;
    const end = `${String((localHour + 2) % 24).padStart(2, "0")}:00`;
    await enableCart({ delayMinutes: 0, quietHours: { start, end } });
    const checkout = checkoutPayload({ customer: { first_name: "Noa", phone: "+5511922221111", sms_marketing_consent: { state: "subscribed" } }, shipping_address: { country_code: "BR" } });
    await deliver("checkouts/update", checkout);
    const row = await rowFor(`CHECKOUT_ABANDONED:${checkout.id}`);
    expect(row?.status).toBe("SCHEDULED");
    const endsAt = row!.scheduledFor!;
    expect(endsAt.getTime()).toBeGreaterThan(Date.now() + 55 * 60 * 1000);
    expect(Number(new Intl.DateTimeFormat("en-GB", { timeZone: shop.timezone, hour: "2-digit", hourCycle: "h23" }).format(endsAt))).toBe((localHour + 2) % 24);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await sent()).toEqual([]);
  });

  it('"BAJA" from the customer stops further marketing at once', async () => {
    await enableCart({ delayMinutes: 0 });
    const phone = "+5511944443333";
    const first = checkoutPayload({ customer: { first_name: "Rita", phone, sms_marketing_consent: { state: "subscribed" } }, shipping_address: { country_code: "BR" }, customer_locale: "pt-BR" });
    await deliver("checkouts/update", first);
    await waitFor(sent, (m) => m.length > 0);
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: phone, text: "BAJA" } });
    await sandbox.settled();
    const contact = await sandbox.db.contact.findFirstOrThrow({ where: { shopId, phoneE164: phone } });
    expect(contact).toMatchObject({ marketingConsent: false, marketingOptOutSource: "whatsapp_keyword:BAJA" });
    expect(contact.marketingOptedOutAt).not.toBeNull();

    const second = checkoutPayload({ customer: { first_name: "Rita", phone, sms_marketing_consent: { state: "subscribed" } }, shipping_address: { country_code: "BR" } });
    await deliver("checkouts/update", second);
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect((await sent()).filter((m) => m.to === phone.slice(1))).toHaveLength(1);
    expect(await rowFor(`CHECKOUT_ABANDONED:${second.id}`)).toMatchObject({ status: "SKIPPED", skipReason: "OPTED_OUT" });
  });

  it("ends a consent taken from Shopify's SMS marketing when the customer unsubscribes there, and only that one", async () => {
    await enableCart({ delayMinutes: 0 });
    const checkout = (phone: string, state: string) =>
      checkoutPayload({ customer: { first_name: "Rui", phone, sms_marketing_consent: { state } }, shipping_address: { country_code: "BR" }, customer_locale: "pt-BR" });
    const fromSms = "+5511944443401";
    await deliver("checkouts/update", checkout(fromSms, "subscribed"));
    await waitFor(sent, (m) => m.some((x) => x.to === fromSms.slice(1)));
    const withdrawn = checkout(fromSms, "unsubscribed");
    await deliver("checkouts/update", withdrawn);
    expect(await rowFor(`CHECKOUT_ABANDONED:${withdrawn.id}`)).toMatchObject({ status: "SKIPPED", skipReason: "OPTED_OUT" });
    const contact = await sandbox.db.contact.findFirstOrThrow({ where: { shopId, phoneE164: fromSms } });
    expect(contact).toMatchObject({ marketingConsent: false, marketingOptOutSource: "shopify_sms" });

    // Consent given in WhatsApp itself is the customer's word there: Shopify's SMS list does not take it back.
    const fromWhatsApp = "+5511944443402";
    await deliver("checkouts/update", checkout(fromWhatsApp, "not_subscribed"));
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: fromWhatsApp, text: "START" } });
    await sandbox.settled();
    const after = checkout(fromWhatsApp, "unsubscribed");
    await deliver("checkouts/update", after);
    expect(await rowFor(`CHECKOUT_ABANDONED:${after.id}`)).toMatchObject({ status: expect.not.stringMatching(/^SKIPPED$/) });
  });

  it("learns SMS consent from Shopify's consent webhook (order payloads no longer carry it): given, withdrawn, given again, never over a WhatsApp STOP", async () => {
    await enableCart({ delayMinutes: 0 });
    const customers = [
      { id: 9_500_001, firstName: "Tina", phone: "(11) 94444-3501", countryCode: "BR" },
      { id: 9_500_002, firstName: "Ugo", phone: "(11) 94444-3502", countryCode: "BR" },
    ];
    expect((await fetch(`${sandbox.shopify.url}/_sim/shopify/customers`, { method: "POST", body: JSON.stringify({ shop: sandbox.shopDomain, customers }) })).status).toBe(200);
    const consent = async (id: number, state: string) => {
      await simJson(sandbox.shopify.url, "shopify/sms-consent", { method: "POST", body: { shop: sandbox.shopDomain, id, state } });
      await sandbox.settled();
    };
    const contact = (phone: string) => sandbox.db.contact.findFirstOrThrow({ where: { shopId, phoneE164: phone } });
    // A checkout as Shopify sends it from 2025-01: the customer without sms_marketing_consent.
    const reminder = async (phone: string) => {
      const checkout = checkoutPayload({ customer: { first_name: "Tina", phone }, shipping_address: { country_code: "BR" }, customer_locale: "pt-BR" });
      await deliver("checkouts/update", checkout);
      return rowFor(`CHECKOUT_ABANDONED:${checkout.id}`);
    };

    await consent(9_500_001, "SUBSCRIBED");
    expect(await contact("+5511944443501")).toMatchObject({ marketingConsent: true, marketingConsentSource: "shopify_sms", shopifyCustomerId: "9500001" });
    expect(await reminder("+5511944443501")).toMatchObject({ status: expect.not.stringMatching(/^SKIPPED$/) });

    await consent(9_500_001, "UNSUBSCRIBED");
    expect(await contact("+5511944443501")).toMatchObject({ marketingConsent: false, marketingOptOutSource: "shopify_sms" });
    expect(await reminder("+5511944443501")).toMatchObject({ status: "SKIPPED", skipReason: "OPTED_OUT" });

    await consent(9_500_001, "SUBSCRIBED");
    expect(await contact("+5511944443501")).toMatchObject({ marketingConsent: true, marketingConsentSource: "shopify_sms" });

    // STOP on WhatsApp is the customer's word there: Shopify's SMS list does not undo it.
    await consent(9_500_002, "SUBSCRIBED");
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: "+5511944443502", text: "STOP" } });
    await sandbox.settled();
    await consent(9_500_002, "SUBSCRIBED");
    expect(await contact("+5511944443502")).toMatchObject({ marketingConsent: false, marketingOptOutSource: "whatsapp_keyword:STOP" });
  });

  it("a withdrawal Shopify delivers before the consent it follows stands, for a customer the app knows or not", async () => {
    await enableCart({ delayMinutes: 0 });
    const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    const update = async (id: number, phone: string, state: string, at: string | null) => {
      const body = { id, email: null, phone, sms_marketing_consent: { state, opt_in_level: "single_opt_in", consent_updated_at: at, consent_collected_from: "SHOPIFY" } };
      await deliver("customers_marketing_consent/update", body);
      await sandbox.settled();
    };
    const reminder = async (phone: string) => {
      const checkout = checkoutPayload({ customer: { first_name: "Wes", phone }, shipping_address: { country_code: "BR" }, customer_locale: "pt-BR" });
      await deliver("checkouts/update", checkout);
      return rowFor(`CHECKOUT_ABANDONED:${checkout.id}`);
    };
    // One customer the app has never seen; one it knows from an order, without consent.
    const known = orderPayload({ customer: { id: 9_500_005, first_name: "Xana", phone: "+5511944443505" } });
    await deliver("orders/create", known);
    await sandbox.settled();
    for (const [id, phone] of [
      [9_500_004, "+5511944443504"],
      [9_500_005, "+5511944443505"],
    ] as const) {
      const [given, withdrawn] = [minutesAgo(2), minutesAgo(1)];
      await update(id, phone, "unsubscribed", withdrawn);
      await update(id, phone, "subscribed", given);
      expect(await sandbox.db.contact.findFirstOrThrow({ where: { shopId, phoneE164: phone } })).toMatchObject({ marketingConsent: false });
      expect(await reminder(phone)).toMatchObject({ status: "SKIPPED" });
      // The same withdrawal delivered again is one record; a consent given after it counts.
      await update(id, phone, "unsubscribed", withdrawn);
      expect(await sandbox.db.consentRecord.count({ where: { shopId, contact: { phoneE164: phone }, source: "shopify_sms", granted: false } })).toBe(1);
      await update(id, phone, "subscribed", minutesAgo(0));
      expect(await sandbox.db.contact.findFirstOrThrow({ where: { shopId, phoneE164: phone } })).toMatchObject({ marketingConsent: true, marketingConsentSource: "shopify_sms" });
    }

    // A withdrawal and a grant of the same moment: the withdrawal stands.
    const tie = minutesAgo(5);
    await update(9_500_009, "+5511944443509", "unsubscribed", tie);
    await update(9_500_009, "+5511944443509", "subscribed", tie);
    expect(await sandbox.db.contact.findFirstOrThrow({ where: { shopId, phoneE164: "+5511944443509" } })).toMatchObject({ marketingConsent: false });
    // A grant that does not say when it was given (or says a time far ahead) is not known to come after the withdrawal.
    for (const at of [null, new Date(Date.now() + 30 * 86_400_000).toISOString()]) {
      await update(9_500_009, "+5511944443509", "subscribed", at);
      expect(await sandbox.db.contact.findFirstOrThrow({ where: { shopId, phoneE164: "+5511944443509" } })).toMatchObject({ marketingConsent: false });
    }

    // A checkout whose SMS box was ticked before a withdrawal Shopify delivered first grants nothing either; one ticked
    // after it does, dated when Shopify recorded the checkout.
    const guest = (updatedAt: string) =>
      checkoutPayload({
        customer: null,
        phone: null,
        email: null,
        buyer_accepts_sms_marketing: true,
        sms_marketing_phone: "+5511944443506",
        shipping_address: { first_name: "Yara", phone: null, country_code: "BR" },
        customer_locale: "pt-BR",
        created_at: updatedAt,
        updated_at: updatedAt,
      });
    await update(9_500_006, "+5511944443506", "unsubscribed", minutesAgo(1));
    const before = guest(minutesAgo(2));
    await deliver("checkouts/update", before);
    expect(await rowFor(`CHECKOUT_ABANDONED:${before.id}`)).toMatchObject({ status: "SKIPPED", skipReason: "NO_CONSENT" });
    const after = guest(minutesAgo(0));
    await deliver("checkouts/update", after);
    expect(await rowFor(`CHECKOUT_ABANDONED:${after.id}`)).toMatchObject({ status: expect.not.stringMatching(/^SKIPPED$/) });
    const yara = await sandbox.db.contact.findFirstOrThrow({ where: { shopId, phoneE164: "+5511944443506" } });
    expect(yara).toMatchObject({ marketingConsent: true, marketingConsentSource: "shopify_sms", marketingConsentAt: new Date(after.updated_at) });
  });

  it("an order read from the Admin API dates its customer's SMS consent when Shopify says it changed, not when the order was placed", async () => {
    const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    const update = async (id: number, phone: string, state: string, at: string) => {
      const body = { id, email: null, phone, sms_marketing_consent: { state, opt_in_level: "single_opt_in", consent_updated_at: at, consent_collected_from: "SHOPIFY" } };
      await deliver("customers_marketing_consent/update", body);
      await sandbox.settled();
    };
    // A change Shopify made whose webhook never reached the app: the Admin API still shows it, with its date.
    const changeUnheard = (id: number, state: string, updatedAt: string) =>
      simJson(sandbox.shopify.url, "shopify/sms-consent", { method: "POST", body: { shop: sandbox.shopDomain, id, state, updatedAt, webhook: false } });
    // An order placed three days ago whose orders/create is late: a fulfillment makes the app read it from the Admin API.
    const readFromAdmin = async (id: number, phone: string) => {
      const order = orderPayload({ created_at: minutesAgo(3 * 24 * 60), customer: { id, first_name: "Zoe", phone }, shipping_address: { country_code: "BR" } });
      expect((await fetch(`${sandbox.shopify.url}/_sim/shopify/orders`, { method: "POST", body: JSON.stringify({ shop: sandbox.shopDomain, order, webhook: false }) })).status).toBe(200);
      return order;
    };
    const contact = (phone: string) => sandbox.db.contact.findFirstOrThrow({ where: { shopId, phoneE164: phone } });

    // Given an hour ago, withdrawn half an hour ago in Shopify (webhook lost): the withdrawal ends the consent.
    const withdrawn = { id: 9_500_007, phone: "+5511944443507" };
    await update(withdrawn.id, withdrawn.phone, "subscribed", minutesAgo(60));
    expect(await contact(withdrawn.phone)).toMatchObject({ marketingConsent: true });
    const first = await readFromAdmin(withdrawn.id, withdrawn.phone);
    const withdrawnAt = minutesAgo(30);
    await changeUnheard(withdrawn.id, "UNSUBSCRIBED", withdrawnAt);
    await deliver("fulfillments/create", fulfillmentPayload(first.id));
    await sandbox.settled();
    expect(await sandbox.db.order.findFirst({ where: { shopId, shopifyOrderId: String(first.id) } })).not.toBeNull();
    expect(await contact(withdrawn.phone)).toMatchObject({ marketingConsent: false, marketingOptOutSource: "shopify_sms", marketingOptedOutAt: new Date(withdrawnAt) });

    // Withdrawn an hour ago, given again half an hour ago in Shopify (webhook lost): the new consent counts, dated then.
    const regiven = { id: 9_500_008, phone: "+5511944443508" };
    await update(regiven.id, regiven.phone, "unsubscribed", minutesAgo(60));
    const second = await readFromAdmin(regiven.id, regiven.phone);
    const givenAt = minutesAgo(30);
    await changeUnheard(regiven.id, "SUBSCRIBED", givenAt);
    await deliver("fulfillments/create", fulfillmentPayload(second.id));
    await sandbox.settled();
    expect(await contact(regiven.phone)).toMatchObject({ marketingConsent: true, marketingConsentSource: "shopify_sms", marketingConsentAt: new Date(givenAt) });

    // Withdrawn half an hour ago with nothing here to end, read with the order; the grant it followed, delivered late,
    // grants nothing.
    const unheard = { id: 9_500_011, phone: "+5511944443511" };
    const third = await readFromAdmin(unheard.id, unheard.phone);
    await changeUnheard(unheard.id, "UNSUBSCRIBED", minutesAgo(30));
    await deliver("fulfillments/create", fulfillmentPayload(third.id));
    await sandbox.settled();
    await update(unheard.id, unheard.phone, "subscribed", minutesAgo(60));
    expect(await contact(unheard.phone)).toMatchObject({ marketingConsent: false });
  });

  it("a consent for a new customer recorded while their order records them keeps one customer, consented", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { id: shopId } });
    const phone = "+5511944443510";
    const order = orderPayloadSchema.parse(orderPayload({ customer: { id: 9_500_010, first_name: "Ada", phone }, shipping_address: { country_code: "BR" } }));
    // The consent's look for the customer finds nobody; the order records them before the consent writes.
    let raced = false;
    const racing = sandbox.db.$extends({
      query: {
        contact: {
          async findMany({ args, query }) {
            const found = await query(args);
            if (!raced) {
              raced = true;
              await recordOrder(sandbox.db, shop, order);
            }
            return found;
          },
        },
      },
    }) as unknown as Db;
    const consent = { id: 9_500_010, phone, sms_marketing_consent: { state: "subscribed", consent_updated_at: new Date().toISOString() } };
    expect(await applyShopifySmsConsent(racing, shop, consent)).toBe("PROCESSED");
    expect(raced).toBe(true);
    expect(await sandbox.db.contact.findMany({ where: { shopId, phoneE164: phone }, select: { marketingConsent: true, marketingConsentSource: true } })).toEqual([
      { marketingConsent: true, marketingConsentSource: "shopify_sms" },
    ]);
  });

  it("a guest's cart reminder goes to the phone given in the checkout's SMS box, when they ticked it", async () => {
    await enableCart({ delayMinutes: 0 });
    const guest = (phone: string, ticked: boolean) =>
      checkoutPayload({
        customer: null,
        phone: null,
        email: null,
        buyer_accepts_sms_marketing: ticked,
        sms_marketing_phone: phone,
        shipping_address: { first_name: "Vera", phone: null, country_code: "BR" },
        customer_locale: "pt-BR",
      });
    const ticked = guest("(11) 94444-3601", true);
    await deliver("checkouts/update", ticked);
    expect(await rowFor(`CHECKOUT_ABANDONED:${ticked.id}`)).toMatchObject({ status: expect.not.stringMatching(/^SKIPPED$/) });
    await waitFor(sent, (m) => m.some((x) => x.to === "5511944443601"));

    const unticked = guest("(11) 94444-3602", false);
    await deliver("checkouts/update", unticked);
    expect(await rowFor(`CHECKOUT_ABANDONED:${unticked.id}`)).toMatchObject({ status: "SKIPPED", skipReason: "NO_CONSENT" });
  });

  it("never retries a permanent error, records it with the reason, and retries a transient one", async () => {
    await simJson(sandbox.simUrl, "fail-next", { method: "POST", body: { code: 131026 } });
    const undeliverable = orderPayload({ customer: { first_name: "Ana", phone: "+5511933332222" } });
    await deliver("orders/create", undeliverable);
    const failed = await waitFor(
      () => rowFor(`ORDER_CREATED:${undeliverable.id}`),
      (m) => m?.status === "FAILED",
    );
    expect(failed).toMatchObject({ status: "FAILED", errorCode: 131026, attempts: 1 });

    await simJson(sandbox.simUrl, "fail-next", { method: "POST", body: { code: 131000 } });
    const transient = orderPayload({ customer: { first_name: "Ana", phone: "+5511933331111" } });
    await deliver("orders/create", transient);
    const retried = await waitFor(
      () => rowFor(`ORDER_CREATED:${transient.id}`),
      (m) => m?.status === "SENT" || m?.status === "DELIVERED" || m?.status === "READ",
      10_000,
    );
    expect(retried?.attempts).toBe(2);
    expect((await sent()).filter((m) => m.to === "5511933331111")).toHaveLength(1);
  });
});
