// The setup path over HTTP: the home page's checklist names the first step
// not done as its action and hides once all are done; an automation's test
// send goes to the merchant's number once per request id, with the library's
// sample values when the shop has no order and the latest order's once it has one, in no customer's conversation;
// a marketing one never to a number that stopped the store's marketing;
// another shop naming the automation finds nothing.
import { decode } from "turbo-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSandbox, type Sandbox } from "../sandbox/harness";
import { installShop } from "../sandbox/seed";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, deliverShopifyWebhook, simJson } from "./helpers/http";
import { orderPayload } from "./helpers/shopify-payloads";

describe("the setup checklist and an automation's test send", () => {
  let sandbox: Sandbox;
  const otherShop = "other-setup.myshopify.com";

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 5 } });
    await installShop(sandbox.db, sandbox.config, otherShop);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const act = async (fields: [string, string][], shop?: string) => {
    const response = await fetch(`${sandbox.appUrl}/app/automations.data`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken(shop)}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
      body: new URLSearchParams(fields).toString(),
    });
    expect(response.status).toBe(200);
    const stream = await decode(response.body!);
    await stream.done;
    return (stream.value as { data: Record<string, unknown> }).data;
  };
  const home = async (shop?: string) => {
    const response = await fetch(sandbox.adminUrl("/app", { shop, locale: "en" }), { headers: { "user-agent": BROWSER_UA } });
    expect(response.status).toBe(200);
    return (await response.text()).replace(/<[^>]+>/g, " ").replace(/\s+/g, " ");
  };
  const orderConfirmation = async () => {
    // The automations page makes the shop's default automations.
    expect((await fetch(sandbox.adminUrl("/app/automations", { locale: "en" }), { headers: { "user-agent": BROWSER_UA } })).status).toBe(200);
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    return sandbox.db.automation.findFirstOrThrow({ where: { shopId: shop.id, trigger: "ORDER_CREATED" } });
  };

  it("sends the merchant an automation's test once per request id, with sample values when there is no order", async () => {
    const automation = await orderConfirmation();
    // Connected, the library approved and automations on (the demo's seed): the test is the next step.
    expect(await home()).toContain("Set up Zap 3 of 4 steps done.");
    expect(await home()).toContain("Not done Send yourself a test message Send a test");

    expect(
      await act([
        ["intent", "test"],
        ["automationId", automation.id],
        ["phone", "12"],
        ["requestId", "req-auto-bad-1"],
      ]),
    ).toEqual({ test: { ok: false, field: "phone", code: "invalid" } });
    expect(
      await act([
        ["intent", "test"],
        ["automationId", automation.id],
        ["phone", "+55 11 98888 0001"],
        ["requestId", "!"],
      ]),
    ).toEqual({ test: { ok: false, field: "requestId", code: "invalid" } });
    const test: [string, string][] = [
      ["intent", "test"],
      ["automationId", automation.id],
      ["phone", "+55 11 98888 0001"],
      ["requestId", "req-auto-0001"],
    ];
    const results = await Promise.all([act(test), act(test)]);
    for (const result of results) expect(result).toMatchObject({ test: { ok: true } });
    await sandbox.settled();

    const rows = await sandbox.db.message.findMany({ where: { idempotencyKey: "AUTOMATION_TEST:req-auto-0001" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: "STAFF", contactId: null, orderId: null, recipientPhone: "+5511988880001", templateName: "order_confirmation" });
    const sent = (await simJson<{ to: string; template?: { name: string; parameters: string[] } }[]>(sandbox.simUrl, "messages")).filter((m) => m.to.endsWith("11988880001"));
    expect(sent.map((m) => m.template)).toMatchObject([{ name: "order_confirmation", parameters: ["Ana", "#1001", "R$ 149,90"] }]);
    expect(await sandbox.db.contact.count({ where: { phoneE164: "+5511988880001" } })).toBe(0);
  });

  it("refuses another shop's automation and changes nothing", async () => {
    const automation = await orderConfirmation();
    const before = await sandbox.db.message.count();
    expect(
      await act(
        [
          ["intent", "test"],
          ["automationId", automation.id],
          ["phone", "+55 11 98888 0002"],
          ["requestId", "req-auto-other-1"],
        ],
        otherShop,
      ),
    ).toEqual({
      test: { ok: false, field: "automation", code: "notFound" },
    });
    expect(await sandbox.db.message.count()).toBe(before);
  });

  it("hides the checklist once every step is done", async () => {
    await expect
      .poll(async () => (await sandbox.db.message.findFirstOrThrow({ where: { idempotencyKey: "AUTOMATION_TEST:req-auto-0001" } })).status, { timeout: 15_000, interval: 200 })
      .not.toBe("QUEUED");
    expect(await home()).not.toContain("Set up Zap");
    // A brand-new shop starts at the first step.
    expect(await home(otherShop)).toContain("Set up Zap 0 of 4 steps done.");
  });

  it("sends the test with the latest real order's values, to the merchant and not the customer", async () => {
    const automation = await orderConfirmation();
    const customer = "+5511912340000";
    const order = orderPayload({
      name: "#2042",
      total_price: "310.00",
      customer: { id: 8_101, first_name: "Marisol", phone: customer },
      shipping_address: { first_name: "Marisol", phone: null, country_code: "BR" },
    });
    const delivered = await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(order) });
    expect(delivered.status).toBe(200);
    await sandbox.settled();
    type Sent = { to: string; template?: { name: string; parameters: string[] } };
    const to = async (phone: string) => (await simJson<Sent[]>(sandbox.simUrl, "messages")).filter((m) => m.to === phone.slice(1)).map((m) => m.template);
    // The order confirmation the customer got (the demo's automation is on): the test carries the same values.
    await expect.poll(async () => (await to(customer)).length, { timeout: 15_000, interval: 200 }).toBe(1);
    const [confirmation] = await to(customer);
    expect(confirmation).toMatchObject({ name: "order_confirmation", parameters: ["Marisol", "#2042", expect.stringContaining("310")] });

    expect(
      await act([
        ["intent", "test"],
        ["automationId", automation.id],
        ["phone", "+55 11 98888 0003"],
        ["requestId", "req-auto-order-1"],
      ]),
    ).toMatchObject({ test: { ok: true } });
    expect(await to("+5511988880003")).toEqual([confirmation]);
    expect(await to(customer)).toHaveLength(1);
    expect(await sandbox.db.message.findFirstOrThrow({ where: { idempotencyKey: "AUTOMATION_TEST:req-auto-order-1" } })).toMatchObject({ contactId: null, orderId: null, source: "STAFF" });
  });

  it("refuses a marketing test to a number that stopped the store's marketing", async () => {
    await orderConfirmation();
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const cart = await sandbox.db.automation.findFirstOrThrow({ where: { shopId: shop.id, trigger: "CHECKOUT_ABANDONED" } });
    await sandbox.db.contact.create({ data: { shopId: shop.id, phoneE164: "+5511988880004", marketingOptedOutAt: new Date() } });
    const before = await sandbox.db.message.count();
    expect(
      await act([
        ["intent", "test"],
        ["automationId", cart.id],
        ["phone", "+55 11 98888 0004"],
        ["requestId", "req-auto-optout-1"],
      ]),
    ).toEqual({ test: { ok: false, field: "phone", code: "optedOut" } });
    expect(await sandbox.db.message.count()).toBe(before);
  });
});
