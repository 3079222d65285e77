import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { touchConversation } from "../app/messaging/conversations.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { installShop } from "../sandbox/seed";
import { orderPayload } from "../sandbox/shopify-payloads";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, postShopifyWebhook } from "./helpers/http";

interface Thread {
  messages: { id: string; text: string | null; occurredAt: string }[];
  hasEarlier: boolean;
  earlierCursor: string | null;
  messageCount: number;
  totalCostMicros: number | null;
  currency: string | null;
}

const label = (i: number) => `Message ${String(i).padStart(3, "0")}`;

describe("long threads and conversation search over HTTP", () => {
  let sandbox: Sandbox;
  const searchShop = "search-store.myshopify.com";

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() } });
    await installShop(sandbox.db, sandbox.config, searchShop);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const get = (path: string) =>
    fetch(`${sandbox.appUrl}${path}`, { headers: { authorization: `Bearer ${sandbox.sessionToken()}`, origin: "https://extensions.shopifycdn.com", "user-agent": BROWSER_UA } });
  const page = async (path: string, query: Record<string, string> = {}, options: { shop?: string; locale?: string } = {}) =>
    (await fetch(`${sandbox.adminUrl(path, options)}&${new URLSearchParams(query)}`, { headers: { "user-agent": BROWSER_UA } })).text();

  it("shows the newest of 205 messages, oldest first, and pages back with `before` without overlap or gap", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const order = await sandbox.db.order.create({
      data: { shopId: shop.id, shopifyOrderId: "550205", name: "#5205", whatsappMessages: 2, whatsappCostMicros: 13_600 },
    });
    // One message a second; messages 4 to 7 share a second, WhatsApp's whole-second
    // timestamps out of arrival order, so the newest 200 end inside that second.
    const base = Date.UTC(2026, 10, 20, 12, 0, 0);
    await sandbox.db.message.createMany({
      data: Array.from({ length: 205 }, (_, index) => {
        const i = index + 1;
        const occurredAt = i >= 4 && i <= 7 ? base + 4_000 + (7 - i) * 300 : base + i * 1_000;
        const charged = i === 2 || i === 205;
        return {
          shopId: shop.id,
          orderId: order.id,
          direction: i % 2 ? "IN" : "OUT",
          source: i % 2 ? "CUSTOMER" : "STAFF",
          type: "text",
          body: label(i),
          status: i % 2 ? "RECEIVED" : "DELIVERED",
          costMicros: charged ? 6_800 : null,
          currency: charged ? "USD" : null,
          occurredAt: new Date(occurredAt),
          createdAt: new Date(base + i * 1_000 + 500),
        };
      }),
    });

    const newest = await get(`/api/orders/gid%3A%2F%2Fshopify%2FOrder%2F550205/thread`);
    expect(newest.status).toBe(200);
    const first = (await newest.json()) as Thread;
    expect(first.messages.at(-1)!.text).toBe(label(205));
    expect(first.messages.map((m) => m.text)).toEqual(Array.from({ length: 202 }, (_, index) => label(index + 4)));
    const seconds = first.messages.map((m) => Math.floor(Date.parse(m.occurredAt) / 1000));
    expect(seconds).toEqual([...seconds].sort((a, b) => a - b));
    expect(first).toMatchObject({ hasEarlier: true, earlierCursor: expect.any(String), messageCount: 205, totalCostMicros: 13_600, currency: "USD" });

    const earlier = (await (await get(`/api/orders/550205/thread?${new URLSearchParams({ before: first.earlierCursor! })}`)).json()) as Thread;
    expect(earlier.messages.map((m) => m.text)).toEqual([label(1), label(2), label(3)]);
    expect(earlier).toMatchObject({ hasEarlier: false, earlierCursor: null, messageCount: 205, totalCostMicros: 13_600 });

    const all = [...earlier.messages, ...first.messages];
    expect(new Set(all.map((m) => m.id)).size).toBe(205);
    expect(all.map((m) => m.text)).toEqual(Array.from({ length: 205 }, (_, index) => label(index + 1)));

    expect((await get(`/api/orders/550205/thread?before=yesterday`)).status).toBe(400);

    // The app page shows the newest with a control for the earlier ones, which keeps the newest in view.
    const latest = await page("/app/orders/550205");
    expect(latest).toContain(label(205));
    expect(latest).toContain(label(4));
    expect(latest).not.toContain(label(3));
    expect(latest).toContain("Show earlier messages");
    const back = await page("/app/orders/550205", { before: first.earlierCursor! });
    expect(back).toMatch(new RegExp(`${label(1)}[\\s\\S]*${label(3)}[\\s\\S]*${label(4)}[\\s\\S]*${label(205)}`));
    expect(back).not.toContain("Show earlier messages");
    expect(await page("/app/orders/550205", {}, { locale: "es" })).toContain("Mostrar mensajes anteriores");
  });

  it("searches conversations for `%` and `_` as the characters themselves", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: searchShop } });
    const now = Date.now();
    for (const [i, name, customerName, phone] of [
      [1, "#1001", "Ana Souza", "+5511911111001"],
      [2, "#1002", "Bruno Lima", "+5511977771234"],
      [3, "#1003", "Clube 50% off", null],
    ] as const) {
      const contact = await sandbox.db.contact.create({ data: { shopId: shop.id, name: customerName, phoneE164: phone } });
      await sandbox.db.order.create({ data: { shopId: shop.id, shopifyOrderId: `90${i}`, name, customerName, phone, contactId: contact.id } });
      const message = await sandbox.db.message.create({
        data: { shopId: shop.id, contactId: contact.id, direction: "IN", source: "CUSTOMER", type: "text", body: "Oi", status: "RECEIVED", occurredAt: new Date(now - i * 1000) },
      });
      await touchConversation(sandbox.db, message);
    }
    const search = async (q: string, domain = searchShop) => {
      const html = await page("/app/conversations", { q }, { shop: domain });
      return ["#1001", "#1002", "#1003"].filter((name) => html.includes(`>${name}<`));
    };
    expect(await search("%")).toEqual(["#1003"]);
    expect(await search("_")).toEqual([]);
    expect(await search("0%")).toEqual(["#1003"]);
    expect(await search("1_0")).toEqual([]);
    expect(await search("100")).toEqual(["#1001", "#1002", "#1003"]);
    expect(await search("#1002")).toEqual(["#1002"]);
    expect(await search("ana souza")).toEqual(["#1001"]);
    expect(await search("7777-1234")).toEqual(["#1002"]);
    expect(await search("100", sandbox.shopDomain)).toEqual([]);
  });

  it("finds a returning customer's conversation by the order they placed after it began", async () => {
    const customer = { id: 7_700_001, first_name: "Renata", last_name: "Prado", phone: "+5511955550188", email: null, sms_marketing_consent: null };
    const orderFor = (name: string) => orderPayload({ name, email: null, customer, shipping_address: { first_name: "Renata", phone: customer.phone, country_code: "BR", city: "Santos" } });
    const deliver = async (name: string) => {
      const response = await postShopifyWebhook(sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(orderFor(name)) });
      expect(response.status).toBe(200);
      await sandbox.settled();
    };
    const found = async (q: string) => (await page("/app/conversations", { q })).includes("Renata Prado");

    await deliver("#7701");
    // The first order's confirmation began the conversation.
    expect(await sandbox.db.conversation.count({ where: { contact: { phoneE164: customer.phone } } })).toBe(1);
    expect(await found("#7701")).toBe(true);
    expect(await found("#7702")).toBe(false);
    await deliver("#7702");
    expect(await found("#7702")).toBe(true);
  });
});
