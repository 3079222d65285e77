// Cost report on a big database: 1,000,000 app-sent messages across 50 shops
// over 180 days, with the daily aggregates the app keeps (built here with the
// same contribution function the status path uses). Times the report for a
// 90-day range against a naive scan of the messages for the same range.
import Database from "better-sqlite3";

import { sqliteFilePath } from "../../app/core/database-url";
import type { Db } from "../../app/core/db.server";
import { contributionOf } from "../../app/pricing/costs.server";
import { costReport } from "../../app/pricing/report.server";
import { daysEnding, localDay, nextDay, startOfDay } from "../../app/pricing/time";
import { createTestDb } from "../helpers/db";

const TZ = "America/Sao_Paulo";
const SHOPS = 50;
const DAYS = 180;
const NOW = new Date(Date.UTC(2026, 10, 25, 15));
const TEMPLATES = [
  { name: "order_confirmation", trigger: "ORDER_CREATED", category: "utility", weight: 40 },
  { name: "shipping_update", trigger: "FULFILLMENT_CREATED", category: "utility", weight: 25 },
  { name: "order_delivered", trigger: "DELIVERED", category: "utility", weight: 15 },
  { name: "order_cancelled", trigger: "ORDER_CANCELLED", category: "utility", weight: 3 },
  { name: "abandoned_cart", trigger: "CHECKOUT_ABANDONED", category: "marketing", weight: 12 },
  { name: null, trigger: null, category: "service", weight: 5 },
];
const MARKETS = [
  { market: "Brazil", weight: 60, rates: { utility: 6_800, marketing: 62_500 } },
  { market: "Mexico", weight: 15, rates: { utility: 8_500, marketing: null } },
  { market: "Colombia", weight: 15, rates: { utility: 800, marketing: 12_500 } },
  { market: "North America", weight: 10, rates: { utility: 3_400, marketing: 25_000 } },
];

/** A small deterministic PRNG so every run seeds the same data. */
function random(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function pick<T extends { weight: number }>(items: T[], r: number): T {
  const total = items.reduce((s, i) => s + i.weight, 0);
  let x = r * total;
  for (const item of items) if ((x -= item.weight) < 0) return item;
  return items[items.length - 1]!;
}

type Sql = Database.Database;
const iso = (d: Date | null) => (d ? d.toISOString().replace("Z", "+00:00") : null);

/** Writes one shop's messages, orders and daily rows straight into SQLite (Prisma's own formats), in one transaction. */
async function seedShop(db: Db, sql: Sql, index: number, messages: number, rand: () => number) {
  const shop = await db.shop.create({ data: { domain: `bench-${index}.myshopify.com`, timezone: TZ, marketingBlockedCountries: ["US"], optOutKeywords: ["STOP"] } });
  await db.whatsAppAccount.create({ data: { shopId: shop.id, currency: "USD", timezone: TZ, onboardingState: "CONNECTED" } });
  const insertMessage = sql.prepare(
    `INSERT INTO "Message" (id, shopId, direction, source, type, orderId, templateName, market, wamid, status, statusRank, sentAt, deliveredAt, readAt, repliedAt,
       pricingCategory, pricingType, costState, costMicros, currency, occurredAt, createdAt, updatedAt)
     VALUES (@id, @shopId, @direction, @source, @type, @orderId, @templateName, @market, @wamid, @status, @statusRank, @sentAt, @deliveredAt, @readAt, @repliedAt,
       @pricingCategory, @pricingType, @costState, @costMicros, @currency, @occurredAt, @createdAt, @updatedAt)`,
  );
  const insertOrder = sql.prepare(`INSERT INTO "Order" (id, shopId, shopifyOrderId, name, whatsappMessages, whatsappCostMicros, createdAt, updatedAt) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertDaily = sql.prepare(
    `INSERT INTO "CostDaily" (id, shopId, day, market, category, pricingType, templateName, automation, sent, delivered, read, failed, replied, charged, free, unknownRate, costMicros)
     VALUES (@id, @shopId, @day, @market, @category, @pricingType, @templateName, @automation, @sent, @delivered, @read, @failed, @replied, @charged, @free, @unknownRate, @costMicros)`,
  );
  const aggregates = new Map<string, Record<string, string | number>>();
  const orders: { id: string; createdAt: Date; messages: number; cost: number }[] = [];
  sql.transaction(() => {
    for (let i = 0; i < messages; i++) {
      if (i % 3 === 0) orders.push({ id: `o${index}x${i}`, createdAt: new Date(NOW.getTime() - Math.floor(rand() * DAYS * 86_400_000)), messages: 0, cost: 0 });
      const order = orders[orders.length - 1]!;
      const template = pick(TEMPLATES, rand());
      const market = pick(MARKETS, rand());
      const sentAt = new Date(order.createdAt.getTime() + Math.floor(rand() * 3 * 86_400_000));
      const failed = rand() < 0.03;
      const deliveredAt = failed ? null : new Date(sentAt.getTime() + 2_000);
      const readAt = deliveredAt && rand() < 0.7 ? new Date(deliveredAt.getTime() + 60_000) : null;
      const free = template.category === "service" || (template.category === "utility" && rand() < 0.2);
      const rate = template.category === "marketing" ? market.rates.marketing : market.rates.utility;
      const costState = !deliveredAt ? null : free ? "FREE" : rate === null ? "UNKNOWN_RATE" : "CHARGED";
      const costMicros = costState === "CHARGED" ? rate : costState === "FREE" ? 0 : null;
      const row = {
        id: `m${index}x${i}`,
        shopId: shop.id,
        direction: "OUT",
        source: template.trigger ? "AUTOMATION" : "STAFF",
        type: template.name ? "template" : "text",
        orderId: order.id,
        templateName: template.name,
        market: market.market,
        wamid: `wamid.bench.${index}.${i}`,
        status: failed ? "FAILED" : readAt ? "READ" : "DELIVERED",
        statusRank: failed ? 6 : readAt ? 7 : 5,
        sentAt,
        deliveredAt,
        readAt,
        repliedAt: readAt && rand() < 0.1 ? new Date(readAt.getTime() + 300_000) : null,
        pricingCategory: deliveredAt ? template.category : null,
        pricingType: deliveredAt ? (free ? "free_customer_service" : "regular") : null,
        costState,
        costMicros,
        currency: "USD",
      };
      const c = contributionOf({ ...row, createdAt: sentAt, automationTrigger: template.trigger ?? null, templateCategory: null } as never, TZ)!;
      const key = JSON.stringify(c.key);
      const agg = aggregates.get(key) ?? {
        id: `d${index}x${aggregates.size}`,
        shopId: shop.id,
        ...c.key,
        sent: 0,
        delivered: 0,
        read: 0,
        failed: 0,
        replied: 0,
        charged: 0,
        free: 0,
        unknownRate: 0,
        costMicros: 0,
      };
      for (const [k, v] of Object.entries(c.counts)) agg[k] = Number(agg[k]) + v;
      agg.costMicros = Number(agg.costMicros) + c.costMicros;
      aggregates.set(key, agg);
      order.messages += c.counts.sent;
      order.cost += c.costMicros;
      insertMessage.run({
        ...row,
        sentAt: iso(sentAt),
        deliveredAt: iso(deliveredAt),
        readAt: iso(readAt),
        repliedAt: iso(row.repliedAt),
        occurredAt: iso(sentAt),
        createdAt: iso(sentAt),
        updatedAt: iso(sentAt),
      });
    }
    for (const o of orders) insertOrder.run(o.id, shop.id, `${index}${o.id}`, `#${o.id}`, o.messages, o.cost, iso(o.createdAt), iso(o.createdAt));
    for (const a of aggregates.values()) insertDaily.run(a);
  })();
  return shop.id;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function costReportBench(totalMessages = Number(process.env.BENCH_MESSAGES ?? 1_000_000)): Promise<boolean> {
  const { db, url } = await createTestDb();
  const sql = new Database(sqliteFilePath(url));
  sql.pragma("journal_mode = WAL");
  sql.pragma("synchronous = OFF");
  // Orders are written after their messages (their totals come from them).
  sql.pragma("foreign_keys = OFF");
  try {
    const rand = random(42);
    const seedStarted = performance.now();
    const shopIds: string[] = [];
    for (let i = 0; i < SHOPS; i++) shopIds.push(await seedShop(db, sql, i, Math.floor(totalMessages / SHOPS), rand));
    sql.exec("ANALYZE");
    const seeded = await db.message.count();
    const aggregateRows = await db.costDaily.count();
    console.log(`cost report seed: ${seeded} messages, ${aggregateRows} daily rows, ${SHOPS} shops in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

    const period = daysEnding("2026-11-25", 90);
    const instants = { gte: startOfDay(period.from, TZ), lt: startOfDay(nextDay(period.to), TZ) };
    const reportMs: number[] = [];
    const scanMs: number[] = [];
    let check = { report: 0, scan: 0 };
    for (let run = 0; run < 41; run++) {
      const shopId = shopIds[(run * 7) % SHOPS]!;
      let t = performance.now();
      const report = await costReport(db, shopId, period, NOW);
      reportMs.push(performance.now() - t);
      t = performance.now();
      // The same report without aggregates: read the period's messages and add them up by day and dimension.
      const messages = await db.message.findMany({
        where: { shopId, direction: "OUT", sentAt: instants },
        select: { sentAt: true, pricingCategory: true, market: true, templateName: true, status: true, deliveredAt: true, readAt: true, costState: true, costMicros: true },
      });
      const byKey = new Map<string, { sent: number; delivered: number; read: number; cost: number }>();
      for (const m of messages) {
        const key = `${localDay(m.sentAt!, TZ)}|${m.pricingCategory}|${m.market}|${m.templateName}`;
        const row = byKey.get(key) ?? { sent: 0, delivered: 0, read: 0, cost: 0 };
        row.sent++;
        row.delivered += m.deliveredAt ? 1 : 0;
        row.read += m.readAt ? 1 : 0;
        row.cost += m.costMicros ?? 0;
        byKey.set(key, row);
      }
      scanMs.push(performance.now() - t);
      if (run === 0) check = { report: report.totals.costMicros, scan: [...byKey.values()].reduce((sum, r) => sum + r.cost, 0) };
    }
    const reportMedian = median(reportMs.slice(1));
    console.log(`cost report (90 days, ${(seeded / 1_000_000).toFixed(seeded % 1_000_000 ? 1 : 0)}M messages): ${reportMedian.toFixed(1)} ms median (target < 50 ms)`);
    console.log(`naive scan of the same messages (90 days, grouped in the app): ${median(scanMs.slice(1)).toFixed(1)} ms median`);
    if (check.report !== check.scan) console.log(`cost report total ${check.report} differs from the scan's ${check.scan}`);
    return reportMedian < 50 && check.report === check.scan;
  } finally {
    sql.close();
    await db.$disconnect();
  }
}
