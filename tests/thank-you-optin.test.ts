// The thank-you page opt-in, end to end: the checkout UI extension rendered in
// a DOM, ticked by the customer, calling the app over real HTTP with a checkout
// session token; the consent it records then lets an abandoned-cart message go,
// while Shopify's email consent alone does not.
import { readFileSync } from "node:fs";
import path from "node:path";

import { Window } from "happy-dom";
import { render } from "preact";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Prisma } from "../app/generated/prisma/client";
import { ROOT, startSandbox, type Sandbox } from "../sandbox/harness";
import { installShop } from "../sandbox/seed";
import { signCheckoutSessionToken } from "../sandbox/session-token";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, deliverShopifyWebhook, simJson } from "./helpers/http";
import { checkoutPayload, orderPayload } from "./helpers/shopify-payloads";

const catalog = JSON.parse(readFileSync(path.join(ROOT, "extensions/thank-you-optin/locales/es.json"), "utf8")) as Record<string, string>;

describe("thank-you page WhatsApp opt-in", () => {
  let sandbox: Sandbox;
  let shopId: string;
  const window = new Window();

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 5 } });
    shopId = (await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } })).id;
    await sandbox.db.automation.update({ where: { shopId_trigger: { shopId, trigger: "CHECKOUT_ABANDONED" } }, data: { enabled: true, delayMinutes: 0, quietHours: Prisma.DbNull } });
    // A second shop, installed, whose checkout names the first shop's order.
    await installShop(sandbox.db, sandbox.config, "other-store.myshopify.com");
    Object.assign(globalThis, { document: window.document });
    process.env.APP_URL = sandbox.appUrl;
  });
  afterAll(async () => {
    render(null, window.document.body);
    globalThis.fetch = nodeFetch;
    delete process.env.APP_URL;
    await sandbox?.stop();
  });

  const checkoutToken = (shop = sandbox.shopDomain, secret = sandbox.env.SHOPIFY_API_SECRET) => signCheckoutSessionToken({ shop, apiKey: sandbox.env.SHOPIFY_API_KEY, apiSecret: secret });
  // The checkout runs the extension in the customer's browser.
  const nodeFetch = globalThis.fetch;
  const browserFetch = (url: string, init: RequestInit = {}) => nodeFetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), "user-agent": BROWSER_UA } });
  const optIn = (body: unknown, token = checkoutToken()) =>
    browserFetch(`${sandbox.appUrl}/api/checkout/whatsapp-consent`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify(body) });

  /** Shows the block for an order as the checkout would, in Spanish. */
  async function showBlock(orderGid: string, number: string) {
    Object.assign(globalThis, {
      fetch: browserFetch,
      shopify: {
        orderConfirmation: { value: { order: { id: orderGid }, number, isFirstOrder: true } },
        sessionToken: { get: async () => checkoutToken() },
        localization: { language: { value: { isoCode: "es" } } },
        i18n: { translate: (key: string) => catalog[key] ?? key },
      },
    });
    const entry = path.join(ROOT, "extensions/thank-you-optin/src/OptIn.tsx");
    const { default: main } = (await import(/* @vite-ignore */ entry)) as { default: () => Promise<void> };
    await main();
  }

  async function waitForText(text: string) {
    for (let i = 0; i < 200 && !window.document.body.textContent?.includes(text); i++) await new Promise((resolve) => setTimeout(resolve, 25));
    return window.document.body.textContent ?? "";
  }

  it("records the ticked opt-in with the words shown and the order, and the cart message then goes; email consent alone sends nothing", async () => {
    // The customer's order is in Shopify, but its orders/create webhook has not arrived yet.
    const order = orderPayload({
      buyer_accepts_marketing: true,
      customer_locale: "es-MX",
      customer: { id: 7_700_001, first_name: "Rocío", phone: "5512340077", sms_marketing_consent: null },
      shipping_address: { country_code: "MX", phone: null },
    });
    const placed = (await (await fetch(`${sandbox.shopify.url}/_sim/shopify/orders`, { method: "POST", body: JSON.stringify({ shop: sandbox.shopDomain, order, webhook: false }) })).json()) as {
      id: number;
    };

    await showBlock(`gid://shopify/Order/${placed.id}`, order.confirmation_number);

    const checkbox = window.document.querySelector("s-checkbox")!;
    expect(checkbox.getAttribute("label")).toBe(catalog.label);
    checkbox.dispatchEvent(new window.Event("change"));
    expect(await waitForText(catalog.optedIn!)).toContain(catalog.optedIn);

    const contact = await sandbox.db.contact.findFirstOrThrow({ where: { shopId, phoneE164: "+525512340077" } });
    expect(contact).toMatchObject({ marketingConsent: true, marketingConsentSource: "thank_you_page" });
    const orderRow = await sandbox.db.order.findUniqueOrThrow({ where: { shopId_shopifyOrderId: { shopId, shopifyOrderId: String(placed.id) } } });
    const records = () => sandbox.db.consentRecord.findMany({ where: { contactId: contact.id }, select: { granted: true, source: true, text: true, locale: true, orderId: true } });
    expect(await records()).toEqual([{ granted: true, source: "thank_you_page", text: catalog.label, locale: "es", orderId: orderRow.id }]);
    // Ticked again after a reload: still one record.
    const again = await optIn({ orderId: `gid://shopify/Order/${placed.id}`, confirmationNumber: order.confirmation_number, text: catalog.label, locale: "es" });
    expect(await again.json()).toEqual({ result: "OPTED_IN" });
    expect(await records()).toHaveLength(1);

    // Later both customers leave a cart: the one who ticked the box gets the reminder; the email-only one does not.
    const emailOnly = orderPayload({ buyer_accepts_marketing: true, customer: { first_name: "Dani", phone: "+5511966660031", sms_marketing_consent: null } });
    await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(emailOnly) });
    await sandbox.settled();
    expect(await sandbox.db.consentRecord.count({ where: { shopId, contact: { phoneE164: "+5511966660031" } } })).toBe(0);
    const carts = [
      checkoutPayload({ buyer_accepts_marketing: true, customer: { first_name: "Rocío", phone: "5512340077", sms_marketing_consent: null }, shipping_address: { country_code: "MX" } }),
      checkoutPayload({ buyer_accepts_marketing: true, customer: { first_name: "Dani", phone: "+5511966660031", sms_marketing_consent: null }, shipping_address: { country_code: "BR" } }),
    ];
    for (const cart of carts)
      await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "checkouts/update", shop: sandbox.shopDomain, body: JSON.stringify(cart) });
    await sandbox.settled();
    const row = (id: number) => sandbox.db.message.findFirst({ where: { shopId, idempotencyKey: `CHECKOUT_ABANDONED:${id}` } });
    expect(await row(carts[1]!.id)).toMatchObject({ status: "SKIPPED", skipReason: "NO_CONSENT" });
    let sent: { to: string; template?: { name: string } }[] = [];
    for (let i = 0; i < 100 && !sent.some((m) => m.to === "525512340077"); i++) {
      sent = await simJson(sandbox.simUrl, "messages");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(sent.filter((m) => m.template?.name === "abandoned_cart").map((m) => m.to)).toEqual(["525512340077"]);
  });

  it("opts in only the buyer's own order: another order of the shop, another shop's token, a forged token and made-up words record nothing", async () => {
    const order = orderPayload({ customer: { first_name: "Iara", phone: "+5511966660032", sms_marketing_consent: null } });
    await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(order) });
    await sandbox.settled();
    const body = { orderId: `gid://shopify/Order/${order.id}`, confirmationNumber: order.confirmation_number, text: "Send me offers on WhatsApp", locale: "en" };

    // A checkout of the same shop naming this order without its confirmation number: the same answer as no order at all.
    for (const guess of [
      { ...body, confirmationNumber: "AAAAAAAAA" },
      { ...body, orderId: "gid://shopify/Order/1" },
    ]) {
      const answer = await optIn(guess);
      expect([answer.status, await answer.json()]).toEqual([404, { result: "UNKNOWN_ORDER" }]);
    }
    const madeUp = await optIn({ ...body, text: "I agree to receive anything" });
    expect([madeUp.status, await madeUp.json()]).toEqual([400, { error: "text: not the opt-in label the block shows" }]);

    const otherShop = await optIn(body, checkoutToken("other-store.myshopify.com"));
    expect(otherShop.status).toBe(404);
    expect(await otherShop.json()).toEqual({ result: "UNKNOWN_ORDER" });
    expect((await optIn(body, checkoutToken(sandbox.shopDomain, "not-the-app-secret"))).status).toBe(401);
    const malformed = await optIn({ orderId: String(order.id), text: "" });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({ error: "orderId: not an order id from the thank-you page" });
    expect(await sandbox.db.consentRecord.count({ where: { shopId, contact: { phoneE164: "+5511966660032" } } })).toBe(0);

    const ok = await optIn(body);
    expect(ok.status).toBe(200);
    expect(await sandbox.db.contact.findFirstOrThrow({ where: { shopId, phoneE164: "+5511966660032" } })).toMatchObject({ marketingConsent: true, marketingConsentSource: "thank_you_page" });

    // An order Shopify has but the app has not seen yet (its webhook is late), named with a guessed confirmation
    // number: the app reads it from Shopify to check, and records neither the order nor its customer.
    const unseen = orderPayload({ customer: { id: 7_700_033, first_name: "Olga", phone: "+5511966660033", sms_marketing_consent: null } });
    const placed = (await (
      await fetch(`${sandbox.shopify.url}/_sim/shopify/orders`, { method: "POST", body: JSON.stringify({ shop: sandbox.shopDomain, order: unseen, webhook: false }) })
    ).json()) as {
      id: number;
    };
    const guessed = await optIn({ ...body, orderId: `gid://shopify/Order/${placed.id}`, confirmationNumber: "AAAAAAAAA" });
    expect([guessed.status, await guessed.json()]).toEqual([404, { result: "UNKNOWN_ORDER" }]);
    expect(await sandbox.db.order.count({ where: { shopId, shopifyOrderId: String(placed.id) } })).toBe(0);
    expect(await sandbox.db.contact.count({ where: { shopId, phoneE164: "+5511966660033" } })).toBe(0);
  });
});
