// A campaign's results (issue 15, item 6), read from its Message rows: what
// reached customers, what they did (read, replied, opted out), what it cost
// beside the estimate it was scheduled with, and the orders it brought —
// by recipients within the attribution window after their message, or by
// visits tagged with its utm_campaign — with revenue per unit of WhatsApp
// spend where the currencies allow comparing them.
import { stringify } from "csv-stringify/sync";
import { z } from "zod";

import type { Db } from "../core/db.server";
import type { Campaign } from "../generated/prisma/client";
import { spreadsheetText } from "../pricing/report.server";
import { wabaBilling } from "../pricing/rate-cards.server";

const DAY_MS = 24 * 60 * 60 * 1000;
/** Ids per `IN (...)` list: well under SQLite's and PostgreSQL's bind-parameter limits. */
const CHUNK = 5000;

/** Error codes whose meaning the results page explains (campaignResults.errorCode.<code>); others show Meta's title. */
const EXPLAINED_ERROR_CODES = new Set([131000, 131026, 131047, 131049, 131050, 132001, 132015]);

/** Campaign.estimate as campaignEstimate wrote it when the campaign was scheduled. */
const estimateSchema = z.object({
  currency: z.string(),
  totalMicros: z.number(),
  markets: z.array(z.object({ market: z.string(), recipients: z.number(), costMicros: z.number().nullable() })),
});

export interface MarketResult {
  market: string;
  estimatedRecipients: number | null;
  estimateMicros: number | null;
  messages: number;
  delivered: number;
  actualMicros: number;
  /** Delivered messages whose market had no rate on the card: not in actualMicros, never counted as free. */
  unknownRate: number;
}

export interface RevenueLine {
  currency: string;
  orders: number;
  revenueMicros: number;
  /** Revenue per unit of WhatsApp spend; null with the reason when it cannot be said. */
  perSpend: number | null;
  perSpendMissing: "CURRENCY" | "NO_SPEND" | null;
}

export interface AttributedOrder {
  name: string;
  placedAt: Date;
  totalMicros: number;
  currency: string;
  via: "RECIPIENT" | "UTM";
}

/** Shopify's decimal amount ("149.90") in millionths; 0 when absent or unreadable. */
function amountMicros(raw: string | null): number {
  const match = raw ? /^(\d+)(?:\.(\d{1,6}))?$/.exec(raw.trim()) : null;
  return match ? Number(match[1]) * 1_000_000 + Number((match[2] ?? "").padEnd(6, "0")) : 0;
}

function chunks<T>(list: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
  return out;
}

function utmCampaignOf(landingSite: string | null): string | null {
  if (!landingSite) return null;
  try {
    return new URL(landingSite, "https://shop.invalid").searchParams.get("utm_campaign");
  } catch {
    return null;
  }
}

export async function campaignResults(db: Db, campaign: Campaign) {
  const { shopId, id: campaignId } = campaign;
  const windowMs = campaign.attributionDays * DAY_MS;
  const [{ currency }, byStatus, failures, byMarket, unknownByMarket, sentRows] = await Promise.all([
    wabaBilling(db, shopId),
    Promise.all([
      db.message.count({ where: { shopId, campaignId } }),
      db.message.count({ where: { shopId, campaignId, sentAt: { not: null } } }),
      db.message.count({ where: { shopId, campaignId, deliveredAt: { not: null } } }),
      db.message.count({ where: { shopId, campaignId, readAt: { not: null } } }),
      db.message.count({ where: { shopId, campaignId, status: "FAILED" } }),
      db.message.count({ where: { shopId, campaignId, repliedAt: { not: null } } }),
      db.message.count({ where: { shopId, campaignId, status: { in: ["SKIPPED", "CANCELLED"] } } }),
    ]),
    db.message.groupBy({ by: ["errorCode", "errorTitle"], where: { shopId, campaignId, status: "FAILED" }, _count: { _all: true } }),
    db.message.groupBy({ by: ["market"], where: { shopId, campaignId }, _count: { _all: true, deliveredAt: true }, _sum: { costMicros: true } }),
    db.message.groupBy({ by: ["market"], where: { shopId, campaignId, costState: "UNKNOWN_RATE" }, _count: { _all: true } }),
    db.message.findMany({ where: { shopId, campaignId, sentAt: { not: null } }, select: { contactId: true, recipientPhone: true, sentAt: true, contact: { select: { marketingOptedOutAt: true } } } }),
  ]);
  const [messages, sent, delivered, read, failed, replied, skipped] = byStatus;

  // Opt-outs it caused: the recipient opted out of marketing after their message, within the window.
  const optedOut = new Set(
    sentRows
      .filter((m) => {
        const at = m.contact?.marketingOptedOutAt?.getTime();
        return at !== undefined && at >= m.sentAt!.getTime() && at <= m.sentAt!.getTime() + windowMs;
      })
      .map((m) => m.contactId),
  ).size;

  const estimate = estimateSchema.safeParse(campaign.estimate);
  const estimated = estimate.success ? estimate.data : null;
  const marketNames = new Set([...byMarket.map((g) => g.market ?? "Other"), ...(estimated?.markets.map((m) => m.market) ?? [])]);
  const markets: MarketResult[] = [...marketNames]
    .map((market) => {
      const actual = byMarket.find((g) => (g.market ?? "Other") === market);
      const planned = estimated?.markets.find((m) => m.market === market);
      return {
        market,
        estimatedRecipients: planned?.recipients ?? null,
        estimateMicros: planned?.costMicros ?? null,
        messages: actual?._count._all ?? 0,
        delivered: actual?._count.deliveredAt ?? 0,
        actualMicros: actual?._sum.costMicros ?? 0,
        unknownRate: unknownByMarket.find((g) => (g.market ?? "Other") === market)?._count._all ?? 0,
      };
    })
    .sort((a, b) => b.messages - a.messages || a.market.localeCompare(b.market));
  const actualMicros = markets.reduce((sum, m) => sum + m.actualMicros, 0);

  const orders = await attributedOrders(db, campaign, sentRows, windowMs);
  const revenue = new Map<string, RevenueLine>();
  for (const order of orders) {
    const line = revenue.get(order.currency) ?? { currency: order.currency, orders: 0, revenueMicros: 0, perSpend: null, perSpendMissing: null };
    line.orders += 1;
    line.revenueMicros += order.totalMicros;
    revenue.set(order.currency, line);
  }
  for (const line of revenue.values()) {
    if (line.currency !== currency) line.perSpendMissing = "CURRENCY";
    else if (actualMicros === 0) line.perSpendMissing = "NO_SPEND";
    else line.perSpend = line.revenueMicros / actualMicros;
  }

  return {
    currency,
    attributionDays: campaign.attributionDays,
    utmCampaign: campaign.utmCampaign,
    counts: { messages, sent, delivered, read, failed, replied, optedOut, skipped },
    failures: failures
      .map((f) => ({ code: f.errorCode, explained: f.errorCode !== null && EXPLAINED_ERROR_CODES.has(f.errorCode), title: f.errorTitle, count: f._count._all }))
      .sort((a, b) => b.count - a.count || (a.code ?? 0) - (b.code ?? 0)),
    cost: { currency, actualMicros, estimateMicros: estimated?.totalMicros ?? null, estimateCurrency: estimated?.currency ?? null, markets },
    revenue: [...revenue.values()].sort((a, b) => a.currency.localeCompare(b.currency)),
    orders,
  };
}

export type CampaignResults = Awaited<ReturnType<typeof campaignResults>>;

/**
 * The shop's orders the campaign brought: placed (processedAt, else
 * createdAt) by a recipient — their contact, or their phone — within the
 * window after their message; and orders whose visit began at a link tagged
 * with the campaign's utm_campaign, placed between its first message and the
 * window's end after its last. Cancelled orders bring no revenue. An order
 * without a currency is in the shop's (XXX, ISO's "no currency", if unknown).
 */
async function attributedOrders(
  db: Db,
  campaign: Campaign,
  sentRows: { contactId: string | null; recipientPhone: string | null; sentAt: Date | null }[],
  windowMs: number,
): Promise<AttributedOrder[]> {
  if (sentRows.length === 0) return [];
  let first = Infinity;
  let last = -Infinity;
  const sentTo = new Map<string, number[]>();
  for (const m of sentRows) {
    const at = m.sentAt!.getTime();
    first = Math.min(first, at);
    last = Math.max(last, at);
    for (const key of [m.contactId && `c:${m.contactId}`, m.recipientPhone && `p:${m.recipientPhone}`]) {
      if (key) sentTo.set(key, [...(sentTo.get(key) ?? []), at]);
    }
  }
  const from = new Date(first);
  const until = new Date(last + windowMs);
  const placed = { OR: [{ processedAt: { gte: from, lte: until } }, { processedAt: null, createdAt: { gte: from, lte: until } }] };
  const select = { id: true, name: true, contactId: true, phone: true, totalPrice: true, currency: true, processedAt: true, createdAt: true, landingSite: true } as const;
  const where = { shopId: campaign.shopId, cancelledAt: null, AND: [placed] };
  const contactIds = [...new Set(sentRows.flatMap((m) => (m.contactId ? [m.contactId] : [])))];
  const phones = [...new Set(sentRows.flatMap((m) => (m.recipientPhone ? [m.recipientPhone] : [])))];
  const [shop, ...lists] = await Promise.all([
    db.shop.findUniqueOrThrow({ where: { id: campaign.shopId }, select: { currency: true } }),
    ...chunks(contactIds).map((ids) => db.order.findMany({ where: { ...where, contactId: { in: ids } }, select })),
    ...chunks(phones).map((list) => db.order.findMany({ where: { ...where, phone: { in: list } }, select })),
    campaign.utmCampaign ? db.order.findMany({ where: { ...where, landingSite: { contains: campaign.utmCampaign } }, select }) : [],
  ]);
  const found = lists.flat();

  const out = new Map<string, AttributedOrder>();
  for (const order of found) {
    if (out.has(order.id)) continue;
    const at = (order.processedAt ?? order.createdAt).getTime();
    const byRecipient = [order.contactId && `c:${order.contactId}`, order.phone && `p:${order.phone}`].some(
      (key) => key && (sentTo.get(key) ?? []).some((sentAt) => at >= sentAt && at <= sentAt + windowMs),
    );
    const byUtm = campaign.utmCampaign !== null && utmCampaignOf(order.landingSite) === campaign.utmCampaign;
    if (!byRecipient && !byUtm) continue;
    out.set(order.id, {
      name: order.name,
      placedAt: new Date(at),
      totalMicros: amountMicros(order.totalPrice),
      currency: order.currency ?? shop.currency ?? "XXX",
      via: byRecipient ? "RECIPIENT" : "UTM",
    });
  }
  return [...out.values()].sort((a, b) => a.placedAt.getTime() - b.placedAt.getTime());
}

const money = (micros: number) => (micros / 1_000_000).toFixed(6);

/** The results as CSV: one line per figure (codes, not sentences), then one per attributed order. */
export function campaignResultsCsv(results: CampaignResults): string {
  const { counts, cost } = results;
  const rows: (string | number)[][] = [["section", "key", "count", "amount", "currency"]];
  for (const key of ["messages", "sent", "delivered", "read", "replied", "optedOut", "failed", "skipped"] as const)
    rows.push(["count", key.replace(/[A-Z]/g, (l) => `_${l.toLowerCase()}`), counts[key], "", ""]);
  for (const f of results.failures) rows.push(["failure", f.code === null ? (f.title ?? "") : `${f.code} ${f.title ?? ""}`.trim(), f.count, "", ""]);
  for (const m of cost.markets) {
    rows.push(["estimate", m.market, m.estimatedRecipients ?? "", m.estimateMicros === null ? "" : money(m.estimateMicros), cost.estimateCurrency ?? ""]);
    rows.push(["cost", m.market, m.delivered, money(m.actualMicros), cost.currency]);
  }
  rows.push(["estimate", "total", "", cost.estimateMicros === null ? "" : money(cost.estimateMicros), cost.estimateCurrency ?? ""]);
  rows.push(["cost", "total", counts.delivered, money(cost.actualMicros), cost.currency]);
  for (const line of results.revenue) {
    rows.push(["revenue", "total", line.orders, money(line.revenueMicros), line.currency]);
    rows.push(["revenue_per_spend", line.perSpendMissing ?? "ratio", "", line.perSpend === null ? "" : line.perSpend.toFixed(2), line.currency]);
  }
  for (const o of results.orders) rows.push([`order_${o.via.toLowerCase()}`, `${o.name} ${o.placedAt.toISOString()}`, 1, money(o.totalMicros), o.currency]);
  return stringify(rows, { cast: { string: spreadsheetText } });
}
