// The Shopify side, two-way: every Admin GraphQL operation in app/ checked
// against Shopify's own 2026-10 schema; the Admin client against the Shopify
// simulator (throttling, 5xx, a revoked token); and an install through the
// production path on an empty database, with the shop's facts read from the
// Admin API, then changed by a `shop/update` webhook.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

import { parse, validate } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { outsideQuietHours } from "../app/messaging/automations.server";
import { createDb, type Db } from "../app/core/db.server";
import { localDay, wabaTimeZone } from "../app/pricing/time";
import { adminGraphqlUrl } from "../app/shopify/admin/endpoint.server";
import { AdminAuthError, adminGraphql, requestTransport } from "../app/shopify/admin/graphql.server";
import { bulkOrdersQuery } from "../app/shopify/admin/orders.server";
import { SHOP_FACTS_QUERY, syncShopFacts } from "../app/shopify/admin/shop-facts.server";
import { recordInstall } from "../app/shopify/shops.server";
import { deployMigrations } from "../prisma/migrate";
import { ROOT, startSandbox, type Sandbox } from "../sandbox/harness";
import { DEMO_SHOP } from "../sandbox/seed";
import { startShopifySimulator, type ShopifySimulator } from "../sandbox/shopify-admin/server";
import { adminSchema } from "../sandbox/shopify-admin/schema";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, deliverShopifyWebhook, simJson } from "./helpers/http";
import { fulfillmentPayload, orderPayload } from "./helpers/shopify-payloads";

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) return entry === "generated" ? [] : sourceFiles(full);
    return /\.tsx?$/.test(entry) ? [full] : [];
  });
}

/**
 * Every operation in app/: the `#graphql` template literals, as codegen finds
 * them, with `${FRAGMENT}` interpolations of other such literals filled in.
 */
function appOperations(): { file: string; source: string }[] {
  const literals = sourceFiles(path.join(ROOT, "app")).flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(/(?:(\w+)\s*=\s*)?`(#graphql\s[^`]*)`/g)].map((m) => ({ file: path.relative(ROOT, file), name: m[1], text: m[2]! })),
  );
  const byName = new Map(literals.filter((l) => l.name).map((l) => [l.name!, l.text]));
  const expand = (text: string): string => text.replace(/\$\{(\w+)\}/g, (_, name: string) => expand(byName.get(name) ?? `# unknown fragment ${name}`));
  return literals.filter((l) => /^\s*(query|mutation)\b/m.test(l.text)).map((l) => ({ file: l.file, source: expand(l.text) }));
}

describe("Admin GraphQL operations against Shopify's 2026-10 schema", () => {
  it("validates every operation in app/", () => {
    const operations = appOperations();
    expect(operations.map((o) => o.file)).toContain(path.join("app", "shopify", "admin", "shop-facts.server.ts"));
    expect(operations.length).toBeGreaterThanOrEqual(8);
    const problems = operations.flatMap(({ file, source }) => validate(adminSchema(), parse(source)).map((e) => `${file}: ${e.message}`));
    expect(problems).toEqual([]);
    // The bulk export's query is built at run time (a bulk query is a plain string, not a typed operation).
    expect(validate(adminSchema(), parse(bulkOrdersQuery("created_at:>='2026-09-27T00:00:00.000Z'"))).map((e) => e.message)).toEqual([]);
  });

  it("fails an operation whose field Shopify renamed or removed", () => {
    const renamed = SHOP_FACTS_QUERY.replace("ianaTimezone", "timezoneName");
    expect(validate(adminSchema(), parse(renamed)).map((e) => e.message)).toEqual([expect.stringContaining('Cannot query field "timezoneName" on type "Shop"')]);
  });
});

describe("Admin client against the Shopify simulator", () => {
  let shopify: ShopifySimulator;
  let db: Db;
  const token = "shpat_client_test";
  const config = () => ({ SHOPIFY_ADMIN_URL: shopify.url });
  const client = (options: { url?: string; onAuthLost?: (shop: string) => Promise<void> } = {}) =>
    adminGraphql(requestTransport(options.url ?? adminGraphqlUrl(config(), DEMO_SHOP), token), { shop: DEMO_SHOP, onAuthLost: options.onAuthLost });

  beforeAll(async () => {
    shopify = await startShopifySimulator({
      apiKey: "key",
      apiSecret: "secret",
      scopes: "read_orders",
      shops: [{ domain: DEMO_SHOP, accessToken: token, facts: { ianaTimezone: "America/Bogota", currencyCode: "COP", primaryLocale: "es" } }],
    });
    const url = testDatabaseUrl();
    await deployMigrations(url);
    db = createDb(url);
    await recordInstall(db, DEMO_SHOP);
  });
  afterAll(async () => {
    await shopify?.close();
    await db?.$disconnect();
  });

  it("waits out Shopify's THROTTLED answers and gets every answer", async () => {
    await fetch(`${shopify.url}/_sim/shopify/throttle`, { method: "POST", body: JSON.stringify({ maximumAvailable: 6, restoreRate: 20 }) });
    const before = shopify.calls.length;
    const answers = await Promise.all(Array.from({ length: 8 }, () => client()(SHOP_FACTS_QUERY)));
    expect(answers.every((a) => a.shop.ianaTimezone === "America/Bogota")).toBe(true);
    const calls = shopify.calls.slice(before);
    expect(calls.filter((c) => c.throttled).length).toBeGreaterThan(0);
    expect(calls.filter((c) => !c.throttled)).toHaveLength(8);
    await fetch(`${shopify.url}/_sim/shopify/throttle`, { method: "POST", body: JSON.stringify({ maximumAvailable: 2000, restoreRate: 100 }) });
  });

  it("retries a 5xx from Shopify and stops at a 4xx", async () => {
    let failures = 2;
    const flaky: Server = createServer((req, res) => {
      if (failures-- > 0) {
        res.writeHead(503).end("Service Unavailable");
        return;
      }
      void fetch(`${shopify.url}${req.url}`, { method: "POST", headers: req.headers as Record<string, string>, body: req as unknown as BodyInit, duplex: "half" } as RequestInit).then(
        async (answer) => {
          res.writeHead(answer.status, { "content-type": "application/json" }).end(await answer.text());
        },
      );
    });
    await new Promise<void>((resolve) => flaky.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}/admin/api/2026-10/graphql.json`;
      const facts = await client({ url })(SHOP_FACTS_QUERY);
      expect(facts.shop.currencyCode).toBe("COP");
      expect(failures).toBeLessThan(0);
      await expect(client({ url: `${shopify.url}/admin/api/2019-01/graphql.json` })(SHOP_FACTS_QUERY)).rejects.toMatchObject({ status: 404 });
    } finally {
      flaky.close();
    }
  });

  it("stores the facts it read on the shop row", async () => {
    await syncShopFacts(db, DEMO_SHOP, client());
    expect(await db.shop.findUniqueOrThrow({ where: { domain: DEMO_SHOP } })).toMatchObject({ timezone: "America/Bogota", currency: "COP", locale: "es", developmentStore: true });
  });

  it("marks the shop as needing re-authorization when Shopify refuses its token", async () => {
    await fetch(`${shopify.url}/_sim/shopify/revoke`, { method: "POST", body: JSON.stringify({ shop: DEMO_SHOP }) });
    const { markAdminAuthLost } = await import("../app/shopify/shops.server");
    await expect(client({ onAuthLost: (shop) => markAdminAuthLost(db, shop) })(SHOP_FACTS_QUERY)).rejects.toBeInstanceOf(AdminAuthError);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: DEMO_SHOP } })).adminAuthLostAt).toBeInstanceOf(Date);
    // Installing again (token exchange, then afterAuth) clears the mark.
    await recordInstall(db, DEMO_SHOP);
    expect((await db.shop.findUniqueOrThrow({ where: { domain: DEMO_SHOP } })).adminAuthLostAt).toBeNull();
  });
});

describe("install through the production path, on an empty database", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, seed: false });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("exchanges the session token, stores an expiring offline token, and reads name, timezone, currency and locale from the Admin API", async () => {
    expect(await sandbox.db.shop.count()).toBe(0);
    const facts = sandbox.shopify.store.shop(DEMO_SHOP).facts;
    Object.assign(facts, { name: "Tienda Centro", ianaTimezone: "America/Mexico_City", currencyCode: "MXN", primaryLocale: "es", partnerDevelopment: false, planName: "Basic" });

    const page = await fetch(sandbox.adminUrl("/app", { locale: "es" }), { headers: { "user-agent": BROWSER_UA } });
    expect(page.status).toBe(200);

    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: DEMO_SHOP } });
    expect(shop).toMatchObject({ name: "Tienda Centro", timezone: "America/Mexico_City", currency: "MXN", locale: "es", plan: "Basic", developmentStore: false, adminAuthLostAt: null });
    expect(shop.factsSyncedAt).toBeInstanceOf(Date);
    const session = await sandbox.db.session.findUniqueOrThrow({ where: { id: `offline_${DEMO_SHOP}` } });
    expect(session.expires).toBeInstanceOf(Date);
    expect(session.refreshTokenCiphertext).not.toBeNull();
    expect(session.accessTokenCiphertext).not.toMatch(/^shpat_/);
    expect(sandbox.shopify.calls.map((c) => c.operation)).toContain("ShopFacts");

    // Quiet hours and cost days run on Mexico City's clock, not the UTC a new row starts with.
    const evening = new Date("2026-11-26T23:30:00Z"); // 17:30 in Mexico City, 23:30 UTC
    expect(outsideQuietHours(evening, shop.timezone, { start: "21:00", end: "08:00" })).toEqual(evening);
    expect(outsideQuietHours(evening, "UTC", { start: "21:00", end: "08:00" })).not.toEqual(evening);
    expect(localDay(new Date("2026-11-27T02:00:00Z"), wabaTimeZone(null, shop.timezone))).toBe("2026-11-26");
  });

  it("reads the facts again when Shopify sends shop/update", async () => {
    const changed = await fetch(`${sandbox.shopify.url}/_sim/shopify/shop`, {
      method: "POST",
      body: JSON.stringify({ shop: DEMO_SHOP, facts: { ianaTimezone: "America/Bogota", currencyCode: "COP" } }),
    });
    expect(changed.status).toBe(200);
    await sandbox.settled();
    expect(await sandbox.db.shop.findUniqueOrThrow({ where: { domain: DEMO_SHOP } })).toMatchObject({ timezone: "America/Bogota", currency: "COP", name: "Tienda Centro" });
  });
});

describe("a fulfillment that arrives before its order", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 10 } });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const deliver = (topic: string, payload: unknown) =>
    deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic, shop: sandbox.shopDomain, body: JSON.stringify(payload) });
  const sentTo = async (phone: string) => (await simJson<{ to: string; template?: { name: string } }[]>(sandbox.simUrl, "messages")).filter((m) => m.to === phone).map((m) => m.template?.name);

  it("reads the order from the Admin API and sends exactly one shipping message; the late orders/create still confirms", async () => {
    const phone = "5511966660001";
    const order = orderPayload({ customer: { id: 42, first_name: "Rita", phone: `+${phone}`, email: "rita@example.com" } });
    // The store has the order; its orders/create webhook has not reached the app.
    const placed = await fetch(`${sandbox.shopify.url}/_sim/shopify/orders`, { method: "POST", body: JSON.stringify({ shop: sandbox.shopDomain, order, webhook: false }) });
    expect(await placed.json()).toEqual({ id: order.id });

    const fulfillment = fulfillmentPayload(order.id);
    const first = await deliver("fulfillments/create", fulfillment);
    expect(first.receiptStatus).toBe("PROCESSED");
    await deliver("fulfillments/create", fulfillment);
    await sandbox.settled();
    const stored = await sandbox.db.order.findFirstOrThrow({ where: { shopifyOrderId: String(order.id) } });
    expect(stored).toMatchObject({ name: order.name, customerName: "Rita", phone: `+${phone}`, currency: "BRL" });
    expect(sandbox.shopify.calls.map((c) => c.operation)).toContain("OrderForWebhook");

    await deliver("orders/create", order);
    await sandbox.settled();
    await expect.poll(() => sentTo(phone), { timeout: 15_000 }).toEqual(["shipping_update", "order_confirmation"]);
  });

  it("drops a fulfillment for an order Shopify does not have, saying why on the receipt", async () => {
    const fulfillment = fulfillmentPayload(9_999_999_999);
    const { receiptStatus } = await deliver("fulfillments/create", fulfillment);
    expect(receiptStatus).toBe("IGNORED");
    const receipts = await sandbox.db.webhookReceipt.findMany({ where: { source: "SHOPIFY", status: "IGNORED" }, select: { error: true } });
    expect(receipts.map((r) => r.error)).toContain("order 9999999999 is not recorded and Shopify did not give it (no such order, or the shop's token was refused)");
  });
});
