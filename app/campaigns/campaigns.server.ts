// Campaigns (issue 15), first part: a draft names its audience (a saved
// Shopify segment, or filters) and an approved MARKETING template; the worker
// reads the audience; the page shows who would receive it, why the others
// would not, and what it would cost before anything is sent.
import { z } from "zod";

import type { Db } from "../core/db.server";
import type { Campaign } from "../generated/prisma/client";
import { cardInForce, rateCardsFor, rateFor, wabaBilling } from "../pricing/rate-cards.server";
import { localDay } from "../pricing/time";
import type { AdminGraphql } from "../shopify/admin/graphql.server";
import type { Staff } from "../shopify/staff.server";
import { type AudienceFilters, audienceFiltersSchema, segmentQueryFor } from "./audience.server";

export const SEGMENTS_QUERY = `#graphql
  query CampaignSegments($after: String) {
    segments(first: 250, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
      }
    }
  }
`;

/** Pages of saved segments read for the form at most (1,000 segments). */
const SEGMENT_PAGES = 4;

/** The shop's saved customer segments, for the campaign form: every page, up to SEGMENT_PAGES. */
export async function savedSegments(graphql: AdminGraphql): Promise<{ id: string; name: string }[]> {
  const out: { id: string; name: string }[] = [];
  let after: string | null = null;
  for (let page = 0; page < SEGMENT_PAGES; page++) {
    const { segments }: { segments: { pageInfo: { hasNextPage: boolean; endCursor?: string | null }; nodes: { id: string; name: string }[] } } = await graphql(SEGMENTS_QUERY, { after });
    out.push(...segments.nodes);
    if (!segments.pageInfo.hasNextPage || !segments.pageInfo.endCursor) break;
    after = segments.pageInfo.endCursor;
  }
  return out;
}

const draftSchema = z.object({
  name: z.string().trim().min(1).max(80),
  audience: z.enum(["segment", "filters"]),
  segmentId: z.string().trim().optional(),
  templateName: z.preprocess((value) => (value === "" ? undefined : value), z.string().max(512).optional()),
});

export type DraftError = { ok: false; field: string };

/**
 * A new draft from the campaign form; its audience is read by the worker. A
 * segment must be one of the shop's (as Shopify lists them), a template one
 * of its approved MARKETING templates.
 */
export async function createDraft(db: Db, shopId: string, staff: Staff, form: Record<string, unknown>, segments: { id: string }[]): Promise<{ ok: true; id: string } | DraftError> {
  const draft = draftSchema.safeParse(form);
  if (!draft.success) return { ok: false, field: String(draft.error.issues[0]!.path[0] ?? "name") };
  const { name, audience, segmentId, templateName } = draft.data;
  let target: { segmentId: string } | { segmentQuery: string; filters: AudienceFilters };
  if (audience === "segment") {
    if (!segmentId || !segments.some((s) => s.id === segmentId)) return { ok: false, field: "segmentId" };
    target = { segmentId };
  } else {
    const filters = audienceFiltersSchema.safeParse(form);
    if (!filters.success) return { ok: false, field: String(filters.error.issues[0]!.path[0]) };
    target = { segmentQuery: segmentQueryFor(filters.data), filters: filters.data };
  }
  if (templateName && !(await db.template.findFirst({ where: { shopId, name: templateName, category: "MARKETING", status: "APPROVED" }, select: { id: true } }))) {
    return { ok: false, field: "templateName" };
  }
  const campaign = await db.campaign.create({ data: { shopId, name, templateName: templateName ?? null, createdBy: staff.id, ...target } });
  return { ok: true, id: campaign.id };
}

/** A campaign of the shop, or null (another shop's id reads as none). */
export function campaignOf(db: Db, shopId: string, campaignId: string): Promise<Campaign | null> {
  return db.campaign.findFirst({ where: { id: campaignId, shopId } });
}

export function campaignList(db: Db, shopId: string) {
  return db.campaign.findMany({ where: { shopId }, orderBy: { createdAt: "desc" }, take: 100, select: { id: true, name: true, status: true, audienceStatus: true, createdAt: true } });
}

export interface MarketEstimate {
  market: string;
  recipients: number;
  /** The marketing rate in force today, millionths of the WABA's currency; null when the rate card has none for that market. */
  rateMicros: number | null;
  costMicros: number | null;
}

/**
 * What sending would cost: recipients per pricing market times the marketing
 * rate of the rate card in force today (the WABA's day and currency). Markets
 * without a rate are named and left out of the total, never counted as free.
 * Checked against the month's budget: spent so far plus this.
 */
export async function campaignEstimate(db: Db, campaign: Pick<Campaign, "id" | "shopId">, now = new Date()) {
  const { currency, timeZone } = await wabaBilling(db, campaign.shopId);
  const today = localDay(now, timeZone);
  const [groups, cards, shop, spent] = await Promise.all([
    db.campaignRecipient.groupBy({ by: ["market"], where: { campaignId: campaign.id, excluded: null }, _count: { _all: true } }),
    rateCardsFor(db, campaign.shopId, currency),
    db.shop.findUniqueOrThrow({ where: { id: campaign.shopId }, select: { monthlyBudgetMicros: true } }),
    db.costDaily.aggregate({ where: { shopId: campaign.shopId, day: { gte: `${today.slice(0, 7)}-01`, lte: today } }, _sum: { costMicros: true } }),
  ]);
  const card = cardInForce(cards, today);
  const markets: MarketEstimate[] = groups
    .map((g) => {
      const market = g.market ?? "Other";
      const rateMicros = card ? rateFor(card, market, "marketing") : null;
      return { market, recipients: g._count._all, rateMicros, costMicros: rateMicros === null ? null : rateMicros * g._count._all };
    })
    .sort((a, b) => b.recipients - a.recipients || a.market.localeCompare(b.market));
  const totalMicros = markets.reduce((sum, m) => sum + (m.costMicros ?? 0), 0);
  const budgetMicros = shop.monthlyBudgetMicros === null ? null : Number(shop.monthlyBudgetMicros);
  const monthToDateMicros = Number(spent._sum.costMicros ?? 0n);
  return {
    currency,
    rateCard: card?.effectiveFrom ?? null,
    markets,
    totalMicros,
    unknownMarkets: markets.filter((m) => m.rateMicros === null).map((m) => m.market),
    budget: { budgetMicros, monthToDateMicros, overBudget: budgetMicros !== null && monthToDateMicros + totalMicros > budgetMicros },
  };
}
