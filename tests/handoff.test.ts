// Handing a customer to a person: a customer asking for one (in Spanish,
// Portuguese or English) puts the conversation in the "needs a person" view
// until someone takes it; and when the merchant answers from the WhatsApp
// Business phone app, a cart reminder already scheduled for that customer is
// held for the phone-app hold (24 h) instead of going out over the chat.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Prisma } from "../app/generated/prisma/client";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, deliverShopifyWebhook, simJson } from "./helpers/http";
import { checkoutPayload } from "./helpers/shopify-payloads";

describe("handoff to a person, and the phone-app hold on marketing", () => {
  let sandbox: Sandbox;
  let shopId: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 5 } });
    shopId = (await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } })).id;
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const inbound = async (from: string, text: string, name?: string) => {
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from, text, name, phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
  };
  const list = async (filter: string) =>
    (await (await fetch(`${sandbox.adminUrl("/app/conversations", { locale: "en" })}&filter=${filter}`, { headers: { "user-agent": BROWSER_UA } })).text()).replace(/<[^>]+>/g, " ");

  it("a customer asking for a person shows in the needs-a-person view until someone takes the conversation", async () => {
    await inbound("+5491155551001", "Hola, ¿puedo hablar con un asesor?", "Martina Ruiz");
    await inbound("+5511955551002", "Quero saber o prazo de entrega", "Paulo Reis");
    const waiting = await list("needs-person");
    expect(waiting).toContain("Martina Ruiz");
    expect(waiting).toContain("Asked for a person");
    expect(waiting).not.toContain("Paulo Reis");
    await inbound("+5511955551002", "Posso falar com um atendente?");
    expect(await list("needs-person")).toContain("Paulo Reis");

    const martina = await sandbox.db.contact.findFirstOrThrow({ where: { shopId, name: "Martina Ruiz" } });
    expect(await sandbox.db.conversationEvent.findMany({ where: { contactId: martina.id }, select: { kind: true, actorType: true } })).toEqual([{ kind: "HANDOFF", actorType: "CUSTOMER" }]);
    const taken = await fetch(`${sandbox.appUrl}/app/conversations/${martina.id}`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
      body: new URLSearchParams({ intent: "assign", assigneeId: "me", requestId: crypto.randomUUID() }).toString(),
    });
    expect(taken.status).toBe(200);
    expect(await list("needs-person")).not.toContain("Martina Ruiz");
  });

  it("a phone-app reply holds a scheduled cart reminder for that customer; other customers' reminders go", async () => {
    await sandbox.db.automation.update({ where: { shopId_trigger: { shopId, trigger: "CHECKOUT_ABANDONED" } }, data: { enabled: true, delayMinutes: 5, quietHours: Prisma.DbNull } });
    const held = "+5511955552001";
    const other = "+5511955552002";
    for (const phone of [held, other]) await inbound(phone, "START");
    const carts = [held, other].map((phone) => checkoutPayload({ customer: { first_name: "Cris", phone, sms_marketing_consent: null }, shipping_address: { country_code: "BR" } }));
    for (const cart of carts) await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "checkouts/update", shop: sandbox.shopDomain, body: JSON.stringify(cart) });
    await sandbox.settled();
    const reminder = (cartId: number) => sandbox.db.message.findFirstOrThrow({ where: { shopId, idempotencyKey: `CHECKOUT_ABANDONED:${cartId}` } });
    for (const cart of carts) expect(await reminder(cart.id)).toMatchObject({ status: "SCHEDULED" });

    // The merchant answers the first customer from the WhatsApp Business app.
    const echoAt = Math.floor(Date.now() / 1000);
    await simJson(sandbox.simUrl, "webhook", {
      method: "POST",
      body: {
        field: "smb_message_echoes",
        value: {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: "15550100001", phone_number_id: SEED.cloudPhoneNumberId },
          message_echoes: [{ from: "15550100001", to: held.slice(1), id: "wamid.echo.hold", timestamp: String(echoAt), type: "text", text: { body: "Oi Cris, posso ajudar com o carrinho?" } }],
        },
      },
    });
    await sandbox.settled();
    // Both reminders fall due.
    await sandbox.db.message.updateMany({ where: { shopId, idempotencyKey: { in: carts.map((c) => `CHECKOUT_ABANDONED:${c.id}`) } }, data: { scheduledFor: new Date() } });
    await expect.poll(async () => (await simJson<{ to: string; template?: { name: string } }[]>(sandbox.simUrl, "messages")).filter((m) => m.template?.name === "abandoned_cart").map((m) => m.to), { timeout: 15_000 }).toEqual([other.slice(1)]);
    const waiting = await reminder(carts[0]!.id);
    expect(waiting.status).toBe("SCHEDULED");
    expect(waiting.scheduledFor!.getTime()).toBe((echoAt + 24 * 3600) * 1000);
  });
});
