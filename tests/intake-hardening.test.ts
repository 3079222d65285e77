// Webhook intake under hostile and faulty conditions, over real HTTP against
// the built app: bodies too large to read, bodies nested too deep, a shop whose
// Admin API token cannot be refreshed, handlers that keep failing, and logs
// that must never carry the customer a failing write was about.
import { request as httpRequest } from "node:http";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { encryptSecret } from "../app/core/crypto.server";
import { MAX_RECEIPT_ATTEMPTS } from "../app/jobs/webhook-receipts.server";
import { processDueReceipts } from "../app/jobs/worker.server";
import { graphClient } from "../app/whatsapp/client.server";
import type { Db } from "../app/core/db.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { SEED } from "../sandbox/simulator/state";
import { metaSignature } from "../sandbox/simulator/signing";
import { testDatabaseUrl, testProvider } from "./helpers/db";
import { BROWSER_UA, deliverShopifyWebhook, metaEnvelope, postMetaWebhook, postShopifyWebhook, shopifyHmac } from "./helpers/http";
import { orderPayload } from "./helpers/shopify-payloads";

const MB = 1024 * 1024;

/** Every insert of a contact with this phone fails, as a broken disk would: a trigger in the dialect of the suite's database. */
async function injectContactFault(db: Db, phone: string): Promise<void> {
  if (testProvider() === "sqlite") {
    await db.$executeRawUnsafe(`CREATE TRIGGER test_contact_fault BEFORE INSERT ON "Contact" WHEN NEW."phoneE164" = '${phone}' BEGIN SELECT RAISE(ABORT, 'injected disk fault'); END`);
    return;
  }
  await db.$executeRawUnsafe(`CREATE OR REPLACE FUNCTION test_contact_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected disk fault'; END $$`);
  await db.$executeRawUnsafe(`CREATE TRIGGER test_contact_fault BEFORE INSERT ON "Contact" FOR EACH ROW WHEN (NEW."phoneE164" = '${phone}') EXECUTE FUNCTION test_contact_fault()`);
}

async function removeContactFault(db: Db): Promise<void> {
  await db.$executeRawUnsafe(testProvider() === "sqlite" ? `DROP TRIGGER test_contact_fault` : `DROP TRIGGER test_contact_fault ON "Contact"`);
}

/**
 * Starts a POST that claims (or streams) `totalBytes` and keeps writing until
 * the server answers or drops the connection; resolves with what the server
 * did ("reset" when it closed the connection on the unread upload) and how
 * many bytes had been written by then.
 */
function oversizedPost(url: string, totalBytes: number, chunked: boolean, headers: Record<string, string> = {}): Promise<{ outcome: number | "reset"; writtenWhenRefused: number }> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(256 * 1024, 0x61);
    let written = 0;
    let settled = false;
    const settle = (outcome: number | "reset") => {
      if (settled) return;
      settled = true;
      resolve({ outcome, writtenWhenRefused: written });
      req.destroy();
    };
    const req = httpRequest(url, { method: "POST", headers: { "content-type": "application/json", ...headers, ...(chunked ? {} : { "content-length": String(totalBytes) }) } }, (res) => {
      res.resume();
      settle(res.statusCode ?? 0);
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "ECONNRESET" || error.code === "EPIPE") settle("reset");
      else if (!settled) reject(error);
    });
    const pump = () => {
      while (!settled && written < totalBytes) {
        written += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!settled) req.end();
    };
    pump();
  });
}

describe("webhook intake hardening", () => {
  let sandbox: Sandbox;
  let shopId: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() } });
    shopId = (await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } })).id;
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const deps = () => ({ db: sandbox.db, config: sandbox.config, graph: graphClient(sandbox.config) });

  it("refuses a 64 MB body by its Content-Length before reading it, on both webhook routes, and keeps serving", async () => {
    await sandbox.settled();
    const before = await sandbox.db.webhookReceipt.count();
    for (const route of ["/webhooks/shopify", "/webhooks/whatsapp"]) {
      const health = fetch(`${sandbox.appUrl}/healthz`);
      const { outcome, writtenWhenRefused } = await oversizedPost(`${sandbox.appUrl}${route}`, 64 * MB, false);
      // 413, or the connection closed under the upload if the reset outruns the answer: either way, unread.
      expect([413, "reset"]).toContain(outcome);
      expect(writtenWhenRefused).toBeLessThan(64 * MB);
      expect((await health).status).toBe(200);
    }
    expect(await sandbox.db.webhookReceipt.count()).toBe(before);
  });

  it("stops reading a chunked body at the cap", async () => {
    const { outcome, writtenWhenRefused } = await oversizedPost(`${sandbox.appUrl}/webhooks/whatsapp`, 64 * MB, true);
    expect([413, "reset"]).toContain(outcome);
    expect(writtenWhenRefused).toBeLessThan(64 * MB);
    expect((await fetch(`${sandbox.appUrl}/healthz`)).status).toBe(200);
  });

  it("refuses the app's own routes a body over 5 MB (a rate card upload of 64 MB) or of no declared length before reading it, and keeps serving", async () => {
    const upload = sandbox.adminUrl("/app/costs");
    // Signed in, as a merchant's page is: the action would read the whole multipart body into memory.
    const signedIn = { authorization: `Bearer ${sandbox.sessionToken()}`, "content-type": "multipart/form-data; boundary=x", "user-agent": BROWSER_UA };
    const declared = await oversizedPost(upload, 64 * MB, false, signedIn);
    expect([413, "reset"]).toContain(declared.outcome);
    expect(declared.writtenWhenRefused).toBeLessThan(64 * MB);
    const chunked = await oversizedPost(upload, 64 * MB, true, signedIn);
    expect([411, "reset"]).toContain(chunked.outcome);
    expect(chunked.writtenWhenRefused).toBeLessThan(64 * MB);
    // A form of ordinary size still reaches the page's action (it answers for itself).
    const ordinary = await fetch(upload, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
      body: "intent=nothing-known",
    });
    expect([411, 413]).not.toContain(ordinary.status);
    expect(ordinary.status).toBeLessThan(500);
    expect((await fetch(`${sandbox.appUrl}/healthz`)).status).toBe(200);
  });

  it("records a signed payload nested 20,000 levels deep as rejected, never a 500", async () => {
    const deep = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    const meta = `{"object":"whatsapp_business_account","entry":[{"id":"${SEED.wabaId}","changes":[{"field":"messages","value":{"x":${deep}}}]}]}`;
    expect((await postMetaWebhook(sandbox.appUrl, sandbox.env.META_APP_SECRET, meta, metaSignature(meta, sandbox.env.META_APP_SECRET))).status).toBe(200);
    const eventId = crypto.randomUUID();
    const shopify = `{"id":1,"note_attributes":${deep}}`;
    expect((await postShopifyWebhook(sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: shopify, eventId })).status).toBe(200);
    const rejected = await sandbox.db.webhookReceipt.findMany({ where: { status: "REJECTED", error: { contains: "nests deeper" } } });
    expect(rejected.map((r) => r.source).sort()).toEqual(["META", "SHOPIFY"]);
    expect(rejected.every((r) => r.payload === "")).toBe(true);
  });

  it("records a signed delivery that lacks a Shopify header with that reason instead of answering 400", async () => {
    const body = JSON.stringify({ id: 5 });
    const response = await fetch(`${sandbox.appUrl}/webhooks/shopify`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-shopify-hmac-sha256": shopifyHmac(body, sandbox.env.SHOPIFY_API_SECRET),
        "x-shopify-shop-domain": sandbox.shopDomain,
        "x-shopify-webhook-id": "no-topic-1",
      },
      body,
    });
    expect(response.status).toBe(200);
    expect(await sandbox.db.webhookReceipt.findFirst({ where: { dedupeKey: "no-topic-1" } })).toMatchObject({ status: "REJECTED", error: "missing header X-Shopify-Topic" });
  });

  it("stores and handles app/uninstalled and the compliance topics when the shop's offline token can no longer be refreshed", async () => {
    const other = await sandbox.db.shop.create({ data: { domain: "expired-token.myshopify.com", marketingBlockedCountries: ["US"], optOutKeywords: ["STOP"] } });
    await sandbox.db.session.create({
      data: {
        id: "offline_expired-token.myshopify.com",
        shop: other.domain,
        state: "",
        isOnline: false,
        scope: sandbox.env.SCOPES,
        expires: new Date(Date.now() - 60_000),
        accessTokenCiphertext: encryptSecret("shpat_expired", sandbox.config.encryptionKey),
        refreshTokenCiphertext: encryptSecret("shprt_refresh", sandbox.config.encryptionKey),
        refreshTokenExpires: new Date(Date.now() + 86_400_000),
      },
    });
    for (const topic of ["customers/data_request", "customers/redact", "app/uninstalled"]) {
      const body = JSON.stringify({ shop_id: 2, shop_domain: other.domain, customer: { id: 7, email: null, phone: null }, orders_to_redact: [] });
      expect(await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic, shop: other.domain, body })).toEqual({ status: 200, receiptStatus: "PROCESSED" });
    }
    expect(await sandbox.db.shop.findUniqueOrThrow({ where: { id: other.id } })).toMatchObject({ uninstalledAt: expect.any(Date) });
  });

  describe("a handler that keeps failing", () => {
    // A database fault for one customer: every write of their contact fails, as a broken disk or a constraint would.
    const FAULTY = { phone: "+5511955550123", digits: "955550123", lastName: "Quintela", email: "beatriz.quintela@example.com" };
    const faultyOrder = (id: number) =>
      orderPayload({
        id,
        name: `#F${id}`,
        email: FAULTY.email,
        customer: { id: id + 1, first_name: "Beatriz", last_name: FAULTY.lastName, phone: FAULTY.phone, email: FAULTY.email, sms_marketing_consent: null },
        shipping_address: { first_name: "Beatriz", last_name: FAULTY.lastName, phone: FAULTY.phone, country_code: "BR", city: "Campinas", address1: "Rua Quintela 12" },
      });

    beforeAll(async () => {
      await injectContactFault(sandbox.db, FAULTY.phone);
    });

    it("is retried with backoff, then dead-lettered and shown to the merchant, who can retry it once the cause is gone", async () => {
      const eventId = crypto.randomUUID();
      const order = faultyOrder(9_100_001);
      await postShopifyWebhook(sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(order), eventId });
      const key = { source_dedupeKey: { source: "SHOPIFY", dedupeKey: eventId } };
      let receipt = await sandbox.db.webhookReceipt.findUniqueOrThrow({ where: key });
      for (let i = 0; i < 200 && !receipt.error; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        receipt = await sandbox.db.webhookReceipt.findUniqueOrThrow({ where: key });
      }
      // Transient: kept for a retry later, with the reason, not rejected and not lost.
      expect(receipt).toMatchObject({ status: "RECEIVED", attempts: 1, lockedUntil: null });
      expect(receipt.error).toMatch(/while handling ORDERS_CREATE/);
      expect(receipt.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 30_000);

      const gaps: { attempts: number; ms: number }[] = [];
      while (receipt.status === "RECEIVED") {
        await sandbox.db.webhookReceipt.update({ where: { id: receipt.id }, data: { nextAttemptAt: new Date() } });
        await processDueReceipts(deps());
        let next = await sandbox.db.webhookReceipt.findUniqueOrThrow({ where: { id: receipt.id } });
        // The app's own worker polls the same table: it may hold the receipt at this moment (a claim counts its attempt
        // before the attempt sets the next one), or make an attempt of its own beside this one. So the test waits for
        // the claim to end, and reads a gap only when exactly one attempt was made since the last look.
        for (let i = 0; i < 200 && next.lockedUntil; i++) {
          await new Promise((resolve) => setTimeout(resolve, 50));
          next = await sandbox.db.webhookReceipt.findUniqueOrThrow({ where: { id: receipt.id } });
        }
        expect(next.lockedUntil, "an attempt still held the receipt after 10 s").toBeNull();
        if (next.status === "RECEIVED" && next.attempts === receipt.attempts + 1) gaps.push({ attempts: next.attempts, ms: next.nextAttemptAt.getTime() - Date.now() });
        receipt = next;
      }
      expect(receipt).toMatchObject({ status: "DEAD", attempts: MAX_RECEIPT_ATTEMPTS });
      // Attempts 2 to 7 each leave a gap (fewer when the app's worker made one beside the test's): it doubles.
      expect(gaps.at(-1)!.attempts - gaps[0]!.attempts).toBeGreaterThanOrEqual(3);
      expect(gaps.at(-1)!.ms).toBeGreaterThan(gaps[0]!.ms * 4); // backoff grows

      const home = await fetch(sandbox.adminUrl("/app"), { headers: { "user-agent": BROWSER_UA } });
      const html = await home.text();
      expect(html).toContain("Deliveries the app could not process");
      expect(html).toContain("ORDERS_CREATE");

      await removeContactFault(sandbox.db);
      const retry = await fetch(`${sandbox.appUrl}/app?index`, {
        method: "POST",
        headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
        body: new URLSearchParams({ intent: "retry-receipt", id: receipt.id }),
      });
      expect(retry.status).toBeLessThan(400);
      // Back in line (the app's own worker may already have taken it).
      expect(["RECEIVED", "PROCESSED"]).toContain((await sandbox.db.webhookReceipt.findUniqueOrThrow({ where: { id: receipt.id } })).status);
      // The app's own worker may hold it mid-run: wait for whichever process handles it.
      for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
        if ((await sandbox.db.webhookReceipt.findUniqueOrThrow({ where: { id: receipt.id } })).status !== "RECEIVED") break;
        if ((await processDueReceipts(deps())) === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await sandbox.db.webhookReceipt.findUniqueOrThrow({ where: { id: receipt.id } })).toMatchObject({ status: "PROCESSED" });
      expect(await sandbox.db.order.count({ where: { shopId, shopifyOrderId: String(order.id) } })).toBe(1);
      await injectContactFault(sandbox.db, FAULTY.phone);
      // The order's confirmation may be sending meanwhile: its rows lock against the contact's delete, and PostgreSQL
      // may end the delete as a deadlock's victim (P2034), which a second try does not meet.
      for (let attempt = 1; ; attempt++) {
        try {
          await sandbox.db.contact.deleteMany({ where: { shopId, phoneE164: FAULTY.phone } });
          break;
        } catch (error) {
          if (attempt === 5 || (error as { code?: string }).code !== "P2034") throw error;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
      expect(await sandbox.db.contact.count({ where: { shopId, phoneE164: FAULTY.phone } })).toBe(0);
    });

    it("cannot starve a legitimate receipt left behind it", async () => {
      const stale = new Date(Date.now() - 10 * 60_000);
      const stored = (order: ReturnType<typeof orderPayload>, eventId: string) => ({
        source: "SHOPIFY",
        dedupeKey: eventId,
        topic: "ORDERS_CREATE",
        shopId,
        payload: JSON.stringify({ shop: sandbox.shopDomain, topic: "ORDERS_CREATE", webhookId: eventId, eventId, payload: order }),
        receivedAt: stale,
        nextAttemptAt: stale,
      });
      await sandbox.db.webhookReceipt.createMany({ data: Array.from({ length: 120 }, (_, i) => stored(faultyOrder(9_200_000 + i), `poison-${i}`)) });
      const legit = orderPayload({ id: 9_300_001, name: "#LEGIT" });
      await sandbox.db.webhookReceipt.create({ data: { ...stored(legit, "legit-1"), receivedAt: new Date(stale.getTime() + 1000), nextAttemptAt: new Date(stale.getTime() + 1000) } });

      // Each pass takes the receipts due first; a failed one moves back in line, so a few passes reach the legit one.
      const legitReceipt = () => sandbox.db.webhookReceipt.findUniqueOrThrow({ where: { source_dedupeKey: { source: "SHOPIFY", dedupeKey: "legit-1" } } });
      // The app's own worker takes receipts too, so passes run until the legit one is done (or a minute passes).
      for (const deadline = Date.now() + 60_000; (await legitReceipt()).status === "RECEIVED" && Date.now() < deadline;) {
        if ((await processDueReceipts(deps())) === 0) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(await legitReceipt()).toMatchObject({ status: "PROCESSED" });
      expect(await sandbox.db.order.count({ where: { shopId, shopifyOrderId: String(legit.id) } })).toBe(1);
      // The poison ones are still waiting for a retry, not lost, not done.
      expect(await sandbox.db.webhookReceipt.count({ where: { dedupeKey: { startsWith: "poison-" }, status: "RECEIVED" } })).toBe(120);
    });

    it("never writes the customer's phone, name or email to the logs", async () => {
      // A customer message no write can store (its timestamp is no date): a validation error that once quoted the whole row.
      const inbound = metaEnvelope(SEED.wabaId, "messages", {
        messaging_product: "whatsapp",
        metadata: { display_phone_number: "15550100001", phone_number_id: SEED.cloudPhoneNumberId },
        contacts: [{ profile: { name: `Beatriz ${FAULTY.lastName}` }, wa_id: FAULTY.phone.slice(1) }],
        messages: [{ from: FAULTY.phone.slice(1), id: "wamid.faulty-inbound", timestamp: "99999999999999", type: "text", text: { body: `Sou a Beatriz ${FAULTY.lastName}, ${FAULTY.email}` } }],
      });
      expect((await postMetaWebhook(sandbox.appUrl, sandbox.env.META_APP_SECRET, inbound)).status).toBe(200);
      await sandbox.settled();
      const output = sandbox.appOutput();
      expect(output).toMatch(/could not be processed/);
      expect(output).not.toContain(FAULTY.digits);
      expect(output).not.toContain(FAULTY.lastName);
      expect(output).not.toContain(FAULTY.email);
      expect(output).not.toContain("987654321");
    });
  });

  it("rejects a status whose timestamp no clock could have produced instead of retrying it forever", async () => {
    const body = metaEnvelope(SEED.wabaId, "messages", {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "15550100001", phone_number_id: SEED.cloudPhoneNumberId },
      statuses: [{ id: "wamid.absurd", status: "delivered", timestamp: "99999999999", recipient_id: "5511987654321" }],
    });
    expect((await postMetaWebhook(sandbox.appUrl, sandbox.env.META_APP_SECRET, body)).status).toBe(200);
    await sandbox.settled();
    const receipt = await sandbox.db.webhookReceipt.findFirst({ where: { source: "META", payload: { contains: "wamid.absurd" } } });
    expect(receipt).toMatchObject({ status: "REJECTED", error: expect.stringContaining("statuses.0.timestamp") });
  });
});
