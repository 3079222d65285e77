// What the app answers by itself: outside opening hours, one away reply per
// conversation per closed period, in the customer's language and naming the
// next opening; a customer asking where their order is gets its status and
// tracking link from the fulfillment webhooks, or a person when they have
// several open orders; and a replayed webhook answers nothing twice.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSandbox, type Sandbox } from "../sandbox/harness";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, deliverShopifyWebhook, simJson } from "./helpers/http";
import { fulfillmentPayload, orderPayload } from "./helpers/shopify-payloads";

const HOUR_MS = 60 * 60 * 1000;

describe("automatic answers: away message and where-is-my-order", () => {
  let sandbox: Sandbox;
  let shopId: string;
  let timeZone: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 5 } });
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    shopId = shop.id;
    timeZone = shop.timezone;
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const localHour = (at: Date) => Number(new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" }).format(at));
  /** Open one hour a day, at an hour the shop is not in now: this morning's customers find it closed until 20:00, the afternoon's until 06:00 tomorrow. */
  const closedNow = async () => {
    const now = new Date();
    const evening = localHour(now) < 12;
    const range = evening ? { open: "20:00", close: "21:00" } : { open: "06:00", close: "07:00" };
    await sandbox.db.shop.update({ where: { id: shopId }, data: { awayMessageEnabled: true, businessHours: Array.from({ length: 7 }, () => [range]) } });
    return { weekday: new Intl.DateTimeFormat("es", { timeZone, weekday: "long" }).format(evening ? now : new Date(now.getTime() + 24 * HOUR_MS)), time: evening ? "20:00" : "6:00" };
  };
  const openNow = () => sandbox.db.shop.update({ where: { id: shopId }, data: { awayMessageEnabled: true, businessHours: Array.from({ length: 7 }, () => [{ open: "00:00", close: "24:00" }]) } });

  const inbound = async (from: string, text: string, name?: string) => {
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from, text, name, phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
  };
  const deliver = (topic: string, payload: unknown) =>
    deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic, shop: sandbox.shopDomain, body: JSON.stringify(payload) });
  /** The free-form texts the customer received over WhatsApp (the simulator's record). */
  const textsTo = async (phone: string) =>
    (await simJson<{ to: string; type: string; text?: string }[]>(sandbox.simUrl, "messages")).filter((m) => m.to === phone.slice(1) && m.type === "text").map((m) => m.text ?? "");
  const contactOf = (phone: string) => sandbox.db.contact.findFirstOrThrow({ where: { shopId, phoneE164: phone } });
  const automatic = async (phone: string) =>
    sandbox.db.message.findMany({ where: { shopId, contactId: (await contactOf(phone)).id, source: "AUTOMATION", type: "text" }, orderBy: { createdAt: "asc" } });

  it("outside opening hours a Spanish-speaking customer gets one away reply in Spanish naming the next opening; a second message in that closed period gets none", async () => {
    const phone = "+573001110001";
    // The customer's language comes from their order (es-CO).
    await deliver(
      "orders/create",
      orderPayload({ customer_locale: "es-CO", customer: { id: 7001, first_name: "Lucía", phone }, shipping_address: { first_name: "Lucía", phone: null, country_code: "CO" } }),
    );
    const opening = await closedNow();
    await inbound(phone, "Hola, ¿tienen la camiseta en talla M?", "Lucía Gómez");

    await expect.poll(() => textsTo(phone), { timeout: 15_000 }).toHaveLength(1);
    const [away] = await textsTo(phone);
    expect(away).toContain("estamos cerrados");
    expect(away).toContain(opening.weekday);
    expect(away).toContain(opening.time);
    const contact = await contactOf(phone);
    expect(await automatic(phone)).toMatchObject([{ direction: "OUT", body: away }]);
    expect(await sandbox.db.conversationEvent.findMany({ where: { contactId: contact.id, kind: "REPLIED" }, select: { actorType: true } })).toEqual([{ actorType: "AUTOMATION" }]);

    await inbound(phone, "¿Y en talla L?");
    expect(await automatic(phone)).toHaveLength(1);
  });

  it("inside opening hours no away reply goes out", async () => {
    const phone = "+573001110002";
    await openNow();
    await inbound(phone, "Hola, ¿hacen envíos a Medellín?", "Andrés Mejía");
    expect(await automatic(phone)).toEqual([]);
  });

  it("a customer the merchant is answering after hours from the phone app gets no away reply on top", async () => {
    const phone = "+5511955553004";
    await closedNow();
    await simJson(sandbox.simUrl, "webhook", {
      method: "POST",
      body: {
        field: "smb_message_echoes",
        value: {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: "15550100001", phone_number_id: SEED.cloudPhoneNumberId },
          message_echoes: [
            { from: "15550100001", to: phone.slice(1), id: "wamid.echo.late", timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "Oi Eva, já vi seu recado!" } },
          ],
        },
      },
    });
    await sandbox.settled();
    await inbound(phone, "Obrigada, fico no aguardo", "Eva Nunes");
    expect(await automatic(phone)).toEqual([]);
  });

  it("a customer with one fulfilled order asking where it is gets its status and tracking link, marked as automation, instead of the away reply", async () => {
    const phone = "+5511955553001";
    const order = orderPayload({ financial_status: "paid", customer: { id: 7003, first_name: "Beatriz", phone }, shipping_address: { first_name: "Beatriz", phone: null, country_code: "BR" } });
    await deliver("orders/create", order);
    const tracking = "https://rastreamento.correios.com.br/app/index.php?objeto=BR777000111";
    const fulfillment = fulfillmentPayload(order.id, {
      tracking_number: "BR777000111",
      tracking_numbers: ["BR777000111"],
      tracking_url: tracking,
      tracking_urls: [tracking],
      shipment_status: "in_transit",
    });
    await deliver("fulfillments/create", fulfillment);
    await deliver("fulfillments/update", { ...fulfillment, shipment_status: "out_for_delivery", updated_at: new Date().toISOString() });
    // Shopify's retry of the earlier update arrives late: it does not move the shipment back.
    await deliver("fulfillments/update", { ...fulfillment, shipment_status: "in_transit", updated_at: new Date(Date.now() - HOUR_MS).toISOString() });
    const stored = await sandbox.db.order.findFirstOrThrow({ where: { shopId, shopifyOrderId: String(order.id) } });
    expect(stored).toMatchObject({
      trackingNumber: "BR777000111",
      trackingUrl: tracking,
      trackingCompany: "Correios",
      shipmentStatus: "out_for_delivery",
    });

    await closedNow();
    await inbound(phone, "Oi! Cadê meu pedido?", "Beatriz Lima");
    await expect.poll(() => textsTo(phone), { timeout: 15_000 }).toHaveLength(1);
    const [answer] = await textsTo(phone);
    expect(answer).toContain(`Seu pedido ${order.name}: pago, saiu para entrega.`);
    expect(answer).toContain("Transportadora: Correios");
    expect(answer).toContain(tracking);
    expect(await automatic(phone)).toMatchObject([{ direction: "OUT", body: answer, orderId: stored.id }]);
    // Asked again at once: the same answer is not repeated; and the order answer stood for this closed period's away reply.
    await inbound(phone, "E o rastreio?");
    await inbound(phone, "Obrigada!");
    expect(await automatic(phone)).toHaveLength(1);

    const contact = await contactOf(phone);
    const page = (await (await fetch(sandbox.adminUrl(`/app/conversations/${contact.id}`, { locale: "en" }), { headers: { "user-agent": BROWSER_UA } })).text())
      .replace(/<[^>]+>/g, " ")
      .replace(/\s+/g, " ");
    // The thread labels it as the automation's, as it does template sends.
    expect(page).toContain(`Automation ${order.name} Seu pedido ${order.name}: pago, saiu para entrega.`);
  });

  it("a message written while the shop was closed but handled after it opened gets no away reply", async () => {
    const phone = "+5511955553005";
    const now = new Date();
    const hour = localHour(now);
    // Open today from this hour to midnight: now is open; three hours ago was earlier today (before opening) or yesterday (closed all day).
    const today = new Date(now.toLocaleString("en-US", { timeZone })).getDay();
    await sandbox.db.shop.update({
      where: { id: shopId },
      data: { awayMessageEnabled: true, businessHours: Array.from({ length: 7 }, (_, day) => (day === today ? [{ open: `${String(hour).padStart(2, "0")}:00`, close: "24:00" }] : [])) },
    });
    const at = Math.floor(now.getTime() / 1000) - 3 * 3600;
    const value = {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "15550100000", phone_number_id: SEED.cloudPhoneNumberId },
      contacts: [{ profile: { name: "Fábio Reis" }, wa_id: phone.slice(1) }],
      messages: [{ from: phone.slice(1), id: "wamid.written.while.closed", timestamp: String(at), type: "text", text: { body: "Vocês abrem hoje?" } }],
    };
    await simJson(sandbox.simUrl, "webhook", { method: "POST", body: { field: "messages", value, time: at } });
    await sandbox.settled();
    expect(await sandbox.db.message.count({ where: { shopId, wamid: "wamid.written.while.closed" } })).toBe(1);
    expect(await automatic(phone)).toEqual([]);
  });

  it("with two open orders it does not guess: no reply, and the conversation needs a person for an order question", async () => {
    const phone = "+5511955553002";
    for (const id of [7004, 7005])
      await deliver("orders/create", orderPayload({ customer: { id, first_name: "Caio", phone }, shipping_address: { first_name: "Caio", phone: null, country_code: "BR" } }));
    await openNow();
    await inbound(phone, "Where is my order??", "Caio Prado");
    const contact = await contactOf(phone);
    expect(await sandbox.db.conversation.findUniqueOrThrow({ where: { contactId: contact.id } })).toMatchObject({ needsPerson: true, handoffReason: "ORDER_STATUS" });
    expect(await sandbox.db.conversationEvent.findMany({ where: { contactId: contact.id }, select: { kind: true, actorType: true, reason: true } })).toEqual([
      { kind: "HANDOFF", actorType: "AUTOMATION", reason: "ORDER_STATUS" },
    ]);
    expect(await automatic(phone)).toEqual([]);
  });

  it("a replayed webhook answers once, also when its first handling stored the message and failed before answering", async () => {
    const phone = "+5511955553003";
    const order = orderPayload({ customer: { id: 7006, first_name: "Davi", phone }, shipping_address: { first_name: "Davi", phone: null, country_code: "BR" } });
    await deliver("orders/create", order);
    await deliver("fulfillments/create", fulfillmentPayload(order.id, { shipment_status: "in_transit" }));
    await openNow();
    // The customer wrote before: WhatsApp takes free-form replies from here on.
    await inbound(phone, "Oi, bom dia", "Davi Souza");
    const at = Math.floor(Date.now() / 1000);
    const wamid = "wamid.replayed.question";
    // The first handling stored the message, then failed: no answer was written.
    const contact = await sandbox.db.contact.findFirstOrThrow({ where: { shopId, phoneE164: phone } });
    await sandbox.db.message.create({
      data: { shopId, direction: "IN", source: "CUSTOMER", type: "text", contactId: contact.id, wamid, body: "Qual o status do meu pedido?", status: "RECEIVED", occurredAt: new Date(at * 1000) },
    });
    await sandbox.db.contact.update({ where: { id: contact.id }, data: { lastInboundAt: new Date(at * 1000) } });
    const value = {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "15550100000", phone_number_id: SEED.cloudPhoneNumberId },
      contacts: [{ profile: { name: "Davi Souza" }, wa_id: phone.slice(1) }],
      messages: [{ from: phone.slice(1), id: wamid, timestamp: String(at), type: "text", text: { body: "Qual o status do meu pedido?" } }],
    };
    // Meta's retry, then a second one (each a new delivery of the same message).
    for (const time of [at + 60, at + 120]) {
      await simJson(sandbox.simUrl, "webhook", { method: "POST", body: { field: "messages", value, time } });
      await sandbox.settled();
    }
    await expect.poll(() => textsTo(phone), { timeout: 15_000 }).toHaveLength(1);
    expect((await textsTo(phone))[0]).toContain("em trânsito");
    expect(await automatic(phone)).toHaveLength(1);
    expect(await sandbox.db.message.count({ where: { shopId, wamid } })).toBe(1);
  });
});
