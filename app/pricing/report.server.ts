// The cost report: what WhatsApp cost a shop over a period, by category, day,
// market, template, automation and order, beside what it bought (delivery,
// read, reply and failure rates, recovered carts) and Meta's own figures.
// It reads the pre-aggregated CostDaily rows, never the message table.
import { stringify } from "csv-stringify/sync";
import { z } from "zod";

import type { Db } from "../core/db.server";
import { PRICING_CATEGORIES, type PricingCategory, wabaBilling } from "./rate-cards.server";
import { isRealDay, localDay, nextDay, startOfDay } from "./time";

const COUNTERS = ["sent", "delivered", "read", "failed", "replied", "charged", "free", "unknownRate"] as const;
type Counter = (typeof COUNTERS)[number];
export type ReportRow = Record<Counter, number> & { key: string; costMicros: number };

export const periodSchema = z
  .object({
    from: z.string().refine(isRealDay, "date"),
    to: z.string().refine(isRealDay, "date"),
  })
  // The messages are codes the costs page words (`costsError.<code>`).
  .refine((p) => p.from <= p.to, { message: "periodOrder", path: ["from"] })
  .refine((p) => (Date.parse(p.to) - Date.parse(p.from)) / 86_400_000 <= 366, { message: "periodLength", path: ["from"] });
export type Period = z.infer<typeof periodSchema>;

export interface CostReport {
  currency: string;
  timeZone: string;
  period: Period;
  totals: ReportRow;
  byCategory: (ReportRow & { key: PricingCategory })[];
  byDay: { day: string; costs: Record<PricingCategory, number> }[];
  byMarket: ReportRow[];
  byTemplate: ReportRow[];
  byAutomation: ReportRow[];
  orders: { count: number; costMicros: number; perOrderMicros: number | null; top: { id: string; shopifyOrderId: string; name: string; costMicros: number }[] };
  cartRecovery: { costMicros: number; recoveredOrders: number; revenue: number; revenueCurrency: string | null; revenuePerUnit: number | null };
  meta: { reconciledAt: string | null; byCategory: { category: string; volume: number; costMicros: number | null }[]; totalMicros: number | null };
  budget: { budgetMicros: number | null; monthToDateMicros: number; usedPercent: number | null; state: "none" | "ok" | "warning" | "over" };
}

function emptyRow(key: string): ReportRow {
  return { key, sent: 0, delivered: 0, read: 0, failed: 0, replied: 0, charged: 0, free: 0, unknownRate: 0, costMicros: 0 };
}

function addTo(row: ReportRow, from: Record<Counter, number> & { costMicros: bigint | number }) {
  for (const c of COUNTERS) row[c] += from[c];
  row.costMicros += Number(from.costMicros);
}

function grouped<R extends Record<Counter, number> & { costMicros: bigint }>(rows: R[], keyOf: (r: R) => string): ReportRow[] {
  const out = new Map<string, ReportRow>();
  for (const r of rows) {
    const key = keyOf(r);
    const row = out.get(key) ?? emptyRow(key);
    addTo(row, r);
    out.set(key, row);
  }
  return [...out.values()].sort((a, b) => b.costMicros - a.costMicros || b.sent - a.sent);
}

/** The shop's WABA timezone and currency, and today's local date there. */
export async function reportContext(db: Db, shopId: string, now = new Date()) {
  const [{ currency, timeZone }, shop] = await Promise.all([
    wabaBilling(db, shopId),
    db.shop.findUniqueOrThrow({ where: { id: shopId }, select: { monthlyBudgetMicros: true, pricingReconciledAt: true } }),
  ]);
  return { currency, timeZone, today: localDay(now, timeZone), shop };
}

export async function costReport(db: Db, shopId: string, period: Period, now = new Date()): Promise<CostReport> {
  const ctx = await reportContext(db, shopId, now);
  const dayRange = { gte: period.from, lte: period.to };
  const instants = { gte: startOfDay(period.from, ctx.timeZone), lt: startOfDay(nextDay(period.to), ctx.timeZone) };
  const monthFirst = `${ctx.today.slice(0, 7)}-01`;
  const [rows, meta, monthToDate, orderTotals, topOrders, recovered] = await Promise.all([
    db.costDaily.findMany({ where: { shopId, day: dayRange }, omit: { id: true, shopId: true } }),
    db.metaCostDaily.groupBy({ by: ["category"], where: { shopId, day: dayRange }, _sum: { volume: true, costMicros: true }, _count: { costMicros: true, _all: true } }),
    db.costDaily.aggregate({ where: { shopId, day: { gte: monthFirst, lte: ctx.today } }, _sum: { costMicros: true } }),
    db.order.aggregate({
      where: { shopId, createdAt: instants, whatsappMessages: { gt: 0 } },
      _count: { _all: true },
      _sum: { whatsappCostMicros: true },
    }),
    db.order.findMany({
      where: { shopId, createdAt: instants, whatsappCostMicros: { gt: 0 } },
      orderBy: { whatsappCostMicros: "desc" },
      take: 10,
      select: { id: true, shopifyOrderId: true, name: true, whatsappCostMicros: true },
    }),
    db.checkout.findMany({
      where: { shopId, completedAt: instants, messages: { some: { automation: { trigger: "CHECKOUT_ABANDONED" }, wamid: { not: null } } } },
      select: { totalPrice: true, currency: true },
    }),
  ]);

  const totals = emptyRow("total");
  const byCategory = new Map<PricingCategory, ReportRow & { key: PricingCategory }>(PRICING_CATEGORIES.map((c) => [c, { ...emptyRow(c), key: c }]));
  const days = new Map<string, Record<PricingCategory, number>>();
  for (let day = period.from; day <= period.to; day = nextDay(day)) days.set(day, Object.fromEntries(PRICING_CATEGORIES.map((c) => [c, 0])) as Record<PricingCategory, number>);
  for (const r of rows) {
    addTo(totals, r);
    const category = (PRICING_CATEGORIES as readonly string[]).includes(r.category) ? (r.category as PricingCategory) : "service";
    addTo(byCategory.get(category)!, r);
    days.get(r.day)![category] += Number(r.costMicros);
  }
  const cartRows = rows.filter((r) => r.automation === "CHECKOUT_ABANDONED");
  const cartCost = cartRows.reduce((sum, r) => sum + Number(r.costMicros), 0);
  const revenueCurrency = recovered[0]?.currency ?? null;
  const revenue = recovered.reduce((sum, c) => sum + Number(c.totalPrice ?? 0), 0);
  const sameCurrency = recovered.every((c) => c.currency === ctx.currency);
  const metaCosted = meta.filter((m) => m._count.costMicros > 0);
  const budgetMicros = ctx.shop.monthlyBudgetMicros === null ? null : Number(ctx.shop.monthlyBudgetMicros);
  const spent = Number(monthToDate._sum.costMicros ?? 0n);
  const usedPercent = budgetMicros ? Math.round((spent / budgetMicros) * 100) : null;
  const orderCount = orderTotals._count._all;
  const orderCost = Number(orderTotals._sum.whatsappCostMicros ?? 0n);

  return {
    currency: ctx.currency,
    timeZone: ctx.timeZone,
    period,
    totals,
    byCategory: [...byCategory.values()],
    byDay: [...days.entries()].map(([day, costs]) => ({ day, costs })),
    byMarket: grouped(rows, (r) => r.market || "Other"),
    byTemplate: grouped(
      rows.filter((r) => r.templateName),
      (r) => r.templateName,
    ),
    byAutomation: grouped(rows, (r) => r.automation || "STAFF"),
    orders: {
      count: orderCount,
      costMicros: orderCost,
      perOrderMicros: orderCount ? Math.round(orderCost / orderCount) : null,
      top: topOrders.map((o) => ({ id: o.id, shopifyOrderId: o.shopifyOrderId, name: o.name, costMicros: Number(o.whatsappCostMicros) })),
    },
    cartRecovery: {
      costMicros: cartCost,
      recoveredOrders: recovered.length,
      revenue,
      revenueCurrency,
      revenuePerUnit: cartCost > 0 && sameCurrency && recovered.length ? revenue / (cartCost / 1_000_000) : null,
    },
    meta: {
      reconciledAt: ctx.shop.pricingReconciledAt?.toISOString() ?? null,
      byCategory: meta.map((m) => ({ category: m.category, volume: m._sum.volume ?? 0, costMicros: m._count.costMicros > 0 ? Number(m._sum.costMicros ?? 0n) : null })),
      totalMicros: metaCosted.length ? metaCosted.reduce((sum, m) => sum + Number(m._sum.costMicros ?? 0n), 0) : null,
    },
    budget: {
      budgetMicros,
      monthToDateMicros: spent,
      usedPercent,
      state: usedPercent === null ? "none" : usedPercent >= 100 ? "over" : usedPercent >= 80 ? "warning" : "ok",
    },
  };
}

/**
 * A text cell a spreadsheet would run as a formula (first character `=`, `+`,
 * `-`, `@`, tab or carriage return) gets a leading `'`, which shows it as text;
 * a number such as -0.0012 stays a number.
 */
export function spreadsheetText(value: string): string {
  return /^[=+\-@\t\r]/.test(value) && !/^[+-]?\d+(\.\d+)?$/.test(value) ? `'${value}` : value;
}

/** One line per day × category × market × template × automation, then a total line: the same numbers the page sums. */
export async function costReportCsv(db: Db, shopId: string, period: Period): Promise<string> {
  const { currency } = await wabaBilling(db, shopId);
  const rows = await db.costDaily.findMany({
    where: { shopId, day: { gte: period.from, lte: period.to }, sent: { not: 0 } },
    orderBy: [{ day: "asc" }, { category: "asc" }, { market: "asc" }, { templateName: "asc" }],
  });
  const money = (micros: number | bigint) => (Number(micros) / 1_000_000).toFixed(6);
  const total = emptyRow("total");
  const lines = rows.map((r) => {
    addTo(total, r);
    return [r.day, r.category, r.market, r.templateName, r.automation, r.pricingType, ...COUNTERS.map((c) => r[c]), money(r.costMicros)];
  });
  return stringify(
    [
      ["day", "category", "market", "template", "automation", "pricing_type", ...COUNTERS.map((c) => c.replace(/[A-Z]/g, (l) => `_${l.toLowerCase()}`)), `cost_${currency.toLowerCase()}`],
      ...lines,
      ["total", "", "", "", "", "", ...COUNTERS.map((c) => total[c]), money(total.costMicros)],
    ],
    { cast: { string: spreadsheetText } },
  );
}

const budgetSchema = z.object({
  budget: z
    .string()
    .trim()
    .transform((v) => v.replace(",", "."))
    .refine((v) => v === "" || (/^\d+(\.\d{1,2})?$/.test(v) && Number(v) <= 10_000_000), "budget"),
});

/** Sets (or clears, when empty) the monthly budget; returns the field error otherwise. */
export async function saveBudget(db: Db, shopId: string, form: Record<string, unknown>): Promise<{ ok: true } | { ok: false; field: "budget"; code: string }> {
  const parsed = budgetSchema.safeParse(form);
  if (!parsed.success) return { ok: false, field: "budget", code: parsed.error.issues[0]!.message };
  const micros = parsed.data.budget === "" ? null : BigInt(Math.round(Number(parsed.data.budget) * 100)) * 10_000n;
  await db.shop.update({ where: { id: shopId }, data: { monthlyBudgetMicros: micros } });
  return { ok: true };
}
