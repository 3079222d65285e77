// customers/redact erases: after the customer's order, checkout, WhatsApp
// messages and a webhook Shopify sent malformed, a redaction request leaves
// their phone, email and name nowhere in the database. The scan reads every
// column of every table, not a list of known fields.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Db } from "../app/db.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl, testProvider } from "./helpers/db";
import { deliverShopifyWebhook, simJson } from "./helpers/http";
import { checkoutPayload, orderPayload } from "./helpers/shopify-payloads";

const PHONE = "+5511977770001";
const EMAIL = "zuleica.q@example.com";
const SURNAME = "Quaresma";
const TRACES = ["977770001", EMAIL, SURNAME];

/** Every table's rows as text, with the traces found in each. */
async function tracesIn(db: Db): Promise<Record<string, string[]>> {
  const tables =
    testProvider() === "postgresql"
      ? (await db.$queryRawUnsafe<{ name: string }[]>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)).map((t) => t.name)
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

describe("customers/redact", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 5 } });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const deliver = (topic: string, payload: unknown) =>
    deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic, shop: sandbox.shopDomain, body: JSON.stringify(payload) });

  it("leaves the customer's phone, email and name in no table", async () => {
    const customer = { id: 4242, first_name: "Zuleica", last_name: SURNAME, phone: PHONE, email: EMAIL, sms_marketing_consent: null };
    const order = orderPayload({ email: EMAIL, customer, shipping_address: { first_name: "Zuleica", last_name: SURNAME, phone: PHONE, country_code: "BR", city: "São Paulo" } });
    await deliver("orders/create", order);
    await deliver("checkouts/update", checkoutPayload({ email: EMAIL, customer, shipping_address: { first_name: "Zuleica", last_name: SURNAME, phone: PHONE, country_code: "BR" } }));
    // A delivery Shopify sent malformed: recorded as rejected, body kept for diagnosis.
    const { receiptStatus } = await deliver("orders/paid", { ...order, name: undefined });
    expect(receiptStatus).toBe("REJECTED");
    await expect.poll(async () => sandbox.db.message.count({ where: { idempotencyKey: `ORDER_CREATED:${order.id}`, wamid: { not: null } } }), { timeout: 15_000 }).toBe(1);
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: PHONE, text: `Oi, aqui é a Zuleica ${SURNAME}`, name: `Zuleica ${SURNAME}`, phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
    // The scan sees the data before the request: it would see it after.
    expect(Object.keys(await tracesIn(sandbox.db)).sort()).toEqual(expect.arrayContaining(["Checkout", "Contact", "Message", "Order", "WebhookReceipt"]));

    const redact = await deliver("customers/redact", { shop_id: 1, shop_domain: sandbox.shopDomain, customer: { id: customer.id, email: EMAIL, phone: PHONE }, orders_to_redact: [order.id] });
    expect(redact.status).toBe(200);
    await sandbox.settled();
    expect(await tracesIn(sandbox.db)).toEqual({});
  });
});
