// Shopify's compliance webhooks: customers/data_request gives the merchant the
// customer's data as a download (their shop only); customers/redact erases it:
// after the customer's order, checkout, WhatsApp messages, a data request and a
// webhook Shopify sent malformed, their phone, email and name are nowhere in the
// database. The scan reads every column of every table, not a list of fields.
import { existsSync, readFileSync } from "node:fs";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { sqliteFilePath } from "../app/core/database-url";
import type { Db } from "../app/core/db.server";
import { redactCustomer } from "../app/shopify/redaction.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { SEED } from "../sandbox/simulator/state";
import { createShop, createTestDb, testDatabaseUrl, testProvider } from "./helpers/db";
import { installShop } from "../sandbox/seed";
import { BROWSER_UA, deliverShopifyWebhook, simJson } from "./helpers/http";
import { checkoutPayload, orderPayload } from "./helpers/shopify-payloads";

const PHONE = "+5511977770001";
const EMAIL = "zuleica.q@example.com";
const SURNAME = "Quaresma";
const TRACES = ["977770001", EMAIL, SURNAME];

/** Every table's rows as text, with the traces found in each. */
async function tracesIn(db: Db): Promise<Record<string, string[]>> {
  const tables =
    testProvider() === "postgresql"
      ? (await db.$queryRawUnsafe<{ name: string }[]>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)).map(
          (t) => t.name,
        )
      : (await db.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)).map((t) => t.name);
  const found: Record<string, string[]> = {};
  for (const table of tables) {
    const rows = await db.$queryRawUnsafe<unknown[]>(`SELECT * FROM "${table}"`);
    const text = JSON.stringify(rows, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value));
    const hits = TRACES.filter((trace) => text.includes(trace));
    if (hits.length) found[table] = hits;
  }
  return found;
}

describe("customers/data_request and customers/redact", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 5 } });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const deliver = (topic: string, payload: unknown) =>
    deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic, shop: sandbox.shopDomain, body: JSON.stringify(payload) });

  it("hands the merchant the customer's data, then leaves their phone, email and name in no table", async () => {
    const customer = { id: 4242, first_name: "Zuleica", last_name: SURNAME, phone: PHONE, email: EMAIL, sms_marketing_consent: null };
    const order = orderPayload({ email: EMAIL, customer, shipping_address: { first_name: "Zuleica", last_name: SURNAME, phone: PHONE, country_code: "BR", city: "São Paulo" } });
    await deliver("orders/create", order);
    await deliver("checkouts/update", checkoutPayload({ email: EMAIL, customer, shipping_address: { first_name: "Zuleica", last_name: SURNAME, phone: PHONE, country_code: "BR" } }));
    // A delivery Shopify sent malformed: recorded as rejected, body kept for diagnosis.
    const { receiptStatus } = await deliver("orders/paid", { ...order, name: undefined });
    expect(receiptStatus).toBe("REJECTED");
    await expect.poll(async () => sandbox.db.message.count({ where: { idempotencyKey: `ORDER_CREATED:${order.id}`, wamid: { not: null } } }), { timeout: 15_000 }).toBe(1);
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: PHONE, text: `Oi, aqui é a Zuleica ${SURNAME}`, name: `Zuleica ${SURNAME}`, phoneNumberId: SEED.cloudPhoneNumberId } });
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: PHONE, text: "START", phoneNumberId: SEED.cloudPhoneNumberId } });
    // Another customer shares her contact card and writes her number and email: those messages carry her too.
    const friend = "5511966660099";
    const at = String(Math.floor(Date.now() / 1000));
    await simJson(sandbox.simUrl, "webhook", {
      method: "POST",
      body: {
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: "15550100001", phone_number_id: SEED.cloudPhoneNumberId },
          contacts: [{ profile: { name: "Amiga" }, wa_id: friend }],
          messages: [
            {
              from: friend,
              id: "wamid.redact.card",
              timestamp: at,
              type: "contacts",
              contacts: [{ name: { formatted_name: `Zuleica ${SURNAME}`, first_name: "Zuleica" }, phones: [{ phone: "+55 11 97777-0001", wa_id: PHONE.slice(1), type: "CELL" }] }],
            },
            { from: friend, id: "wamid.redact.text", timestamp: at, type: "text", text: { body: `Falem com ela: ${PHONE.slice(1)} ou ${EMAIL}` } },
          ],
        },
      },
    });
    await sandbox.settled();
    // customers/data_request: logged, listed on the home page, and the customer's data downloads as JSON, for this shop only.
    await deliver("customers/data_request", {
      shop_id: 1,
      shop_domain: sandbox.shopDomain,
      orders_requested: [order.id],
      customer: { id: customer.id, email: EMAIL, phone: PHONE },
      data_request: { id: 9001 },
    });
    const request = await sandbox.db.dataRequest.findFirstOrThrow({ where: { shopifyCustomerId: String(customer.id) } });
    const home = await (await fetch(sandbox.adminUrl("/app"), { headers: { "user-agent": BROWSER_UA } })).text();
    expect(home).toContain("Customer data requests");
    expect(home).toContain("Download (JSON)");
    expect(home).toContain(String(customer.id));
    const download = await fetch(sandbox.adminUrl(`/app/data-requests/${request.id}`), { headers: { "user-agent": BROWSER_UA } });
    expect(download.headers.get("content-disposition")).toContain("attachment");
    const data = (await download.json()) as {
      contacts: { phone: string; name: string; consentHistory: unknown[] }[];
      orders: { name: string }[];
      messages: { direction: string; text: string | null; template: string | null }[];
    };
    expect(data.contacts).toMatchObject([{ phone: PHONE, name: `Zuleica ${SURNAME}`, consentHistory: [{ category: "MARKETING", granted: true, source: "whatsapp_keyword:START" }] }]);
    expect(data.orders.map((o) => o.name)).toEqual([order.name]);
    // WhatsApp times have whole seconds: within one, the two may come in either order.
    expect(data.messages.map((m) => [m.direction, m.template ?? m.text]).sort()).toEqual([
      ["IN", `Oi, aqui é a Zuleica ${SURNAME}`],
      ["IN", "START"],
      ["OUT", "order_confirmation"],
    ]);
    await installShop(sandbox.db, sandbox.config, "other-store.myshopify.com");
    expect((await fetch(sandbox.adminUrl(`/app/data-requests/${request.id}`, { shop: "other-store.myshopify.com" }), { headers: { "user-agent": BROWSER_UA } })).status).toBe(404);

    // The scan sees the data before the request: it would see it after.
    expect(Object.keys(await tracesIn(sandbox.db)).sort()).toEqual(expect.arrayContaining(["Checkout", "Contact", "DataRequest", "Message", "Order", "WebhookReceipt"]));

    const redact = await deliver("customers/redact", { shop_id: 1, shop_domain: sandbox.shopDomain, customer: { id: customer.id, email: EMAIL, phone: PHONE }, orders_to_redact: [order.id] });
    expect(redact).toEqual({ status: 200, receiptStatus: "PROCESSED" });
    await sandbox.settled();
    expect(await tracesIn(sandbox.db)).toEqual({});
    // The other customer's messages stay, without what they carried of her.
    expect(await sandbox.db.message.findMany({ where: { wamid: { in: ["wamid.redact.card", "wamid.redact.text"] } }, select: { body: true, content: true } })).toEqual([
      { body: null, content: null },
      { body: null, content: null },
    ]);
    // The consent history went with the contact.
    expect(await sandbox.db.consentRecord.count({ where: { source: "whatsapp_keyword:START" } })).toBe(0);
  });

  it("erases in the shop that asks only, from Shopify's payload with the phone in national format, while another shop has the same customer and order ids", async () => {
    const demo = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    expect(demo.country).toBe("BR");
    const phone = "+5511977770005";
    const order = orderPayload({ customer: { id: 5151, first_name: "Telma", last_name: "Queiroga", phone }, shipping_address: { first_name: "Telma", phone, country_code: "BR" } });
    // Another shop knows a customer with the same phone, Shopify customer id and order id.
    const other = await createShop(sandbox.db, "second-store.myshopify.com");
    await sandbox.db.shop.update({ where: { id: other.id }, data: { country: "BR" } });
    const theirs = await sandbox.db.contact.create({ data: { shopId: other.id, phoneE164: phone, name: "Telma Queiroga", shopifyCustomerId: "5151" } });
    const theirOrder = await sandbox.db.order.create({ data: { shopId: other.id, shopifyOrderId: String(order.id), name: "#1001", currency: "BRL", contactId: theirs.id, phone } });
    await sandbox.db.message.create({
      data: { shopId: other.id, contactId: theirs.id, orderId: theirOrder.id, direction: "IN", source: "CUSTOMER", type: "text", body: "Oi, é a Telma", status: "RECEIVED" },
    });

    await deliver("orders/create", order);
    await expect.poll(async () => sandbox.db.message.count({ where: { idempotencyKey: `ORDER_CREATED:${order.id}`, wamid: { not: null } } }), { timeout: 15_000 }).toBe(1);
    // Meta receipts no one could handle (retries used up), not tied to a shop: two of this shop's number (its id
    // as Meta sends it, and as a number, which the schema refuses), one of another number whose id begins with
    // this one's. All carry her phone.
    const { phoneNumberId } = await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId: demo.id }, select: { phoneNumberId: true } });
    const deadReceipt = (key: string, numberId: string | number) =>
      sandbox.db.webhookReceipt.create({
        data: {
          source: "META",
          dedupeKey: key,
          topic: "messages",
          status: "DEAD",
          payload: JSON.stringify({
            object: "whatsapp_business_account",
            entry: [
              {
                id: "waba-redact",
                changes: [
                  {
                    field: "messages",
                    value: {
                      messaging_product: "whatsapp",
                      metadata: { display_phone_number: "15550009999", phone_number_id: numberId },
                      contacts: [{ wa_id: "5511977770005", profile: { name: "Telma" } }],
                      messages: [{ from: "5511977770005", id: `wamid.${key}`, timestamp: "1764000000", type: "text", text: { body: "Oi" } }],
                    },
                  },
                ],
              },
            ],
          }),
        },
      });
    const ours = await deadReceipt("redact-ours", phoneNumberId!);
    const oursRefused = await deadReceipt("redact-ours-number", Number(phoneNumberId));
    const foreign = await deadReceipt("redact-foreign", `${phoneNumberId}7`);
    // Shopify's documented shape (shop_id, shop_domain, customer {id, email, phone}, orders_to_redact), the phone as the customer typed it.
    const redact = await deliver("customers/redact", { shop_id: 1, shop_domain: sandbox.shopDomain, customer: { id: 5151, email: null, phone: "(11) 97777-0005" }, orders_to_redact: [order.id] });
    expect(redact.receiptStatus).toBe("PROCESSED");

    expect(await sandbox.db.contact.count({ where: { shopId: demo.id, phoneE164: phone } })).toBe(0);
    expect(await sandbox.db.order.count({ where: { shopId: demo.id, shopifyOrderId: String(order.id) } })).toBe(0);
    expect(await sandbox.db.message.count({ where: { shopId: demo.id, recipientPhone: phone } })).toBe(0);
    expect(await sandbox.db.contact.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ phoneE164: phone, name: "Telma Queiroga" });
    expect(await sandbox.db.order.findUniqueOrThrow({ where: { id: theirOrder.id } })).toMatchObject({ phone });
    expect(await sandbox.db.message.findMany({ where: { shopId: other.id }, select: { body: true } })).toEqual([{ body: "Oi, é a Telma" }]);
    for (const erased of [ours, oursRefused]) {
      expect(await sandbox.db.webhookReceipt.findUniqueOrThrow({ where: { id: erased.id }, select: { payload: true, status: true } })).toEqual({ payload: "", status: "IGNORED" });
    }
    expect(await sandbox.db.webhookReceipt.findUniqueOrThrow({ where: { id: foreign.id } })).toMatchObject({ status: "DEAD", payload: expect.stringContaining("5511977770005") });
  });

  it("erases a contact known by Shopify's customer id alone (kept from a consent webhook) when the request gives no phone", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const contact = await sandbox.db.contact.create({ data: { shopId: shop.id, phoneE164: "+5511977770009", shopifyCustomerId: "6262", name: "Yolanda Quaresma" } });
    await sandbox.db.consentRecord.create({ data: { shopId: shop.id, contactId: contact.id, category: "MARKETING", granted: false, source: "shopify_sms", recordedAt: new Date() } });
    const redact = await deliver("customers/redact", { shop_id: 1, shop_domain: sandbox.shopDomain, customer: { id: 6262, email: null, phone: null }, orders_to_redact: [] });
    expect(redact.receiptStatus).toBe("PROCESSED");
    expect(await sandbox.db.contact.count({ where: { id: contact.id } })).toBe(0);
    expect(await sandbox.db.consentRecord.count({ where: { contactId: contact.id } })).toBe(0);
  });
});

describe("customers/redact finds the customer however others wrote them", () => {
  it("empties a contact card with their formatted number, a text with their national number, a staff note with it typed, and a test send filled from their order; keeps what carries another number", async () => {
    const { db } = await createTestDb();
    try {
      const shop = await createShop(db, "formats.myshopify.com");
      const phone = "+5511977770004";
      const contact = await db.contact.create({ data: { shopId: shop.id, phoneE164: phone, name: "Olga Quaresma" } });
      await db.order.create({ data: { shopId: shop.id, contactId: contact.id, shopifyOrderId: "77001", name: "#1042", customerName: "Olga Quaresma", createdAt: new Date() } });
      const friend = await db.contact.create({ data: { shopId: shop.id, phoneE164: "+5511977770005", name: "Amiga" } });
      const fromFriend = (wamid: string, data: { type: string; body?: string; content?: object }) =>
        db.message.create({ data: { shopId: shop.id, contactId: friend.id, direction: "IN", source: "CUSTOMER", status: "RECEIVED", wamid, ...data } });
      // Saved on the friend's phone as "Mãe": the card's name is not hers, only its number (as WhatsApp formats it) is.
      const card = await fromFriend("wamid.fmt.card", { type: "contacts", content: { kind: "contacts", contacts: [{ name: "Mãe", phones: ["+55 11 97777-0004"] }] } });
      const text = await fromFriend("wamid.fmt.text", { type: "text", body: "liga pra ela: (11) 97777-0004" });
      const other = await fromFriend("wamid.fmt.other", { type: "text", body: "o meu é (11) 97777-9999" });
      // Not hers: a longer number that contains her digits, and another Olga.
      const longer = await fromFriend("wamid.fmt.longer", { type: "text", body: "pedido 2011977770004 de 28.11" });
      const namesake = await fromFriend("wamid.fmt.namesake", { type: "text", body: "a Olga da padaria e a Olgária" });
      await db.conversation.create({ data: { shopId: shop.id, contactId: friend.id, lastMessageAt: new Date() } });
      const note = await db.conversationEvent.create({ data: { shopId: shop.id, contactId: friend.id, kind: "NOTE", actorType: "STAFF", actorId: "1", body: "Amiga da cliente do 11 97777 0004" } });
      // "Send me a test" filled the template from her order: a row tied to no customer.
      const test = await db.message.create({
        data: {
          shopId: shop.id,
          direction: "OUT",
          source: "STAFF",
          type: "template",
          templateName: "order_confirmation",
          params: { body: ["Olga", "#1042", "R$ 120,00"] },
          status: "SENT",
          recipientPhone: "+5511900000000",
        },
      });

      await redactCustomer(db, shop, { id: 1, phone }, ["77001"]);

      const row = (id: string) => db.message.findUniqueOrThrow({ where: { id }, select: { body: true, content: true, params: true } });
      expect(await row(card.id)).toEqual({ body: null, content: null, params: null });
      expect(await row(text.id)).toEqual({ body: null, content: null, params: null });
      expect(await row(test.id)).toMatchObject({ params: null });
      expect(await row(other.id)).toMatchObject({ body: "o meu é (11) 97777-9999" });
      expect(await row(longer.id)).toMatchObject({ body: "pedido 2011977770004 de 28.11" });
      expect(await row(namesake.id)).toMatchObject({ body: "a Olga da padaria e a Olgária" });
      expect(await db.conversationEvent.findUniqueOrThrow({ where: { id: note.id }, select: { body: true } })).toEqual({ body: null });
    } finally {
      await db.$disconnect();
    }
  });
});

describe.skipIf(testProvider() !== "sqlite")("customers/redact on SQLite", () => {
  it("leaves no trace of the customer in the database file or its log: deleted rows are zeroed, not left in free space or older log frames", async () => {
    const { db, url } = await createTestDb();
    try {
      await expect.poll(async () => Number((await db.$queryRawUnsafe<{ secure_delete: number | bigint }[]>("PRAGMA secure_delete"))[0]?.secure_delete)).toBe(1);
      const shop = await createShop(db, "on-disk.myshopify.com");
      const phone = "+5511977770006";
      const marker = "Xiomara Quintanilha";
      const contact = await db.contact.create({ data: { shopId: shop.id, phoneE164: phone, name: marker } });
      await db.message.createMany({
        data: Array.from({ length: 20 }, (_, i) => ({
          shopId: shop.id,
          contactId: contact.id,
          direction: "IN",
          source: "CUSTOMER",
          type: "text",
          status: "RECEIVED",
          body: `${marker} escreveu ${i}`,
        })),
      });
      await redactCustomer(db, shop, { id: 1, phone }, []);
      // Read straight after the erasure: the log's older frames held the rows too.
      const file = sqliteFilePath(url);
      const bytes = Buffer.concat([readFileSync(file), ...(existsSync(`${file}-wal`) ? [readFileSync(`${file}-wal`)] : [])]);
      expect(bytes.includes(Buffer.from(marker))).toBe(false);
      expect(bytes.includes(Buffer.from(phone))).toBe(false);
    } finally {
      await db.$disconnect();
    }
  });
});

describe("customers/redact for a customer with a long history", () => {
  it("erases more messages than a statement takes parameters, and what other customers' messages carry of them", async () => {
    const { db } = await createTestDb();
    try {
      const shop = await createShop(db, "long-history.myshopify.com");
      const phone = "+5511977770002";
      const contact = await db.contact.create({ data: { shopId: shop.id, phoneE164: phone, name: "Olga Quaresma" } });
      const friend = await db.contact.create({ data: { shopId: shop.id, phoneE164: "+5511977770003", name: "Amiga" } });
      // SQLite takes 999 parameters a statement through Prisma; a customer who writes every day for years passes that.
      const MESSAGES = 1_500;
      await db.message.createMany({
        data: Array.from({ length: MESSAGES }, (_, i) => ({
          shopId: shop.id,
          contactId: contact.id,
          direction: i % 2 ? "OUT" : "IN",
          source: i % 2 ? "STAFF" : "CUSTOMER",
          type: "text",
          body: `message ${i}`,
          status: i % 2 ? "READ" : "RECEIVED",
          ...(i % 3 ? { wamid: `wamid.long.${i}` } : {}),
        })),
      });
      const carrying = await db.message.create({
        data: { shopId: shop.id, contactId: friend.id, direction: "IN", source: "CUSTOMER", type: "text", body: `o número dela é ${phone}`, status: "RECEIVED", wamid: "wamid.friend" },
      });

      await redactCustomer(db, shop, { id: 1, phone }, []);

      expect(await db.message.count({ where: { shopId: shop.id, contactId: contact.id } })).toBe(0);
      expect(await db.contact.count({ where: { id: contact.id } })).toBe(0);
      expect(await db.message.findUniqueOrThrow({ where: { id: carrying.id }, select: { body: true } })).toEqual({ body: null });
    } finally {
      await db.$disconnect();
    }
  });
});
