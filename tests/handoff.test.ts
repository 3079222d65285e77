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
import { BROWSER_UA, deliverShopifyWebhook, metaEnvelope, postMetaWebhook, simJson } from "./helpers/http";
import { checkoutPayload, orderPayload } from "./helpers/shopify-payloads";

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
    for (const cart of carts)
      await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "checkouts/update", shop: sandbox.shopDomain, body: JSON.stringify(cart) });
    await sandbox.settled();
    const reminder = (cartId: number) => sandbox.db.message.findFirstOrThrow({ where: { shopId, idempotencyKey: `CHECKOUT_ABANDONED:${cartId}` } });
    for (const cart of carts) expect(await reminder(cart.id)).toMatchObject({ status: "SCHEDULED" });

    // The merchant answers the first customer from the WhatsApp Business app; the shop holds marketing 6 h after that.
    await sandbox.db.shop.update({ where: { id: shopId }, data: { phoneAppHoldHours: 6 } });
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
    await expect
      .poll(async () => (await simJson<{ to: string; template?: { name: string } }[]>(sandbox.simUrl, "messages")).filter((m) => m.template?.name === "abandoned_cart").map((m) => m.to), {
        timeout: 15_000,
      })
      .toEqual([other.slice(1)]);
    const waiting = await reminder(carts[0]!.id);
    expect(waiting.status).toBe("SCHEDULED");
    expect(waiting.scheduledFor!.getTime()).toBe((echoAt + 6 * 3600) * 1000);
  });

  const conversationOf = (phone: string) => sandbox.db.conversation.findFirstOrThrow({ where: { shopId, contact: { phoneE164: phone } } });
  const staffReply = async (contactId: string, text: string) => {
    const sent = await fetch(`${sandbox.appUrl}/app/conversations/${contactId}`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
      body: new URLSearchParams({ intent: "reply", text, requestId: crypto.randomUUID() }).toString(),
    });
    expect(sent.status).toBe(200);
  };

  it("three customer messages without an answer hand the conversation to a person; an answer starts the count again", async () => {
    const phone = "+5511955553001";
    await inbound(phone, "Oi", "Lia Prado");
    await inbound(phone, "Vocês entregam em Campinas?");
    const { contactId } = await conversationOf(phone);
    expect(await conversationOf(phone)).toMatchObject({ unansweredCount: 2, needsPerson: false });
    await staffReply(contactId, "Entregamos sim!");
    expect(await conversationOf(phone)).toMatchObject({ unansweredCount: 0, needsReply: false, waitingSince: null, replyDueAt: null });
    await inbound(phone, "E qual o prazo?");
    await inbound(phone, "Preciso até sexta");
    expect((await conversationOf(phone)).needsPerson).toBe(false);
    await inbound(phone, "Alô?");
    expect(await conversationOf(phone)).toMatchObject({ unansweredCount: 3, needsPerson: true, handoffReason: "UNANSWERED" });
    expect(await list("needs-person")).toContain("3 messages without an answer");
    expect(await sandbox.db.conversationEvent.findFirst({ where: { contactId, kind: "HANDOFF" }, select: { actorType: true, reason: true } })).toEqual({
      actorType: "AUTOMATION",
      reason: "UNANSWERED",
    });
    // Someone takes it: more unanswered messages, even asking for an agent, leave it with them.
    await fetch(`${sandbox.appUrl}/app/conversations/${contactId}`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
      body: new URLSearchParams({ intent: "assign", assigneeId: "me", requestId: crypto.randomUUID() }).toString(),
    });
    await inbound(phone, "Tem alguém aí? Quero falar com um atendente");
    expect(await conversationOf(phone)).toMatchObject({ unansweredCount: 4, needsPerson: false, assigneeId: expect.any(String) });
  });

  it("the first-response clock starts at the first unanswered message whatever order they are handled in; a reply WhatsApp refused answers nothing", async () => {
    const phone = "5511955553101";
    const now = Math.floor(Date.now() / 1000);
    const write = async (id: string, at: number, body: string) => {
      const value = {
        messaging_product: "whatsapp",
        metadata: { display_phone_number: "15550100001", phone_number_id: SEED.cloudPhoneNumberId },
        contacts: [{ profile: { name: "Nina Souza" }, wa_id: phone }],
        messages: [{ from: phone, id, timestamp: String(at), type: "text", text: { body } }],
      };
      await simJson(sandbox.simUrl, "webhook", { method: "POST", body: { field: "messages", value, time: at } });
      await sandbox.settled();
    };
    // The second message is handled first.
    await write("wamid.clock.2", now - 60, "Alguém pode me ajudar?");
    await write("wamid.clock.1", now - 120, "Oi, tenho uma dúvida");
    // And one through the simulator, which then takes free-form replies to her.
    await inbound(`+${phone}`, "Oi?");
    const waiting = await conversationOf(`+${phone}`);
    expect(waiting).toMatchObject({ unansweredCount: 3, needsReply: true, waitingSince: new Date((now - 120) * 1000) });
    expect(waiting.replyDueAt!.getTime()).toBe((now - 120 + 15 * 60) * 1000);
    await simJson(sandbox.simUrl, "fail-next", { method: "POST", body: { code: 131026 } });
    await staffReply(waiting.contactId, "Claro! Qual a dúvida?");
    expect(await sandbox.db.message.findFirstOrThrow({ where: { contactId: waiting.contactId, source: "STAFF" }, select: { status: true } })).toEqual({ status: "FAILED" });
    expect(await conversationOf(`+${phone}`)).toMatchObject({ unansweredCount: 3, needsReply: true, waitingSince: new Date((now - 120) * 1000) });
    await staffReply(waiting.contactId, "Claro! Qual a dúvida?");
    expect(await conversationOf(`+${phone}`)).toMatchObject({ unansweredCount: 0, needsReply: false, waitingSince: null, replyDueAt: null });
  });

  it("a VIP customer (tagged in Shopify, or over the shop's lifetime spend) goes to a person; others do not", async () => {
    await sandbox.db.shop.update({ where: { id: shopId }, data: { vipCustomerTag: "VIP", vipSpendMicros: 1_000_000_000n } });
    const customers = [
      { id: 880001, phone: "+5511955554001", total: "120.00" }, // tagged VIP in Shopify
      { id: 880002, phone: "+5511955554002", total: "1250.00" }, // spent over 1,000
      { id: 880003, phone: "+5511955554003", total: "80.00" }, // neither
    ];
    for (const c of customers) {
      const order = orderPayload({ total_price: c.total, customer: { id: c.id, first_name: "Cliente", phone: c.phone } });
      await fetch(`${sandbox.shopify.url}/_sim/shopify/orders`, { method: "POST", body: JSON.stringify(order) });
    }
    await simJson(sandbox.shopify.url, "shopify/customers", { method: "POST", body: { shop: sandbox.shopDomain, id: 880001, tags: ["vip", "wholesale"] } });
    await sandbox.settled();
    for (const c of customers) await inbound(c.phone, "Olá, tenho uma dúvida");
    // The worker reads each waiting customer's tags and spend from the Admin API, then applies the rule.
    await expect.poll(async () => (await Promise.all(customers.map((c) => conversationOf(c.phone)))).map((c) => c.handoffReason), { timeout: 20_000 }).toEqual(["VIP", "VIP", null]);
    expect(await sandbox.db.contact.findFirstOrThrow({ where: { shopId, phoneE164: customers[1]!.phone }, select: { amountSpentMicros: true, customerTags: true } })).toEqual({
      amountSpentMicros: 1_250_000_000n,
      customerTags: [],
    });
    // Known now: the VIP's next conversation goes to a person at their first message.
    const vip = await conversationOf(customers[0]!.phone);
    await fetch(`${sandbox.appUrl}/app/conversations/${vip.contactId}`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
      body: new URLSearchParams({ intent: "close", requestId: crypto.randomUUID() }).toString(),
    });
    expect(await conversationOf(customers[0]!.phone)).toMatchObject({ status: "CLOSED", needsPerson: false });
    await inbound(customers[0]!.phone, "Voltei!");
    expect(await conversationOf(customers[0]!.phone)).toMatchObject({ status: "OPEN", needsPerson: true, handoffReason: "VIP" });
    await sandbox.db.shop.update({ where: { id: shopId }, data: { vipCustomerTag: null, vipSpendMicros: null } });
  });

  it("a tap on an automated message's button the automation does not act on goes to a person; Confirm on a COD question does not", async () => {
    const phone = "5511955555001";
    const order = orderPayload({ payment_gateway_names: ["Cash on Delivery (COD)"], customer: { id: 880101, first_name: "Rosa", phone: `+${phone}` } });
    await fetch(`${sandbox.shopify.url}/_sim/shopify/orders`, { method: "POST", body: JSON.stringify(order) });
    await sandbox.settled();
    await expect.poll(async () => (await simJson<{ to: string; wamid: string }[]>(sandbox.simUrl, "messages")).filter((m) => m.to === phone).length, { timeout: 15_000 }).toBe(1);
    const asked = (await simJson<{ to: string; wamid: string }[]>(sandbox.simUrl, "messages")).find((m) => m.to === phone)!;
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: `+${phone}`, contextWamid: asked.wamid, button: { index: 0 }, phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
    expect((await conversationOf(`+${phone}`)).needsPerson).toBe(false);
    // A button of the merchant's own template (Meta sends its text as the payload when the send set none).
    const tap = (id: string) =>
      metaEnvelope(SEED.wabaId, "messages", {
        messaging_product: "whatsapp",
        metadata: { display_phone_number: "15550100001", phone_number_id: SEED.cloudPhoneNumberId },
        contacts: [{ profile: { name: "Rosa" }, wa_id: phone }],
        messages: [
          {
            from: phone,
            id,
            timestamp: String(Math.floor(Date.now() / 1000)),
            type: "button",
            context: { from: "15550100001", id: asked.wamid },
            button: { payload: "Falar com a loja", text: "Falar com a loja" },
          },
        ],
      });
    expect((await postMetaWebhook(sandbox.appUrl, sandbox.env.META_APP_SECRET, tap("wamid.tap.other"))).status).toBe(200);
    await sandbox.settled();
    expect(await conversationOf(`+${phone}`)).toMatchObject({ needsPerson: true, handoffReason: "QUICK_REPLY" });
  });
});
