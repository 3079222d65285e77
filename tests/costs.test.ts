import { decode } from "turbo-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseConfig } from "../app/core/config.server";
import type { Db } from "../app/core/db.server";
import { applyStatusUpdate, recordAccepted, type StatusUpdate } from "../app/messaging/messages.server";
import { marketForCountry, marketForE164 } from "../app/pricing/markets";
import { recomputeDueRateCards } from "../app/pricing/rate-card-upload.server";
import { parseRatesCsv, parseTiersCsv, RateCardError, saveUploadedRateCard } from "../app/pricing/rate-cards.server";
import { costReport, costReportCsv } from "../app/pricing/report.server";
import { reconcileDueShops } from "../app/pricing/reconciliation.server";
import { localDay, startOfDay } from "../app/pricing/time";
import { WhatsAppClient } from "../app/whatsapp/client.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { SEED } from "../sandbox/simulator/state";
import { createShop, createTestDb, testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA } from "./helpers/http";

const TZ = "America/Sao_Paulo";
const at = (day: number, hour: number, minute = 0) => new Date(Date.UTC(2026, 10, day, hour + 3, minute));
const utility = { category: "utility", type: "regular", billable: true };
const marketing = { category: "marketing", type: "regular", billable: true };
const inWindow = { category: "utility", type: "free_customer_service", billable: false };

describe("cost per message", () => {
  let db: Db;
  let shopId: string;
  let seq = 0;

  beforeAll(async () => {
    ({ db } = await createTestDb());
    shopId = (await createShop(db, "costs-a.myshopify.com")).id;
    await db.shop.update({ where: { id: shopId }, data: { timezone: TZ } });
    await db.whatsAppAccount.create({ data: { shopId, wabaId: "waba-costs", currency: "USD", timezone: TZ, onboardingState: "CONNECTED" } });
  });
  afterAll(async () => {
    await db.$disconnect();
  });

  /** An app-sent template to a market, accepted by Meta and (unless told otherwise) delivered with the given pricing. */
  async function send(options: { market?: string; templateName?: string; delivered?: Date | null; pricing?: StatusUpdate["pricing"]; type?: string; orderId?: string }) {
    const wamid = `wamid.cost.${++seq}`;
    const message = await db.message.create({
      data: {
        shopId,
        direction: "OUT",
        source: "AUTOMATION",
        type: options.type ?? "template",
        templateName: options.type === "text" ? null : (options.templateName ?? "order_confirmation"),
        market: options.market ?? "Brazil",
        orderId: options.orderId ?? null,
        status: "QUEUED",
        statusRank: 2,
      },
    });
    await recordAccepted(db, shopId, message.id, wamid);
    const sentAt = options.delivered ? new Date(options.delivered.getTime() - 1000) : at(20, 9);
    await applyStatusUpdate(db, shopId, { wamid, status: "sent", occurredAt: sentAt, pricing: options.pricing });
    if (options.delivered !== null) await applyStatusUpdate(db, shopId, { wamid, status: "delivered", occurredAt: options.delivered ?? at(20, 9, 1), pricing: options.pricing });
    return { id: message.id, wamid };
  }
  const message = (id: string) => db.message.findUniqueOrThrow({ where: { id } });

  /** The invariant the report relies on: the daily rows add up to the messages. */
  async function expectAggregatesMatchMessages() {
    const messages = await db.message.findMany({ where: { shopId, direction: "OUT", wamid: { not: null } } });
    const daily = await db.costDaily.aggregate({ where: { shopId }, _sum: { costMicros: true, sent: true, delivered: true, charged: true, free: true, failed: true } });
    expect(Number(daily._sum.costMicros)).toBe(messages.reduce((s, m) => s + (m.costMicros ?? 0), 0));
    expect(daily._sum.sent).toBe(messages.length);
    expect(daily._sum.delivered).toBe(messages.filter((m) => m.deliveredAt).length);
    expect(daily._sum.charged).toBe(messages.filter((m) => m.costState === "CHARGED").length);
    expect(daily._sum.free).toBe(messages.filter((m) => m.costState === "FREE").length);
    expect(daily._sum.failed).toBe(messages.filter((m) => m.status === "FAILED").length);
  }

  it("charges a utility template delivered outside the window at the market's utility rate, once", async () => {
    const { id, wamid } = await send({ pricing: utility });
    expect(await message(id)).toMatchObject({ costState: "CHARGED", costMicros: 6_800, currency: "USD", rateCardRef: "bundled:USD:2026-10-01" });
    // A replayed and a late `read` change nothing about the cost.
    await applyStatusUpdate(db, shopId, { wamid, status: "delivered", occurredAt: at(20, 9, 5), pricing: utility });
    await applyStatusUpdate(db, shopId, { wamid, status: "read", occurredAt: at(20, 9, 8), pricing: utility });
    expect(await message(id)).toMatchObject({ costState: "CHARGED", costMicros: 6_800 });
    await expectAggregatesMatchMessages();
  });

  it("makes the same utility template free inside an open customer service window", async () => {
    const { id } = await send({ pricing: inWindow });
    expect(await message(id)).toMatchObject({ costState: "FREE", costMicros: 0 });
  });

  it("charges nothing for a failed message, and nothing before delivery", async () => {
    const sent = await send({ pricing: utility, delivered: null });
    expect(await message(sent.id)).toMatchObject({ costState: null, costMicros: null });
    await applyStatusUpdate(db, shopId, { wamid: sent.wamid, status: "failed", occurredAt: at(20, 9, 3), error: { code: 131026, title: "Message undeliverable" } });
    expect(await message(sent.id)).toMatchObject({ status: "FAILED", costState: null, costMicros: null });
    await expectAggregatesMatchMessages();
  });

  it("uses Brazil's marketing rate for a marketing message to Brazil, and says when a rate is unknown", async () => {
    const brazil = await send({ templateName: "abandoned_cart", pricing: marketing });
    expect(await message(brazil.id)).toMatchObject({ costState: "CHARGED", costMicros: 62_500 });
    const india = await send({ market: "India", templateName: "abandoned_cart", pricing: marketing });
    expect(await message(india.id)).toMatchObject({ costState: "UNKNOWN_RATE", costMicros: null });
  });

  it("keeps non-template replies free, and charges them at the utility rate from the configured date when Meta sends no pricing", async () => {
    const free = await send({ type: "text" });
    expect(await message(free.id)).toMatchObject({ costState: "FREE", costMicros: 0 });
    process.env.PRICING_SERVICE_CHARGED_FROM = "2026-10-01";
    try {
      const charged = await send({ type: "text" });
      expect(await message(charged.id)).toMatchObject({ costState: "CHARGED", costMicros: 6_800 });
    } finally {
      delete process.env.PRICING_SERVICE_CHARGED_FROM;
    }
  });

  it("applies the lower tier rate from the right message on, counted per market × category in the WABA's month", async () => {
    await saveUploadedRateCard(db, shopId, {
      currency: "USD",
      effectiveFrom: "2026-11-01",
      ratesCsv: "Market,Currency,Marketing,Utility,Authentication\nBrazil,USD,0.0625,0.0068,0.0068\nColombia,USD,0.0125,0.0008,0.0008\n",
      tiersCsv: "Market,Category,Tier,Rate\nColombia,Utility,0:3,0.0008\nColombia,Utility,4:MAX,0.0005\n",
    });
    // October's last evening in São Paulo is still October: it does not count towards November's tier.
    const october = await send({ market: "Colombia", pricing: utility, delivered: new Date(Date.UTC(2026, 10, 1, 2, 30)) });
    expect(localDay((await message(october.id)).deliveredAt!, TZ)).toBe("2026-10-31");
    const november = [];
    for (let i = 0; i < 5; i++) november.push(await send({ market: "Colombia", pricing: utility, delivered: at(10, 10, i) }));
    const costs = await Promise.all(november.map(async (m) => (await message(m.id)).costMicros));
    expect(costs).toEqual([800, 800, 800, 500, 500]);
    expect((await message(october.id)).costMicros).toBe(800);
  });

  it("recomputes stored costs, order totals and the daily rows when the rate card changes", async () => {
    const order = await db.order.create({ data: { shopId, shopifyOrderId: "9001", name: "#9001" } });
    const sent = await send({ templateName: "abandoned_cart", pricing: marketing, orderId: order.id, delivered: at(12, 15) });
    expect(await message(sent.id)).toMatchObject({ costMicros: 62_500, rateCardRef: expect.stringMatching(/^upload:/) });
    expect((await db.order.findUniqueOrThrow({ where: { id: order.id } })).whatsappCostMicros).toBe(62_500n);

    const card = await saveUploadedRateCard(db, shopId, {
      currency: "USD",
      effectiveFrom: "2026-11-01",
      ratesCsv: "WhatsApp rate card\nEffective 2026-11-01\n\nMarket,Currency,Marketing,Utility,Authentication,Authentication-International\nBrazil,USD,$0.0700,0.0068,0.0068,\n",
    });
    // A worker's job: while another worker's claim is live the card is left alone; once it lapses
    // (that worker died) this one takes it, recomputes with progress on the card, and marks it done.
    const otherWorkersClaim = new Date(Date.now() + 60_000);
    await db.rateCard.update({ where: { id: card.id }, data: { recomputeLockedUntil: otherWorkersClaim } });
    expect(await recomputeDueRateCards(db)).toBe(0);
    expect(await recomputeDueRateCards(db, { now: () => new Date(otherWorkersClaim.getTime() + 1) })).toBe(1);
    const recomputed = await db.rateCard.findUniqueOrThrow({ where: { id: card.id } });
    expect(recomputed.recomputedAt).not.toBeNull();
    expect(recomputed.recomputeTotal).toBeGreaterThan(0);
    expect(recomputed).toMatchObject({ recomputeDone: recomputed.recomputeTotal, recomputeLockedUntil: null });
    expect(await recomputeDueRateCards(db)).toBe(0);
    expect(await message(sent.id)).toMatchObject({ costState: "CHARGED", costMicros: 70_000 });
    expect((await db.order.findUniqueOrThrow({ where: { id: order.id } })).whatsappCostMicros).toBe(70_000n);
    // Colombia has no rate on the new card: unknown, not zero.
    const colombia = await db.message.findFirstOrThrow({ where: { shopId, market: "Colombia", deliveredAt: { gte: startOfDay("2026-11-01", TZ) } } });
    expect(colombia).toMatchObject({ costState: "UNKNOWN_RATE", costMicros: null });
    await expectAggregatesMatchMessages();

    const report = await costReport(db, shopId, { from: "2026-11-01", to: "2026-11-30" }, at(25, 12));
    // Both November marketing messages to Brazil now cost the new rate.
    expect(report.byCategory.find((c) => c.key === "marketing")!.costMicros).toBe(2 * 70_000);
    expect(report.orders).toMatchObject({ count: 1, costMicros: 70_000, perOrderMicros: 70_000 });
    const csv = await costReportCsv(db, shopId, { from: "2026-11-01", to: "2026-11-30" });
    expect(csv.trim().split("\n").at(-1)).toMatch(new RegExp(`^total,.*,${(report.totals.costMicros / 1e6).toFixed(6)}$`));
  });

  it("rejects a rate card it cannot read with the field and row at fault", () => {
    expect(() => parseRatesCsv("Country,Price\nBrazil,1\n")).toThrow(RateCardError);
    const thrown = (parse: () => unknown) => {
      try {
        parse();
      } catch (error) {
        return error as RateCardError;
      }
      throw new Error("accepted");
    };
    expect(thrown(() => parseRatesCsv("Market,Marketing\nBrazil,abc\n"))).toMatchObject({ code: "notRate", field: "rates", params: { row: "2", market: "Brazil", column: "Marketing", value: "abc" } });
    expect(thrown(() => parseTiersCsv("Market,Category,Tier,Rate\nBrazil,Marketing,0:10,0.01\n"))).toMatchObject({
      code: "tierCategory",
      field: "tiers",
      params: { row: "2", market: "Brazil", value: "Marketing" },
    });
    expect(parseTiersCsv('Market,Category,Tier,Rate\nBrazil,Utility,"750,001:25,000,000",0.0050\n')[0]).toMatchObject({ from: 750_001, to: 25_000_000, rateMicros: 5_000 });
    // The row named is the file's line, blank lines and a cell spanning two lines counted.
    expect(thrown(() => parseRatesCsv('Meta rate card\n\n"Effective\n2026-11-01"\nMarket,Marketing\nChile,0.08\nBrazil,abc\n'))).toMatchObject({
      code: "notRate",
      params: { row: "7", market: "Brazil" },
    });
    // Separate from/to columns: a value that is no count is refused with its row, not read as 0 or as "no end".
    expect(thrown(() => parseTiersCsv("Market,Category,From,To,Rate\nBrazil,Utility,n/a,750000,0.0068\n"))).toMatchObject({ code: "tierRange", field: "tiers", params: { row: "2" } });
    expect(thrown(() => parseTiersCsv("Market,Category,From,To,Rate\nBrazil,Utility,0,abc,0.0068\n"))).toMatchObject({ code: "tierRange", params: { row: "2" } });
    expect(parseTiersCsv('Market,Category,From,To,Rate\nBrazil,Utility,"750,001",,0.0050\nBrazil,Utility,0,750000,0.0068\n')).toMatchObject([
      { from: 0, to: 750_000 },
      { from: 750_001, to: null },
    ]);
  });

  it("maps numbers and Meta's countries to pricing markets, with +1 area codes in Latin America", () => {
    expect(marketForE164("+5511987654321")).toBe("Brazil");
    expect(marketForE164("+14155550100")).toBe("North America");
    expect(marketForE164("+18095550100")).toBe("Latin America");
    expect(marketForE164("+59899123456")).toBe("Latin America");
    expect(marketForE164("+4915112345678")).toBe("Germany");
    expect(marketForE164("+35799123456")).toBe("Other");
    expect([marketForCountry("BR"), marketForCountry("CA"), marketForCountry("DO"), marketForCountry("ZZ")]).toEqual(["Brazil", "North America", "Latin America", "Other"]);
  });

  it("keeps an order's running total past 2³¹ micros (a high-denomination currency: COP, CLP, IDR)", async () => {
    // About 2,147 units of the currency already spent on this order's messages: a few dozen in pesos.
    const order = await db.order.create({ data: { shopId, shopifyOrderId: "9002", name: "#9002", whatsappCostMicros: 2_147_450_000n } });
    const sent = await send({ templateName: "abandoned_cart", pricing: marketing, orderId: order.id, delivered: at(12, 16) });
    const cost = BigInt((await message(sent.id)).costMicros!);
    expect(cost).toBeGreaterThan(0n);
    expect((await db.order.findUniqueOrThrow({ where: { id: order.id } })).whatsappCostMicros).toBe(2_147_450_000n + cost);
  });

  it("keeps no status event when applying the status fails, so a reprocessed webhook applies it", async () => {
    const broken = await db.rateCard.create({ data: { shopId, currency: "USD", effectiveFrom: "2026-11-15", rates: [{ market: "Brazil" }], tiers: [] } });
    const { id, wamid } = await send({ pricing: utility, delivered: null });
    const delivered: StatusUpdate = { wamid, status: "delivered", occurredAt: at(20, 10), pricing: utility };
    await expect(applyStatusUpdate(db, shopId, delivered)).rejects.toThrow();
    expect(await db.messageStatusEvent.count({ where: { wamid, status: "delivered" } })).toBe(0);
    expect(await message(id)).toMatchObject({ status: "SENT", deliveredAt: null, costState: null });

    await db.rateCard.delete({ where: { id: broken.id } });
    expect(await applyStatusUpdate(db, shopId, delivered)).toBe("applied");
    expect(await message(id)).toMatchObject({ status: "DELIVERED", costState: "CHARGED", costMicros: 6_800 });
    expect(await applyStatusUpdate(db, shopId, delivered)).toBe("duplicate");
    await expectAggregatesMatchMessages();
  });
});

describe("calendar days where daylight saving time starts at midnight", () => {
  it.each([
    ["America/Santiago", "2026-09-06", "2026-09-06T04:00:00.000Z"],
    ["America/Havana", "2026-03-08", "2026-03-08T05:00:00.000Z"],
    ["America/Sao_Paulo", "2026-11-25", "2026-11-25T03:00:00.000Z"],
  ])("starts %s's %s at its first instant (%s), not the evening before", (zone, day, first) => {
    expect(startOfDay(day, zone).toISOString()).toBe(first);
  });

  it("gives every day of the year a start that falls on that day, in each zone", () => {
    for (const zone of ["America/Santiago", "America/Havana", "America/Asuncion", "America/Sao_Paulo", "America/Mexico_City"]) {
      const wrong: string[] = [];
      for (let d = new Date(Date.UTC(2026, 0, 1)); d.getUTCFullYear() === 2026; d = new Date(d.getTime() + 86_400_000)) {
        const day = d.toISOString().slice(0, 10);
        const start = startOfDay(day, zone);
        if (localDay(start, zone) !== day || localDay(new Date(start.getTime() - 1), zone) === day) wrong.push(day);
      }
      expect({ zone, wrong }).toEqual({ zone, wrong: [] });
    }
  });
});

describe("the costs page over HTTP", () => {
  let sandbox: Sandbox;
  let shopId: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() } });
    shopId = (await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } })).id;
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const page = async (query: string, locale = "en") => {
    const response = await fetch(`${sandbox.adminUrl("/app/costs", { locale })}&${query}`, { headers: { "user-agent": BROWSER_UA } });
    return { status: response.status, text: (await response.text()).replace(/<[^>]+>/g, " ").replace(/\s+/g, " ") };
  };
  // Remix single-fetch data requests: what the page's action answers.
  const act = async (body: FormData) => {
    const response = await fetch(`${sandbox.appUrl}/app/costs.data`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "user-agent": BROWSER_UA },
      body,
    });
    expect(response.status).toBe(200);
    const stream = await decode(response.body!);
    await stream.done;
    return (stream.value as { data: Record<string, unknown> }).data;
  };
  const form = (fields: Record<string, string | File>) => {
    const data = new FormData();
    for (const [name, value] of Object.entries(fields)) data.append(name, value);
    return data;
  };

  it("rejects a date that does not exist, naming the field, and changes nothing", async () => {
    const shown = await page(new URLSearchParams({ from: "2026-02-30", to: "2026-03-10" }).toString());
    expect(shown.status).toBe(200);
    expect(shown.text).toContain("That period cannot be shown");
    expect(shown.text).toContain("From: Enter a date that exists, like 2026-11-01.");
    expect(shown.text).not.toContain("2026-02-30 to");
    expect((await page(new URLSearchParams({ from: "2026-02-01", to: "2026-02-29" }).toString())).text).toContain("To: Enter a date that exists, like 2026-11-01.");
    expect((await page(new URLSearchParams({ from: "2026-02-01", to: "2026-02-28" }).toString())).text).not.toContain("That period cannot be shown");

    expect(await act(form({ intent: "reconcile", from: "2026-02-30", to: "2026-03-10" }))).toMatchObject({ ok: false, field: "from", message: { key: "costsError.date", params: {} } });
    expect(await sandbox.db.metaCostDaily.count({ where: { shopId } })).toBe(0);
    expect((await sandbox.db.shop.findUniqueOrThrow({ where: { id: shopId } })).pricingReconciledAt).toBeNull();

    const rates = new File(["Market,Currency,Marketing,Utility,Authentication\nBrazil,USD,0.0625,0.0068,0.0068\n"], "rates.csv", { type: "text/csv" });
    expect(await act(form({ intent: "rate-card", effectiveFrom: "2026-02-30", rates }))).toMatchObject({ ok: false, field: "effectiveFrom" });
    expect(await sandbox.db.rateCard.count({ where: { shopId } })).toBe(0);
  });

  it("words the period's days and the rate card's first day in the staff member's language", async () => {
    const october = new URLSearchParams({ from: "2026-10-01", to: "2026-10-31" }).toString();
    const english = (await page(october)).text;
    expect(english).toContain("Oct 1, 2026 to Oct 31, 2026 · amounts in USD");
    expect(english).toContain("Oct 1, 2026 Included");
    const spanish = (await page(october, "es")).text;
    expect(spanish).toContain("Del 1 oct 2026 al 31 oct 2026 · importes en USD");
    expect(spanish).toContain("1 oct 2026 Incluida");
    const portuguese = (await page(october, "pt-BR")).text;
    expect(portuguese).toContain("De 1 de out. de 2026 a 31 de out. de 2026 · valores em USD");
    expect(portuguese).toContain("1 de out. de 2026 Incluída");
  });

  it("says which markets and categories a partial rate card upload leaves without a rate", async () => {
    const csv = (brazil: string) => new File([`Market,Currency,Marketing,Utility,Authentication\nBrazil,USD,${brazil}\nColombia,USD,0.0125,0.0008,0.0008\n`], "rates.csv", { type: "text/csv" });
    const all = (market: string) => ["authentication", "marketing", "utility"].map((category) => ({ market, category }));
    // It replaces the bundled card of 2026-10-01, which has rates for eight markets (India and Mexico: utility only).
    expect(await act(form({ intent: "rate-card", effectiveFrom: "2026-10-01", rates: csv("0.0625,0.0068,0.0068") }))).toEqual({
      intent: "rate-card",
      ok: true,
      lostRates: [...all("Argentina"), ...all("Chile"), ...all("Egypt"), { market: "India", category: "utility" }, { market: "Mexico", category: "utility" }, ...all("North America")],
    });
    // Uploading the same card again replaces the upload, which lacks nothing it had.
    expect(await act(form({ intent: "rate-card", effectiveFrom: "2026-10-01", rates: csv("0.0625,0.0068,0.0068") }))).toMatchObject({ ok: true, lostRates: [] });
    // Brazil keeps its utility and authentication rates but loses marketing's: that one is said.
    expect(await act(form({ intent: "rate-card", effectiveFrom: "2026-10-01", rates: csv(",0.0068,0.0068") }))).toMatchObject({ ok: true, lostRates: [{ market: "Brazil", category: "marketing" }] });
  });

  it("shows a cost that is zero only because no rate is known as unknown, not free", async () => {
    const row = { shopId, day: "2026-04-10", category: "marketing", pricingType: "regular", automation: "ORDER_CREATED", templateName: "spring_sale", sent: 1, delivered: 1 };
    await sandbox.db.costDaily.createMany({
      data: [
        { ...row, market: "India", unknownRate: 1, costMicros: 0n },
        { ...row, market: "Brazil", charged: 1, costMicros: 62_500n },
      ],
    });
    const { text } = await page(new URLSearchParams({ from: "2026-04-01", to: "2026-04-30" }).toString());
    expect(text).toMatch(/India 1 0% Unknown/);
    expect(text).toMatch(/Brazil 1 0% \$0\.06/);
    // The template's row mixes both: the known sum is a floor, and says what it leaves out.
    expect(text).toMatch(/spring_sale 2 0% At least \$0\.0625 1 message here has no known rate: its cost is not in this amount\./);
  });

  it("says a period without messages has none, instead of a chart and tables of zeros", async () => {
    const { text } = await page(new URLSearchParams({ from: "2025-01-01", to: "2025-01-31" }).toString());
    expect(text).toContain("No messages from Jan 1, 2025 to Jan 31, 2025");
    expect(text).toContain("Show the last 90 days");
    expect(text).not.toContain("Cost per day by category");
    expect(text).not.toContain("Connect your WhatsApp number");
    // Budget and rate cards stay: they are settings, not figures.
    expect(text).toContain("Monthly budget");
    expect((await page(new URLSearchParams({ from: "2026-04-01", to: "2026-04-30" }).toString())).text).toContain("Cost per day by category");
  });

  it("pulls Meta's figures for the shop's own number, not for another store's number on the same WABA", async () => {
    // The business's other store answers a Colombian customer from its number on the demo WABA; the demo store
    // answers a Brazilian one from its own.
    const graph = new WhatsAppClient({ baseUrl: sandbox.simUrl, version: "v25.0", accessToken: SEED.accessToken });
    const conversations = [
      { phoneNumberId: SEED.coexistencePhoneNumberId, customer: "+573001234567" },
      { phoneNumberId: SEED.cloudPhoneNumberId, customer: "+5511987650101" },
    ];
    for (const { phoneNumberId, customer } of conversations) {
      const inbound = await fetch(`${sandbox.simUrl}/_sim/inbound`, { method: "POST", body: JSON.stringify({ from: customer, text: "Hola", phoneNumberId }) });
      expect(inbound.status).toBe(200);
      expect(await graph.sendMessage(phoneNumberId, { type: "text", to: customer, text: { body: "Gracias" } })).toMatchObject({ ok: true });
    }
    const { timezone } = await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId } });
    const today = localDay(new Date(), timezone!);
    const stored = async () => {
      expect(await act(form({ intent: "reconcile", from: today, to: today }))).toMatchObject({ ok: true });
      return sandbox.db.metaCostDaily.findMany({ where: { shopId, day: today, category: "service" }, select: { country: true, volume: true } });
    };
    // Meta counts a message once it is delivered.
    let rows = await stored();
    for (let tries = 0; !rows.length && tries < 50; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      rows = await stored();
    }
    expect(rows).toEqual([{ country: "BR", volume: 1 }]);

    // Meta gave no display number when the number was connected (the app kept the Graph id in its place): the number
    // is read again and its display number kept, and the pull still asks for this number's figures, keeping the day's.
    const account = await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId } });
    await sandbox.db.whatsAppAccount.update({ where: { shopId }, data: { displayPhoneNumber: account.phoneNumberId } });
    expect(await stored()).toEqual([{ country: "BR", volume: 1 }]);
    expect(await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId } })).toMatchObject({ displayPhoneNumber: account.displayPhoneNumber });
  });

  it("pulls Meta's figures for a due shop once when two workers look at the same moment, and again after a failed pull", async () => {
    const config = parseConfig(sandbox.env);
    // Each pull of Meta's figures waits (up to half a second) for another to start, as when two workers look at
    // the same moment and Meta answers neither yet.
    let pulls = 0;
    let another = () => {};
    const counted: typeof fetch = async (input, init) => {
      if (String(input instanceof Request ? input.url : input).includes("pricing_analytics")) {
        pulls++;
        another();
        await new Promise<void>((resolve) => {
          another = resolve;
          setTimeout(resolve, 500);
        });
      }
      return fetch(input, init);
    };
    const deps = { db: sandbox.db, config, graph: new WhatsAppClient({ baseUrl: config.WHATSAPP_GRAPH_URL, version: config.WHATSAPP_GRAPH_VERSION, fetch: counted }) };
    const due = await sandbox.db.shop.findMany({ where: { uninstalledAt: null, whatsappAccount: { onboardingState: "CONNECTED" } }, select: { id: true } });
    expect(due.map((s) => s.id)).toEqual([shopId]);
    await sandbox.db.shop.update({ where: { id: shopId }, data: { pricingReconciledAt: null } });

    expect(await Promise.all([reconcileDueShops(deps), reconcileDueShops(deps)])).toEqual(expect.arrayContaining([1, 0]));
    expect(pulls).toBe(1);
    const reconciled = (await sandbox.db.shop.findUniqueOrThrow({ where: { id: shopId } })).pricingReconciledAt;
    expect(reconciled).not.toBeNull();
    // Not due again for a day.
    expect(await reconcileDueShops(deps)).toBe(0);
    expect(pulls).toBe(1);

    // A day later Meta refuses the pull: the shop stays due for the next look, which pulls it.
    const dayLater = new Date(reconciled!.getTime() + 25 * 60 * 60 * 1000);
    const { wabaId } = await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId } });
    await fetch(`${sandbox.simUrl}/_sim/fail-next`, { method: "POST", body: JSON.stringify({ code: 131000, path: wabaId }) });
    expect(await reconcileDueShops(deps, dayLater)).toBe(0);
    expect((await sandbox.db.shop.findUniqueOrThrow({ where: { id: shopId } })).pricingReconciledAt).toEqual(reconciled);
    expect(await reconcileDueShops(deps, dayLater)).toBe(1);
    expect(pulls).toBe(3);
  });
});
