// A campaign's results, over real HTTP: six Shopify customers read into its
// audience, the campaign scheduled and sent by the real worker and dispatcher
// to the simulator, which answers with statuses and Meta's pricing. One send
// fails (131026), one recipient wrote STOP before it went (cancelled); of the
// four delivered one is read and replied to, one writes STOP (a reply too);
// two recipients order within the window, one after it, a non-recipient
// through the campaign's UTM link and another through some other link. The
// page and the CSV show exactly those numbers; another shop gets 404.
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { scheduleCampaign } from "../app/campaigns/sending.server";
import { Prisma } from "../app/generated/prisma/client";
import { cardInForce, rateCardsFor, rateFor } from "../app/pricing/rate-cards.server";
import { localDay } from "../app/pricing/time";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { installShop } from "../sandbox/seed";
import { orderPayload } from "../sandbox/shopify-payloads";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, simJson } from "./helpers/http";

const DAY_MS = 24 * 60 * 60 * 1000;
const PHONES = ["+5511955556001", "+5511955556002", "+5511955556003", "+5511955556004", "+5511955556005", "+5511955556006"];

describe("campaign results: reach, cost beside the estimate, attributed orders", () => {
  let sandbox: Sandbox;
  let shopId: string;
  let campaignId: string;
  const otherShop = "other-results.myshopify.com";

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 5, sendRead: false } });
    await installShop(sandbox.db, sandbox.config, otherShop);
    shopId = (await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } })).id;
    const customers = PHONES.map((phone, i) => ({ id: 9_400_000 + i, firstName: `Cliente ${i}`, phone, countryCode: "BR", tags: ["results"], whatsAppMarketingState: "SUBSCRIBED" }));
    expect((await fetch(`${sandbox.shopify.url}/_sim/shopify/customers`, { method: "POST", body: JSON.stringify({ shop: sandbox.shopDomain, customers }) })).status).toBe(200);
    // No quiet hours on the shop's marketing: the test runs at any hour.
    await sandbox.db.automation.updateMany({ where: { shopId, trigger: "CHECKOUT_ABANDONED" }, data: { quietHours: Prisma.DbNull } });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const text = (html: string) =>
    html
      .replace(/<[^>]+>/g, " ")
      .replace(/&amp;/g, "&")
      .replace(/&#x27;/g, "'")
      .replace(/\s+/g, " ");
  const page = async (path: string, shop?: string, locale = "en") => {
    const response = await fetch(sandbox.adminUrl(path, { shop, locale }), { headers: { "user-agent": BROWSER_UA } });
    return { status: response.status, text: text(await response.text()) };
  };
  const csv = (shop?: string) => fetch(`${sandbox.appUrl}/app/campaigns/${campaignId}/results.csv`, { headers: { authorization: `Bearer ${sandbox.sessionToken(shop)}`, "user-agent": BROWSER_UA } });
  const inbound = (from: string, body: Record<string, unknown>) => simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from, phoneNumberId: SEED.cloudPhoneNumberId, ...body } });
  const placeOrder = async (phone: string, overrides: Record<string, unknown>) => {
    const order = orderPayload({
      customer: { id: Math.floor(Math.random() * 1e9), first_name: "Cliente", phone },
      shipping_address: { first_name: "Cliente", phone, country_code: "BR" },
      ...overrides,
    });
    expect((await fetch(`${sandbox.shopify.url}/_sim/shopify/orders`, { method: "POST", body: JSON.stringify({ shop: sandbox.shopDomain, order }) })).status).toBe(200);
    return order.name;
  };

  it("shows what the campaign reached, cost and brought, on the page and in the CSV", async () => {
    const created = await fetch(`${sandbox.appUrl}/app/campaigns?index`, {
      method: "POST",
      redirect: "manual",
      headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
      body: new URLSearchParams({ name: "Black Friday", audience: "filters", tag: "results", templateName: "abandoned_cart" }).toString(),
    });
    expect(created.status).toBe(302);
    campaignId = /\/app\/campaigns\/([\w-]+)/.exec(created.headers.get("location") ?? "")![1]!;
    await expect.poll(async () => (await sandbox.db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).audienceStatus, { timeout: 60_000, interval: 250 }).toBe("READY");
    // The campaign page's form sets these.
    await sandbox.db.campaign.update({ where: { id: campaignId }, data: { variableMapping: ["first_name", "store_name", "store_name"], utmCampaign: "bf2026" } });
    // The last recipient writes STOP after the audience was read: their message is cancelled, not an opt-out it caused.
    await inbound(PHONES[5]!, { text: "STOP" });
    await sandbox.settled();

    // One send fails; the others are delivered with Meta's pricing.
    await simJson(sandbox.simUrl, "fail-next", { method: "POST", body: { code: 131026, phoneNumberId: SEED.cloudPhoneNumberId } });
    expect(await scheduleCampaign(sandbox.db, shopId, campaignId, { id: "1", name: "Owner" }, { kind: "NOW", overBudgetApproved: false })).toEqual({ ok: true });
    const statuses = async () => (await sandbox.db.message.findMany({ where: { campaignId }, select: { status: true } })).map((m) => m.status).sort();
    await expect.poll(statuses, { timeout: 30_000, interval: 200 }).toEqual(["CANCELLED", "DELIVERED", "DELIVERED", "DELIVERED", "DELIVERED", "FAILED"]);
    await sandbox.settled();
    const rows = await sandbox.db.message.findMany({ where: { campaignId }, orderBy: { recipientPhone: "asc" } });
    expect(rows.find((m) => m.status === "CANCELLED")!.recipientPhone).toBe(PHONES[5]);
    const [ana, bruno, davi, elisa] = rows.filter((m) => m.status === "DELIVERED");
    const message = (id: string) => sandbox.db.message.findUniqueOrThrow({ where: { id } });

    // Ana's message is read (Meta's status, through the simulator's webhook).
    const display = "15550100001";
    await simJson(sandbox.simUrl, "webhook", {
      method: "POST",
      body: {
        field: "messages",
        value: {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: display, phone_number_id: SEED.cloudPhoneNumberId },
          statuses: [{ id: ana!.wamid, status: "read", timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: ana!.recipientPhone!.slice(1) }],
        },
      },
    });
    await sandbox.settled();
    expect((await message(ana!.id)).status).toBe("READ");
    // Ana replies to the campaign's message; Bruno writes STOP. Both answer it as the app counts replies (the cost report's too).
    await inbound(ana!.recipientPhone!, { text: "Quero!", contextWamid: ana!.wamid });
    await inbound(bruno!.recipientPhone!, { text: "STOP" });
    await sandbox.settled();
    expect((await message(ana!.id)).repliedAt).not.toBeNull();
    expect((await message(bruno!.id)).repliedAt).not.toBeNull();
    expect((await sandbox.db.contact.findUniqueOrThrow({ where: { id: bruno!.contactId! } })).marketingOptedOutAt).not.toBeNull();

    // Orders: Ana (USD) and Davi (BRL) within the window; Elisa after it; a non-recipient through the campaign's link, another through some other link.
    const placedNow = { processed_at: new Date().toISOString() };
    const anaOrder = await placeOrder(ana!.recipientPhone!, { currency: "USD", total_price: "50.00", ...placedNow });
    const daviOrder = await placeOrder(davi!.recipientPhone!, { currency: "BRL", total_price: "120.00", ...placedNow });
    await placeOrder(elisa!.recipientPhone!, { currency: "BRL", total_price: "99.00", processed_at: new Date(elisa!.sentAt!.getTime() + 8 * DAY_MS).toISOString() });
    const utmOrder = await placeOrder("+5511955556101", { currency: "USD", total_price: "30.00", ...placedNow, landing_site: "/products/camiseta?utm_source=whatsapp&utm_campaign=bf2026" });
    await placeOrder("+5511955556102", { currency: "USD", total_price: "45.00", ...placedNow, landing_site: "/?utm_campaign=bf2026-newsletter" });
    await sandbox.settled();
    expect(await sandbox.db.order.count({ where: { shopId, landingSite: { contains: "utm_campaign=bf2026" } } })).toBe(2);

    // Independently of the page: the marketing rate of the card in force, times the four delivered.
    const card = cardInForce(await rateCardsFor(sandbox.db, shopId, "USD"), localDay(new Date(), "America/Sao_Paulo"))!;
    const rate = rateFor(card, "Brazil", "marketing")!;
    const usd = (micros: number) => new Intl.NumberFormat("en", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(micros / 1_000_000);
    const actual = rate * 4;
    expect((await sandbox.db.campaign.findUniqueOrThrow({ where: { id: campaignId } })).estimate).toMatchObject({
      totalMicros: rate * 6,
      markets: [{ market: "Brazil", recipients: 6, costMicros: rate * 6 }],
    });

    const { status, text: shown } = await page(`/app/campaigns/${campaignId}/results`);
    expect(status).toBe(200);
    expect(shown).toContain("Messages 6 Sent 4 Delivered 4 Read 1 Replied 2 Opted out of marketing 1 Failed 1 Skipped or cancelled 1");
    expect(shown).toContain("131026 The number cannot receive the message (not on WhatsApp, or an outdated app). 1");
    expect(shown).toContain(`Brazil 6 ${usd(rate * 6)} 4 ${usd(actual)}`);
    expect(shown).toContain(`Totals ${usd(rate * 6)} 4 ${usd(actual)}`);
    expect(shown).toContain("BRL 1 R$120.00 Not comparable: WhatsApp is billed in USD");
    const ratio = new Intl.NumberFormat("en", { maximumFractionDigits: 2 }).format(80_000_000 / actual);
    expect(shown).toContain(`USD 2 $80.00 ${ratio}× ($80.00 per ${usd(actual)})`);
    for (const [name, total, via] of [
      [anaOrder, "$50.00", "Recipient's order"],
      [daviOrder, "R$120.00", "Recipient's order"],
      [utmOrder, "$30.00", "Campaign link (UTM)"],
    ] as const) {
      expect(shown).toMatch(new RegExp(`${name} [^$R]+ ${total.replace("$", "\\$")} ${via.replace(/[()]/g, "\\$&")}`));
    }
    expect(shown.match(/Recipient's order|Campaign link \(UTM\)/g)).toHaveLength(3);

    // The same figures in Spanish.
    const spanish = (await page(`/app/campaigns/${campaignId}/results`, undefined, "es")).text;
    expect(spanish).toContain("Mensajes 6 Enviados 4 Entregados 4 Leídos 1 Respondidos 2 Se dieron de baja del marketing 1 Fallidos 1 Omitidos o cancelados 1");
    expect(spanish).toContain("No comparable: WhatsApp se factura en USD");

    const response = await csv();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/csv");
    const lines = parse(await response.text()) as string[][];
    const row = (section: string, key: string) => lines.find((r) => r[0] === section && r[1] === key);
    expect(lines[0]).toEqual(["section", "key", "count", "amount", "currency"]);
    for (const [key, count] of [
      ["messages", "6"],
      ["sent", "4"],
      ["delivered", "4"],
      ["read", "1"],
      ["replied", "2"],
      ["opted_out", "1"],
      ["failed", "1"],
      ["skipped", "1"],
    ] as const)
      expect(row("count", key)?.[2]).toBe(count);
    expect(lines.filter((r) => r[0] === "failure")).toEqual([["failure", expect.stringMatching(/^131026 /), "1", "", ""]]);
    expect(row("cost", "Brazil")).toEqual(["cost", "Brazil", "4", (actual / 1e6).toFixed(6), "USD"]);
    expect(row("estimate", "total")).toEqual(["estimate", "total", "", ((rate * 6) / 1e6).toFixed(6), "USD"]);
    expect(lines.filter((r) => r[0] === "revenue")).toEqual([
      ["revenue", "total", "1", "120.000000", "BRL"],
      ["revenue", "total", "2", "80.000000", "USD"],
    ]);
    expect(lines.filter((r) => r[0] === "revenue_per_spend")).toEqual([
      ["revenue_per_spend", "CURRENCY", "", "", "BRL"],
      ["revenue_per_spend", "ratio", "", (80_000_000 / actual).toFixed(2), "USD"],
    ]);
    expect(
      lines
        .filter((r) => r[0]?.startsWith("order_"))
        .map((r) => [r[0], r[1]!.split(" ")[0], r[3], r[4]])
        .sort(),
    ).toEqual(
      [
        ["order_recipient", anaOrder, "50.000000", "USD"],
        ["order_recipient", daviOrder, "120.000000", "BRL"],
        ["order_utm", utmOrder, "30.000000", "USD"],
      ].sort(),
    );

    // Another shop naming this campaign finds nothing.
    expect((await page(`/app/campaigns/${campaignId}/results`, otherShop)).status).toBe(404);
    expect((await csv(otherShop)).status).toBe(404);
  });
});
