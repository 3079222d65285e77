// Cash-on-delivery confirmation end to end: an order placed in the Shopify
// simulator with Shopify's COD payment method gets the cod_confirmation
// template with two quick replies; the customer's tap (Meta's `button`
// message) tags the order in Shopify, read back through the simulator's
// GraphQL; a cancel can cancel the order; taps twice, late, or on an order
// Shopify cancelled change nothing; no answer gets one reminder, then the
// no-answer tag; the thread page shows the outcome in a browser.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { COD_PAYLOADS, runCodFollowUps } from "../app/messaging/cod.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { sandboxOfflineToken } from "../sandbox/seed";
import { SEED } from "../sandbox/simulator/state";
import { hasChromium, launchBrowser, newContext, screenshotPath } from "./helpers/browser";
import { createShop, testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, deliverShopifyWebhook, metaEnvelope, postMetaWebhook, simJson } from "./helpers/http";
import { orderPayload } from "./helpers/shopify-payloads";

const HOUR_MS = 60 * 60 * 1000;

interface SimMessage {
  wamid: string;
  to: string;
  template?: { name: string; language: string; buttons: string[] };
}

describe("cash-on-delivery confirmation", () => {
  let sandbox: Sandbox;
  let browser: Browser | undefined;
  let phoneSeq = 0;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 10 } });
    if (hasChromium) browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  /** Places a COD order in the simulated store, which delivers orders/create to the app. */
  async function placeCodOrder() {
    const phone = `55119777${String(++phoneSeq).padStart(5, "0")}`;
    const order = orderPayload({ payment_gateway_names: ["Cash on Delivery (COD)"], customer: { id: 700 + phoneSeq, first_name: "Rosa", phone: `+${phone}` } });
    const placed = await fetch(`${sandbox.shopify.url}/_sim/shopify/orders`, { method: "POST", body: JSON.stringify(order) });
    expect(await placed.json()).toEqual({ id: order.id });
    await sandbox.settled();
    return { order, phone };
  }
  const sentTo = async (phone: string) => (await simJson<SimMessage[]>(sandbox.simUrl, "messages")).filter((m) => m.to === phone);
  const askedOf = async (phone: string) => {
    await expect.poll(async () => (await sentTo(phone)).length, { timeout: 15_000 }).toBeGreaterThan(0);
    return (await sentTo(phone))[0]!;
  };
  const tap = async (phone: string, contextWamid: string, index: number) => {
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: `+${phone}`, contextWamid, button: { index }, phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
  };
  const cod = (shopifyOrderId: number) => sandbox.db.codConfirmation.findFirstOrThrow({ where: { order: { shopifyOrderId: String(shopifyOrderId) } } });
  /** The order as Shopify has it, read through the simulator's Admin GraphQL. */
  const shopifyOrder = async (id: number) => {
    const response = await fetch(`${sandbox.shopify.url}/admin/api/2026-10/graphql.json`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-access-token": sandboxOfflineToken(sandbox.shopDomain) },
      body: JSON.stringify({ query: `query { order(id: "gid://shopify/Order/${id}") { tags cancelledAt cancellation { staffNote } } }` }),
    });
    const { cancellation, ...order } = ((await response.json()) as { data: { order: { tags: string[]; cancelledAt: string | null; cancellation: { staffNote: string | null } | null } } }).data.order;
    return { ...order, ...(cancellation ? { staffNote: cancellation.staffNote } : {}) };
  };

  it("asks with two quick replies and tags the order confirmed; a second tap and a later Cancel change nothing", async () => {
    const { order, phone } = await placeCodOrder();
    const asked = await askedOf(phone);
    expect(asked.template).toMatchObject({ name: "cod_confirmation", language: "pt_BR", buttons: ["Confirmar pedido", "Cancelar pedido"] });
    expect((await sentTo(phone)).map((m) => m.template?.name)).toEqual(["cod_confirmation"]);

    await tap(phone, asked.wamid, 0);
    await expect.poll(async () => (await cod(order.id)).status, { timeout: 30_000 }).toBe("CONFIRMED");
    await expect.poll(async () => (await shopifyOrder(order.id)).tags, { timeout: 15_000 }).toEqual(["whatsapp-cod-confirmed"]);

    await tap(phone, asked.wamid, 0);
    await tap(phone, asked.wamid, 1);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await cod(order.id)).toMatchObject({ status: "CONFIRMED" });
    expect(await shopifyOrder(order.id)).toEqual({ tags: ["whatsapp-cod-confirmed"], cancelledAt: null });
    // The taps are in the thread as the customer's messages.
    expect(await sandbox.db.message.count({ where: { direction: "IN", type: "button", order: { shopifyOrderId: String(order.id) } } })).toBe(3);
  });

  it("cancels the order in Shopify on Cancel when the shop turned that on", async () => {
    await sandbox.db.shop.update({ where: { domain: sandbox.shopDomain }, data: { codCancelOrders: true } });
    const { order, phone } = await placeCodOrder();
    const asked = await askedOf(phone);
    await tap(phone, asked.wamid, 1);
    expect(await cod(order.id)).toMatchObject({ status: "CANCELLED" });
    // The note in the order's timeline is in the store's language (Portuguese here), as the merchant's admin reads it.
    await expect
      .poll(async () => shopifyOrder(order.id), { timeout: 15_000 })
      .toMatchObject({ tags: ["whatsapp-cod-cancelled"], cancelledAt: expect.any(String), staffNote: "O cliente cancelou este pedido com pagamento na entrega pelo WhatsApp." });
    // Shopify's orders/cancelled webhook comes back to the app.
    await expect.poll(async () => (await sandbox.db.order.findFirstOrThrow({ where: { shopifyOrderId: String(order.id) } })).cancelledAt, { timeout: 15_000 }).toBeInstanceOf(Date);
    await sandbox.db.shop.update({ where: { domain: sandbox.shopDomain }, data: { codCancelOrders: false } });
  });

  it("ignores a tap on an order Shopify already cancelled", async () => {
    const { order, phone } = await placeCodOrder();
    const asked = await askedOf(phone);
    await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, {
      topic: "orders/cancelled",
      shop: sandbox.shopDomain,
      body: JSON.stringify({ ...order, cancelled_at: new Date().toISOString() }),
    });
    await tap(phone, asked.wamid, 0);
    expect(await cod(order.id)).toMatchObject({ status: "ASKED", answeredAt: null });
    expect((await shopifyOrder(order.id)).tags).toEqual([]);
  });

  it("a tap from another customer naming this customer's question changes nothing", async () => {
    const { order, phone } = await placeCodOrder();
    const asked = await askedOf(phone);
    await tap("5511977799999", asked.wamid, 1);
    expect(await cod(order.id)).toMatchObject({ status: "ASKED", answeredAt: null });
    // Nor is that customer's message shown on this order, or counted as this customer's reply.
    const theirs = await sandbox.db.message.findFirstOrThrow({ where: { direction: "IN", contact: { phoneE164: "+5511977799999" } }, orderBy: { createdAt: "desc" } });
    expect(theirs.orderId).toBeNull();
    expect(await sandbox.db.message.findFirstOrThrow({ where: { wamid: asked.wamid } })).toMatchObject({ repliedAt: null });
    await tap(phone, asked.wamid, 0);
    expect(await cod(order.id)).toMatchObject({ status: "CONFIRMED" });
  });

  it("a tap sent to another shop's number that names this shop's question changes nothing here", async () => {
    const { order, phone } = await placeCodOrder();
    const asked = await askedOf(phone);
    // A second connected shop; its customer's tap quotes the first shop's wamid (wamids are only unique per number).
    const other = await createShop(sandbox.db, "cod-other.myshopify.com");
    await sandbox.db.whatsAppAccount.create({ data: { shopId: other.id, wabaId: "waba-cod-other", phoneNumberId: "pn-cod-other", currency: "USD", onboardingState: "CONNECTED" } });
    const tapOnOther = metaEnvelope("waba-cod-other", "messages", {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "15550002222", phone_number_id: "pn-cod-other" },
      contacts: [{ profile: { name: "Rosa" }, wa_id: phone }],
      messages: [
        {
          from: phone,
          id: `wamid.cod-other.${order.id}`,
          timestamp: String(Math.floor(Date.now() / 1000)),
          type: "button",
          context: { from: "15550002222", id: asked.wamid },
          button: { payload: COD_PAYLOADS.cancel, text: "Cancelar pedido" },
        },
      ],
    });
    expect((await postMetaWebhook(sandbox.appUrl, sandbox.env.META_APP_SECRET, tapOnOther)).status).toBe(200);
    await sandbox.settled();
    expect(await sandbox.db.message.count({ where: { shopId: other.id, direction: "IN" } })).toBe(1);
    expect(await cod(order.id)).toMatchObject({ status: "ASKED", answeredAt: null });
    expect((await shopifyOrder(order.id)).tags).toEqual([]);
  });

  it("reminds once after the shop's hours, then tags no-answer after 24 h", async () => {
    const { order, phone } = await placeCodOrder();
    await askedOf(phone);
    const { id } = await cod(order.id);
    await sandbox.db.codConfirmation.update({ where: { id }, data: { askedAt: new Date(Date.now() - 13 * HOUR_MS) } });
    await expect.poll(async () => (await sentTo(phone)).map((m) => m.template?.name), { timeout: 15_000 }).toEqual(["cod_confirmation", "cod_confirmation"]);

    await sandbox.db.codConfirmation.update({ where: { id }, data: { askedAt: new Date(Date.now() - 25 * HOUR_MS) } });
    await expect.poll(async () => (await shopifyOrder(order.id)).tags, { timeout: 15_000 }).toEqual(["whatsapp-cod-no-answer"]);
    expect(await cod(order.id)).toMatchObject({ status: "NO_ANSWER" });
    // Another round sends no second reminder.
    await runCodFollowUps({ db: sandbox.db, writeOutcome: async () => undefined });
    expect(await sentTo(phone)).toHaveLength(2);

    const home = await (await fetch(sandbox.adminUrl("/app"), { headers: { "user-agent": BROWSER_UA } })).text();
    expect(home).toContain("Cash-on-delivery confirmations (last 30 days)");
  });

  it.skipIf(!hasChromium)("shows the customer's answer on the order's thread page", async () => {
    const { order, phone } = await placeCodOrder();
    await tap(phone, (await askedOf(phone)).wamid, 0);
    await expect.poll(async () => (await cod(order.id)).syncedAt, { timeout: 15_000 }).toBeInstanceOf(Date);
    const context = await newContext(browser!);
    const page = await context.newPage();
    await page.goto(sandbox.adminUrl(`/app/orders/${order.id}`, { locale: "es" }));
    await page.getByText("El cliente confirmó este pedido por WhatsApp.").waitFor();
    await page.getByText("El pedido tiene la etiqueta en Shopify.").waitFor();
    await page.screenshot({ path: screenshotPath("cod-thread.png"), fullPage: true });
    await context.close();
  });
});
