// Phones as customers type them at checkout: national digits read in the
// address's country (else the shop's, from the Admin API), Mexico's and
// Argentina's mobile prefixes, WhatsApp ids without "+". Orders arrive as
// signed webhooks; the confirmation goes to the E.164 number.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { normalisePhone, whatsappSpellings } from "../app/messaging/contacts.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { testDatabaseUrl } from "./helpers/db";
import { deliverShopifyWebhook, simJson } from "./helpers/http";
import { orderPayload } from "./helpers/shopify-payloads";

describe("normalisePhone", () => {
  it.each([
    ["11987650001", "BR", "+5511987650001"],
    ["(11) 98765-0001", "BR", "+5511987650001"],
    ["55 1234 0002", "MX", "+525512340002"],
    ["+52 1 55 1234 0002", undefined, "+525512340002"],
    ["5215512340002", undefined, "+525512340002"],
    ["0052 55 1234 0002", "BR", "+525512340002"],
    ["+54 9 11 2345-6789", undefined, "+5491123456789"],
    ["011 15-2345-6789", "AR", "+5491123456789"],
    ["5511987650001", "MX", "+5511987650001"],
    ["5511987650001", undefined, "+5511987650001"],
    ["551187650001", undefined, "+5511987650001"],
    ["(21) 3333-4444", "BR", "+552133334444"],
  ] as const)("reads %s (default %s) as %s", (raw, country, e164) => {
    expect(normalisePhone(raw, country)?.e164).toBe(e164);
  });

  it.each([
    ["+5511987650001", ["+5511987650001", "+551187650001"]],
    ["+551187650001", ["+551187650001", "+5511987650001"]],
    ["+552133334444", ["+552133334444"]],
    ["+5491123456789", ["+5491123456789", "+541123456789"]],
    ["+541123456789", ["+541123456789", "+5491123456789"]],
    ["+525512340002", ["+525512340002"]],
  ])("spells WhatsApp account %s as %j", (e164, spellings) => {
    expect(whatsappSpellings(e164)).toEqual(spellings);
  });

  it("refuses what is not a phone in any reading", () => {
    expect(normalisePhone("12345", "BR")).toBeNull();
    expect(normalisePhone("call me", "MX")).toBeNull();
  });
});

describe("orders with national phone numbers", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 10 } });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const deliver = (payload: unknown) =>
    deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(payload) });

  it("confirms orders whose phones were typed without a country code", async () => {
    // The demo shop's country comes from the Admin API (the simulator's store is in Brazil).
    expect((await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } })).country).toBe("BR");
    const orders = [
      orderPayload({ customer: { id: 1, first_name: "Ana", phone: "11987650001" }, shipping_address: { first_name: "Ana", phone: null, country_code: "BR" } }),
      orderPayload({
        customer_locale: "es-MX",
        customer: { id: 2, first_name: "Lucía", phone: null },
        shipping_address: { first_name: "Lucía", phone: "55 1234 0002", country_code: "MX" },
        billing_address: null,
      }),
      orderPayload({ customer: { id: 3, first_name: "Bia", phone: "(11) 98765-0003" }, shipping_address: null, billing_address: null }),
      // Shipped to Portugal, billed in Brazil: the billing phone is read as Brazilian.
      orderPayload({
        customer: { id: 4, first_name: "Duda", phone: null },
        shipping_address: { first_name: "Duda", phone: null, country_code: "PT", city: "Lisboa" },
        billing_address: { first_name: "Duda", phone: "(11) 98765-0004", country_code: "BR" },
      }),
    ];
    for (const order of orders) expect((await deliver(order)).receiptStatus).toBe("PROCESSED");
    await sandbox.settled();
    const contacts = await sandbox.db.contact.findMany({ where: { name: { in: ["Ana Souza", "Lucía", "Bia Souza", "Ana", "Bia", "Duda", "Duda Souza"] } }, select: { phoneE164: true } });
    expect(contacts.map((c) => c.phoneE164).sort()).toEqual(["+525512340002", "+5511987650001", "+5511987650003", "+5511987650004"].sort());
    await expect
      .poll(
        async () =>
          (await simJson<{ to: string; template?: { name: string } }[]>(sandbox.simUrl, "messages"))
            .filter((m) => m.template?.name === "order_confirmation")
            .map((m) => m.to)
            .sort(),
        { timeout: 15_000 },
      )
      .toEqual(["525512340002", "5511987650001", "5511987650003", "5511987650004"].sort());
  });

  it("keeps one contact for a Brazilian customer whose WhatsApp id predates the ninth digit, whichever side speaks first", async () => {
    const contactsOf = (digits: string) => sandbox.db.contact.findMany({ where: { phoneE164: { in: [`+55119${digits}`, `+5511${digits}`] } } });
    const order = orderPayload({ customer: { id: 11, first_name: "Nina", phone: "+5511987650011" } });
    await deliver(order);
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: "551187650011", text: "Quando chega?" } });
    await sandbox.settled();
    const [nina, ...others] = await contactsOf("87650011");
    expect(others).toEqual([]);
    expect(nina).toMatchObject({ phoneE164: "+5511987650011", waId: "551187650011" });
    const reply = await sandbox.db.message.findFirstOrThrow({ where: { direction: "IN", contactId: nina!.id } });
    expect(reply.orderId).toBe((await sandbox.db.order.findFirstOrThrow({ where: { shopifyOrderId: String(order.id) } })).id);

    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: "551187650012", text: "Oi" } });
    await sandbox.settled();
    await deliver(orderPayload({ customer: { id: 12, first_name: "Leo", phone: "(11) 98765-0012" } }));
    await sandbox.settled();
    const leo = await contactsOf("87650012");
    expect(leo).toHaveLength(1);
    // Stored in today's 9-digit form, the spelling a campaign reads from Shopify: one recipient, one opt-out.
    expect(leo[0]).toMatchObject({ phoneE164: "+5511987650012", waId: "551187650012" });
    expect(await sandbox.db.order.count({ where: { contactId: leo[0]!.id } })).toBe(1);
  });
});
