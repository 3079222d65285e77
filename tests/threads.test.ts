import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSandbox, type Sandbox } from "../sandbox/harness";
import { installShop } from "../sandbox/seed";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, deliverShopifyWebhook, simJson } from "./helpers/http";
import { fulfillmentPayload, orderPayload } from "./helpers/shopify-payloads";

interface Thread {
  order: { name: string };
  timezone: string;
  messages: { direction: string; source: string; templateName: string | null; text: string | null; status: string }[];
}

describe("order threads for the admin order-page block", () => {
  let sandbox: Sandbox;
  const otherShop = "other-store.myshopify.com";

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 10 } });
    await installShop(sandbox.db, sandbox.config, otherShop);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const deliver = (topic: string, payload: unknown) =>
    deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic, shop: sandbox.shopDomain, body: JSON.stringify(payload) });
  const thread = (orderId: string, shop = sandbox.shopDomain) =>
    fetch(`${sandbox.appUrl}/api/orders/${encodeURIComponent(orderId)}/thread`, {
      headers: { authorization: `Bearer ${sandbox.sessionToken(shop)}`, origin: "https://extensions.shopifycdn.com", "user-agent": BROWSER_UA },
    });
  async function settle(check: () => Promise<boolean>) {
    for (let i = 0; i < 100 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pause = () => new Promise((resolve) => setTimeout(resolve, 1100));

  it("shows the confirmation, the customer's reply, a phone-app message and the shipping update, in order, with sources and statuses", async () => {
    const order = orderPayload();
    await deliver("orders/create", order);
    const confirmation = () => sandbox.db.message.findFirst({ where: { idempotencyKey: `ORDER_CREATED:${order.id}` } });
    await settle(async () => (await confirmation())?.status === "READ");
    const confirmationRow = (await confirmation())!;
    await pause();

    await simJson(sandbox.simUrl, "inbound", {
      method: "POST",
      body: { from: "+5511987654321", text: "Obrigada! Vocês entregam no sábado?", phoneNumberId: SEED.cloudPhoneNumberId, contextWamid: confirmationRow.wamid },
    });
    await sandbox.settled();
    await pause();
    await simJson(sandbox.simUrl, "echo", { method: "POST", body: { to: "+5511987654321", text: "Entregamos sim, até às 14h.", phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
    await pause();
    await deliver("fulfillments/create", fulfillmentPayload(order.id));
    await settle(async () => (await sandbox.db.message.count({ where: { idempotencyKey: { startsWith: `FULFILLMENT_CREATED:${order.id}` }, status: "READ" } })) === 1);

    const response = await thread(`gid://shopify/Order/${order.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://extensions.shopifycdn.com");
    const body = (await response.json()) as Thread;
    expect(body.order.name).toBe(order.name);
    expect(body.timezone).toBe((await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } })).timezone);
    expect(body.messages.map((m) => [m.direction, m.source, m.templateName, m.status])).toEqual([
      ["OUT", "AUTOMATION", "order_confirmation", "READ"],
      ["IN", "CUSTOMER", null, "RECEIVED"],
      ["OUT", "PHONE_APP", null, "SENT"],
      ["OUT", "AUTOMATION", "shipping_update", "READ"],
    ]);
    expect(body.messages[0]!.text).toBe(`Olá Ana, recebemos seu pedido ${order.name} no valor de R$ 149,90. Avisaremos quando for enviado.`);
    expect(body.messages[1]!.text).toBe("Obrigada! Vocês entregam no sábado?");
    expect(body.messages[2]!.text).toBe("Entregamos sim, até às 14h.");

    // The full thread page in the app, which the block links to, shows the same conversation.
    const page = await (await fetch(sandbox.adminUrl(`/app/orders/${order.id}`), { headers: { "user-agent": BROWSER_UA } })).text();
    expect(page).toContain(`WhatsApp conversation · ${order.name}`);
    expect(page).toMatch(/Automation[\s\S]*?Template order_confirmation[\s\S]*?Customer[\s\S]*?Vocês entregam no sábado\?[\s\S]*?Phone app[\s\S]*?Template shipping_update/);
  });

  it("answers 404 for an order of another shop, and refuses a request without a session token", async () => {
    const order = orderPayload();
    await deliver("orders/create", order);
    expect((await thread(String(order.id))).status).toBe(200);
    const other = await thread(String(order.id), otherShop);
    expect(other.status).toBe(404);
    expect(await other.json()).toEqual({ error: "Order not found" });
    const foreign = await fetch(`${sandbox.appUrl}/api/orders/${order.id}/thread`, {
      headers: { authorization: `Bearer ${sandbox.sessionToken()}`, origin: "https://evil.example", "user-agent": BROWSER_UA },
    });
    expect(foreign.headers.get("access-control-allow-origin")).toBeNull();
    const anonymous = await fetch(`${sandbox.appUrl}/api/orders/${order.id}/thread`, { headers: { "user-agent": BROWSER_UA }, redirect: "manual" });
    expect([302, 400, 401]).toContain(anonymous.status);
    expect(await anonymous.text()).not.toContain(order.name);
  });

  it("outside the 24 h window refuses free text and offers templates; a template reply goes out, attributed to the staff member", async () => {
    const order = orderPayload({ customer: { first_name: "Ana", phone: "+5511977776666" } });
    await deliver("orders/create", order);
    // The confirmation goes out asynchronously: let it reach the simulator before clearing its log.
    await settle(async () => (await sandbox.db.message.count({ where: { idempotencyKey: `ORDER_CREATED:${order.id}`, status: "READ" } })) === 1);
    await simJson(sandbox.simUrl, "messages", { method: "DELETE" });
    const post = (fields: Record<string, string>) =>
      fetch(`${sandbox.appUrl}/app/orders/${order.id}?locale=en`, {
        method: "POST",
        headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
        body: new URLSearchParams({ requestId: crypto.randomUUID(), ...fields }).toString(),
      });

    const refused = await (await post({ intent: "text", text: "Oi Ana!" })).text();
    expect(refused).toContain("The customer has not written in the last 24 hours");
    expect(refused).toContain("Send template");
    expect(await simJson<unknown[]>(sandbox.simUrl, "messages")).toEqual([]);
    expect(await sandbox.db.message.count({ where: { source: "STAFF", recipientPhone: "+5511977776666" } })).toBe(0);

    await post({ intent: "template", templateName: "order_confirmation" });
    const sent = await simJson<{ to: string; type: string; template?: { name: string } }[]>(sandbox.simUrl, "messages");
    expect(sent).toMatchObject([{ to: "5511977776666", type: "template", template: { name: "order_confirmation" } }]);
    expect(await sandbox.db.message.findFirst({ where: { source: "STAFF", recipientPhone: "+5511977776666" } })).toMatchObject({ staffUserId: "1", staffName: "Mariana Costa", type: "template" });
  });

  it("lists conversations with unread and needs-reply filters and search; quick actions mark handled and opt out", async () => {
    const order = orderPayload({ customer: { first_name: "Beatriz", phone: "+5511955554321" } });
    await deliver("orders/create", order);
    await settle(async () => (await sandbox.db.message.count({ where: { idempotencyKey: `ORDER_CREATED:${order.id}`, status: "READ" } })) === 1);
    await pause();
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: "+5511955554321", text: "Chegou quebrado", phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();

    const list = async (query: Record<string, string>) =>
      (await fetch(sandbox.adminUrl("/app/conversations", { locale: "en" }) + "&" + new URLSearchParams(query).toString(), { headers: { "user-agent": BROWSER_UA } })).text();
    const needsReply = await list({ filter: "needs-reply" });
    expect(needsReply).toContain(order.name);
    expect(needsReply).toContain("Customer: Chegou quebrado");
    expect(await list({ filter: "unread" })).toContain(order.name);
    expect(await list({ q: "55554321" })).toContain(order.name);
    expect(await list({ q: "Beatriz" })).toContain(order.name);
    expect(await list({ q: "nobody-like-this" })).not.toContain(order.name);

    // Opening the thread reads it; marking it handled answers it.
    const base = `${sandbox.appUrl}/app/orders/${order.id}`;
    const headers = { authorization: `Bearer ${sandbox.sessionToken()}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA };
    await fetch(sandbox.adminUrl(`/app/orders/${order.id}`), { headers: { "user-agent": BROWSER_UA } });
    expect(await list({ filter: "unread" })).not.toContain(order.name);
    await fetch(base, { method: "POST", headers, body: new URLSearchParams({ intent: "handled", requestId: crypto.randomUUID() }).toString() });
    expect(await list({ filter: "needs-reply" })).not.toContain(order.name);

    await fetch(base, { method: "POST", headers, body: new URLSearchParams({ intent: "opt-out", requestId: crypto.randomUUID() }).toString() });
    const contact = await sandbox.db.contact.findFirstOrThrow({ where: { phoneE164: "+5511955554321" } });
    expect(contact).toMatchObject({ marketingConsent: false, marketingOptOutSource: "staff:1" });
    expect(await (await fetch(sandbox.adminUrl(`/app/orders/${order.id}`), { headers: { "user-agent": BROWSER_UA } })).text()).toContain(
      "This customer opted out of marketing messages (by Mariana Costa)",
    );

    // A new customer message needs a reply again.
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: "+5511955554321", text: "Alguém?", phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
    expect(await list({ filter: "needs-reply" })).toContain(order.name);
  });
});
