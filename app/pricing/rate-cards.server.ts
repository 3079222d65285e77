// Rate cards: per currency and effective date, the rate per delivered message
// for each market × category, with optional monthly volume tiers. The cards we
// ship are data files (./rate-cards/); a merchant replaces them by uploading
// Meta's current CSVs, which override a bundled card of the same currency and
// date. Rates are integers in millionths of the currency; a missing rate is
// unknown, never zero.
import { parse } from "csv-parse/sync";
import { z } from "zod";

import type { Tx } from "../core/db.server";
import type { RateCard as StoredRateCard } from "../generated/prisma/client";
import { isRealDay, wabaTimeZone } from "./time";
import usd20261001 from "./rate-cards/usd-2026-10-01";

export const PRICING_CATEGORIES = ["marketing", "utility", "authentication", "authentication_international", "service"] as const;
export type PricingCategory = (typeof PRICING_CATEGORIES)[number];

export interface Rate {
  market: string;
  category: PricingCategory;
  rateMicros: number;
}
/** Messages `from`..`to` (1-based, inclusive; `to` null = no end) of a month cost `rateMicros`. */
export interface Tier {
  market: string;
  category: PricingCategory;
  from: number;
  to: number | null;
  rateMicros: number;
}
export interface RateCard {
  ref: string;
  currency: string;
  effectiveFrom: string;
  rates: Rate[];
  tiers: Tier[];
}

export type RateCardProblem =
  "notRate" | "notCsv" | "noRatesHeader" | "noRates" | "noTiersHeader" | "noTierRate" | "tierCategory" | "tierRange" | "tierRateEmpty" | "currencyMismatch" | "chooseFile" | "tooLarge" | "date";

/** What is wrong with an uploaded card, as a code the costs page words (`rateCardError.<code>`) with where it is. */
export class RateCardError extends Error {
  constructor(
    readonly code: RateCardProblem,
    readonly field: "rates" | "tiers" | "currency" | "effectiveFrom",
    readonly params: Record<string, string> = {},
  ) {
    super(`${code} ${JSON.stringify(params)}`);
  }
}

/** Where in the file: its row (as a spreadsheet numbers it), the row's market and the column. */
type Where = { row: string; market: string; column: string };

function normaliseHeader(cell: string): string {
  return cell
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
}

function categoryOf(header: string): PricingCategory | undefined {
  const h = header.replace(/_rate$|_usd$|_price$/, "");
  if (h === "authentication_international" || h === "auth_international" || h === "authentication_intl") return "authentication_international";
  return (PRICING_CATEGORIES as readonly string[]).includes(h) ? (h as PricingCategory) : undefined;
}

/** "0.0625", "$0,0625", " 0.0625 " → 62500; "", "n/a", "-" → null. */
function parseRate(raw: string | undefined, where: Where, field: "rates" | "tiers"): number | null {
  // Currency marks Meta's PDFs and spreadsheets put before the amount: "$", "R$", "US$", "€", "USD ".
  const text = (raw ?? "").trim().replace(/^(?:[A-Za-z]{0,3}\s?[$€£¥₹]|[A-Z]{3}\s)\s*/, "");
  if (text === "" || /^(n\/?a|-|–|—)$/i.test((raw ?? "").trim())) return null;
  const decimal = /^\d+,\d+$/.test(text) ? text.replace(",", ".") : text.replace(/,/g, "");
  const value = Number(decimal);
  if (!Number.isFinite(value) || value < 0) throw new RateCardError("notRate", field, { ...where, value: raw ?? "" });
  return Math.round(value * 1_000_000);
}

/** The file's rows, and the line each starts on (blank lines and cells spanning lines counted), for errors to name. */
function rowsOf(csv: string, field: "rates" | "tiers"): { rows: string[][]; lines: number[] } {
  try {
    const records = parse(csv, { relaxColumnCount: true, skipEmptyLines: true, bom: true, trim: true, info: true }) as unknown as { record: string[]; info: { lines: number } }[];
    return {
      rows: records.map((r) => r.record),
      // csv-parse counts the line a record ends on; a quoted cell may span several.
      lines: records.map((r) => r.info.lines - r.record.reduce((n, cell) => n + (cell.match(/\n/g)?.length ?? 0), 0)),
    };
  } catch (error) {
    throw new RateCardError("notCsv", field, { detail: (error as Error).message });
  }
}

/** Meta's CSVs open with title lines: the header is the first row naming the market and a category. */
function headerIndex(rows: string[][], needs: (headers: string[]) => boolean): number {
  return rows.findIndex((row) => needs(row.map(normaliseHeader)));
}

/** Parses a rate CSV (our data files and Meta's rate card): one row per market, a column per category. */
export function parseRatesCsv(csv: string): { rates: Rate[]; currency?: string; effectiveFrom?: string } {
  const { rows, lines } = rowsOf(csv, "rates");
  const at = headerIndex(rows, (h) => (h.includes("market") || h.includes("country")) && h.some((c) => categoryOf(c)));
  if (at < 0) throw new RateCardError("noRatesHeader", "rates");
  const headers = rows[at]!.map(normaliseHeader);
  const marketColumn = headers.includes("market") ? headers.indexOf("market") : headers.indexOf("country");
  const currencies = new Set<string>();
  const dates = new Set<string>();
  const rates: Rate[] = [];
  rows.slice(at + 1).forEach((row, i) => {
    const market = row[marketColumn]?.trim();
    if (!market) return;
    headers.forEach((header, column) => {
      const category = categoryOf(header);
      if (category) {
        const rateMicros = parseRate(row[column], { row: String(lines[at + 1 + i]), market, column: rows[at]![column]! }, "rates");
        if (rateMicros !== null) rates.push({ market, category, rateMicros });
      }
      if (header === "currency" && row[column]) currencies.add(row[column]!.trim().toUpperCase());
      if (header === "effective_from" && row[column]) dates.add(row[column]!.trim());
    });
  });
  if (!rates.length) throw new RateCardError("noRates", "rates");
  return { rates, currency: currencies.size === 1 ? [...currencies][0] : undefined, effectiveFrom: dates.size === 1 ? [...dates][0] : undefined };
}

/** "0:750000", "750001-25000000", "25000001+" or separate from/to columns. */
function tierRange(row: string[], headers: string[]): { from: number; to: number | null } | null {
  const get = (...names: string[]) =>
    names
      .map((n) => headers.indexOf(n))
      .filter((i) => i >= 0)
      .map((i) => row[i]?.trim() ?? "")[0];
  const from = get("from", "volume_from", "min", "lower");
  const to = get("to", "volume_to", "max", "upper");
  // Separate columns: whole numbers (thousands separators allowed); an empty or open "to" (max, ∞) is unbounded; anything else is no range.
  if (from !== undefined) {
    const open = (text: string | undefined) => text === undefined || /^(|max|∞|\+|-|–|—)$/i.test(text);
    const count = (text: string) => (/^\d{1,3}([,. ]?\d{3})*$/.test(text) ? Number(text.replace(/\D/g, "")) : null);
    const start = count(from);
    const end = open(to) ? null : count(to!);
    if (start === null || (!open(to) && end === null)) return null;
    return { from: start, to: end };
  }
  const text = get("tier", "volume", "volume_range", "range")?.replace(/[\s,.]/g, "");
  const match = text ? /^(\d+)(?:[:-](\d+|max|∞)?|\+)?$/i.exec(text) : null;
  if (!match) return null;
  return { from: Number(match[1]), to: match[2] && /^\d+$/.test(match[2]) ? Number(match[2]) : null };
}

/** Parses Meta's volume-tier CSV: one row per market × category × tier. */
export function parseTiersCsv(csv: string): Tier[] {
  const { rows, lines } = rowsOf(csv, "tiers");
  const at = headerIndex(rows, (h) => h.includes("market") && (h.includes("category") || h.includes("pricing_category")));
  if (at < 0) throw new RateCardError("noTiersHeader", "tiers");
  const headers = rows[at]!.map(normaliseHeader);
  const column = (...names: string[]) => names.map((n) => headers.indexOf(n)).find((i) => i >= 0) ?? -1;
  const market = column("market");
  const category = column("category", "pricing_category");
  const rate = column("rate", "price", "rate_per_message");
  if (rate < 0) throw new RateCardError("noTierRate", "tiers");
  const tiers: Tier[] = [];
  rows.slice(at + 1).forEach((row, i) => {
    if (!row[market]?.trim()) return;
    const where = { row: String(lines[at + 1 + i]), market: row[market]!.trim(), column: rows[at]![rate]! };
    const cat = categoryOf(normaliseHeader(row[category] ?? ""));
    if (cat !== "utility" && cat !== "authentication" && cat !== "authentication_international") {
      throw new RateCardError("tierCategory", "tiers", { ...where, value: row[category] ?? "" });
    }
    const range = tierRange(row, headers);
    if (!range) throw new RateCardError("tierRange", "tiers", where);
    const rateMicros = parseRate(row[rate], where, "tiers");
    if (rateMicros === null) throw new RateCardError("tierRateEmpty", "tiers", where);
    tiers.push({ market: row[market]!.trim(), category: cat, from: range.from, to: range.to, rateMicros });
  });
  return tiers.sort((a, b) => a.from - b.from);
}

const BUNDLED: RateCard[] = [usd20261001].map((csv) => {
  const parsed = parseRatesCsv(csv);
  return { ref: `bundled:${parsed.currency}:${parsed.effectiveFrom}`, currency: parsed.currency!, effectiveFrom: parsed.effectiveFrom!, rates: parsed.rates, tiers: [] };
});

const storedRatesSchema = z.array(z.object({ market: z.string(), category: z.enum(PRICING_CATEGORIES), rateMicros: z.number().int() }));
const storedTiersSchema = z.array(z.object({ market: z.string(), category: z.enum(PRICING_CATEGORIES), from: z.number().int(), to: z.number().int().nullable(), rateMicros: z.number().int() }));

/** The WABA's billing currency (fixed for its life) and the timezone its days, rates and tiers run on. */
export async function wabaBilling(db: Tx, shopId: string): Promise<{ currency: string; timeZone: string }> {
  // One statement on the hot path (every tracked message change): the shop and its account joined.
  const [row] = await db.$queryRaw<{ shopTimeZone: string; currency: string | null; accountTimeZone: string | null }[]>`
    SELECT s."timezone" AS "shopTimeZone", a."currency" AS "currency", a."timezone" AS "accountTimeZone"
    FROM "Shop" s LEFT JOIN "WhatsAppAccount" a ON a."shopId" = s."id" WHERE s."id" = ${shopId}`;
  if (!row) throw new Error(`No shop ${shopId}`);
  return { currency: row.currency ?? "USD", timeZone: wabaTimeZone(row.accountTimeZone, row.shopTimeZone) };
}

/** Every card for a currency, bundled and uploaded, newest first; an upload wins over a bundled card of the same date. */
export async function rateCardsFor(db: Tx, shopId: string, currency: string): Promise<RateCard[]> {
  return cardsWith(await db.rateCard.findMany({ where: { shopId, currency } }), currency);
}

function cardsWith(uploads: StoredRateCard[], currency: string): RateCard[] {
  const cards: RateCard[] = uploads.map((u) => ({
    ref: `upload:${u.id}`,
    currency: u.currency,
    effectiveFrom: u.effectiveFrom,
    rates: storedRatesSchema.parse(u.rates),
    tiers: storedTiersSchema.parse(u.tiers),
  }));
  for (const card of BUNDLED) if (card.currency === currency && !cards.some((c) => c.effectiveFrom === card.effectiveFrom)) cards.push(card);
  return cards.sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom));
}

/** The card in force on a local date (YYYY-MM-DD in the WABA's timezone). */
export function cardInForce(cards: RateCard[], day: string): RateCard | undefined {
  return cards.find((c) => c.effectiveFrom <= day);
}

export function hasTiers(card: RateCard, market: string, category: string): boolean {
  return card.tiers.some((t) => t.market === market && t.category === category);
}

/** The rate for the n-th charged message of the month (1-based) in a market × category; null when unknown. */
export function rateFor(card: RateCard, market: string, category: PricingCategory, ordinal = 1): number | null {
  const tiers = card.tiers.filter((t) => t.market === market && t.category === category);
  if (tiers.length) {
    const tier = tiers.find((t) => Math.max(t.from, 1) <= ordinal && (t.to === null || ordinal <= t.to));
    if (tier) return tier.rateMicros;
  }
  return card.rates.find((r) => r.market === market && r.category === category)?.rateMicros ?? null;
}

export const uploadSchema = z.object({
  currency: z.string().regex(/^[A-Z]{3}$/, "A three-letter currency code, like USD"),
  effectiveFrom: z.string().refine(isRealDay, "A date that exists, like 2026-10-01"),
});

/** Stores a merchant's card (replacing one with the same currency and date). The caller recomputes costs from its date. */
export async function saveUploadedRateCard(db: Tx, shopId: string, input: { currency: string; effectiveFrom: string; ratesCsv: string; tiersCsv?: string; fileName?: string }) {
  const { rates, currency } = parseRatesCsv(input.ratesCsv);
  if (currency && currency !== input.currency) {
    throw new RateCardError("currencyMismatch", "currency", { file: currency, account: input.currency });
  }
  const tiers = input.tiersCsv?.trim() ? parseTiersCsv(input.tiersCsv) : [];
  const data = { rates: rates as object[], tiers: tiers as object[], fileName: input.fileName ?? null, recomputeTotal: null, recomputeDone: 0, recomputedAt: null, recomputeLockedUntil: null };
  return db.rateCard.upsert({
    where: { shopId_currency_effectiveFrom: { shopId, currency: input.currency, effectiveFrom: input.effectiveFrom } },
    create: { shopId, currency: input.currency, effectiveFrom: input.effectiveFrom, ...data },
    update: data,
  });
}

/** The cards a shop's costs can come from, for the page: bundled and uploaded, newest first. */
export async function rateCardList(db: Tx, shopId: string, currency: string) {
  const uploads = await db.rateCard.findMany({ where: { shopId, currency } });
  return cardsWith(uploads, currency).map((card) => {
    const upload = uploads.find((u) => card.ref === `upload:${u.id}`);
    return {
      ref: card.ref,
      effectiveFrom: card.effectiveFrom,
      source: upload ? ("upload" as const) : ("bundled" as const),
      fileName: upload?.fileName ?? null,
      markets: new Set(card.rates.map((r) => r.market)).size,
      tiers: card.tiers.length,
      recompute: upload && upload.recomputeTotal !== null && !upload.recomputedAt ? { done: upload.recomputeDone, total: upload.recomputeTotal } : null,
    };
  });
}
