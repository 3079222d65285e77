// What each app-sent message costs, and the daily aggregates the cost report
// reads. The cost is a step of every change to a message (messages.server.ts
// owns the transaction, with the row locked): `costStep` settles the cost the
// change implies, to be written in the same update, and moves the difference
// between the message's old and new contribution into CostDaily (and the
// order's running total). Replays and out-of-order statuses therefore never
// double-count.
import { z } from "zod";

import { pricingPolicyShape } from "../core/config.server";
import type { Tx } from "../core/db.server";
import { CUSTOMER_SERVICE_WINDOW_MS, normalisePricingCategory } from "../core/domain";
import type { Message } from "../generated/prisma/client";
import type { CostLedger, ReportCounts, ReportKey } from "./ledger.server";
import { cardInForce, hasTiers, type PricingCategory, rateFor } from "./rate-cards.server";
import { localDay, monthStart } from "./time";

/** The sources of the messages the app pays for and reports. */
export const COSTED_SOURCES = ["AUTOMATION", "CAMPAIGN", "STAFF"];

export interface PricingPolicy {
  /** From this local date, service and in-window utility are charged when a status carries no pricing. */
  serviceChargedFrom?: string;
}

export function pricingPolicyFromEnv(env: Record<string, string | undefined> = process.env): PricingPolicy {
  return { serviceChargedFrom: z.object(pricingPolicyShape).parse(env).PRICING_SERVICE_CHARGED_FROM };
}

const policies = new Map<string | undefined, PricingPolicy>();

/** The policy in this process's environment, parsed once per value. */
function processPolicy(): PricingPolicy {
  const raw = process.env.PRICING_SERVICE_CHARGED_FROM;
  let policy = policies.get(raw);
  if (!policy) {
    policy = pricingPolicyFromEnv();
    policies.set(raw, policy);
  }
  return policy;
}

/** A message with what its cost and report line depend on besides its own columns. */
type Tracked = Message & { automationTrigger: string | null; templateCategory: string | null };

/** An automation's trigger never changes (one row per shop and trigger), so a process remembers it. */
const automationTriggers = new Map<string, string>();

async function automationTrigger(tx: Tx, automationId: string | null): Promise<string | null> {
  if (!automationId) return null;
  const known = automationTriggers.get(automationId);
  if (known) return known;
  const automation = await tx.automation.findUnique({ where: { id: automationId }, select: { trigger: true } });
  if (automation) automationTriggers.set(automationId, automation.trigger);
  return automation?.trigger ?? null;
}

/** The template's category matters only while Meta's pricing has not named the message's own. */
async function templateCategory(ledger: CostLedger, m: Message): Promise<string | null> {
  if (m.type !== "template" || !m.templateId || m.pricingCategory) return null;
  return ledger.templateCategory(m.templateId);
}

interface Context {
  currency: string;
  timeZone: string;
  policy: PricingPolicy;
}

function categoryOf(m: Tracked): PricingCategory {
  const category = normalisePricingCategory(m.pricingCategory ?? undefined) ?? (m.type === "template" ? m.templateCategory?.toLowerCase() : "service");
  return (category ?? "utility") as PricingCategory;
}

/** Is this delivered message charged? Meta's pricing on the status decides; the policy only fills gaps. */
async function isCharged(tx: Tx, m: Tracked, category: PricingCategory, day: string, policy: PricingPolicy): Promise<boolean> {
  if (m.pricingType) return m.pricingType.toLowerCase() === "regular";
  if (m.billable !== null) return m.billable;
  const windowRuleCharges = policy.serviceChargedFrom !== undefined && day >= policy.serviceChargedFrom;
  if (m.type !== "template") return windowRuleCharges;
  if (category !== "utility") return true;
  const sentAt = m.sentAt ?? m.createdAt;
  const inWindow = m.contactId
    ? (await tx.message.count({
        where: { shopId: m.shopId, contactId: m.contactId, direction: "IN", source: { not: "HISTORY" }, occurredAt: { gte: new Date(sentAt.getTime() - CUSTOMER_SERVICE_WINDOW_MS), lte: sentAt } },
      })) > 0
    : false;
  return !inWindow || windowRuleCharges;
}

type Cost = Pick<Message, "costState" | "costMicros" | "rateCardRef" | "currency">;

/** The message's cost as it stands now (not written here); null when it is not costed. */
async function settleCost(ledger: CostLedger, m: Tracked, ctx: Context): Promise<Cost | null> {
  const { tx } = ledger;
  if (m.direction !== "OUT" || !COSTED_SOURCES.includes(m.source)) return null;
  let cost: { costState: string | null; costMicros: number | null; rateCardRef: string | null } = { costState: null, costMicros: null, rateCardRef: null };
  if (m.deliveredAt) {
    const category = categoryOf(m);
    const day = localDay(m.deliveredAt, ctx.timeZone);
    if (!(await isCharged(tx, m, category, day, ctx.policy))) {
      cost = { costState: "FREE", costMicros: 0, rateCardRef: null };
    } else {
      const card = cardInForce(await ledger.rateCards(m.shopId, ctx.currency), day);
      const market = m.market ?? "Other";
      // Billable service messages are charged at the utility rate unless the card names a service rate.
      const rateCategory: PricingCategory = category === "service" && card && rateFor(card, market, "service") === null ? "utility" : category;
      let ordinal = 1;
      if (card && hasTiers(card, market, rateCategory)) {
        const from = monthStart(day, ctx.timeZone);
        const earlier = await tx.message.count({
          where: {
            shopId: m.shopId,
            market: m.market,
            pricingCategory: m.pricingCategory,
            costState: { in: ["CHARGED", "UNKNOWN_RATE"] },
            id: { not: m.id },
            OR: [{ deliveredAt: { gte: from, lt: m.deliveredAt } }, { deliveredAt: m.deliveredAt, id: { lt: m.id } }],
          },
        });
        ordinal = earlier + 1;
      }
      const rate = card ? rateFor(card, market, rateCategory, ordinal) : null;
      cost = rate === null ? { costState: "UNKNOWN_RATE", costMicros: null, rateCardRef: card?.ref ?? null } : { costState: "CHARGED", costMicros: rate, rateCardRef: card!.ref };
    }
  }
  return { ...cost, currency: ctx.currency };
}

interface Contribution {
  key: ReportKey;
  counts: ReportCounts;
  costMicros: number;
}

/**
 * What one message adds to the daily aggregates: nothing until Meta accepted
 * it (or it failed). Its day is Meta's: when it was sent, else when it failed
 * (a failed status is its only date from Meta), else when the app made it.
 */
export function contributionOf(m: Tracked, timeZone: string): Contribution | null {
  if (m.direction !== "OUT" || !COSTED_SOURCES.includes(m.source)) return null;
  if (!m.wamid && m.status !== "FAILED") return null;
  return {
    key: {
      day: localDay(m.sentAt ?? m.failedAt ?? m.createdAt, timeZone),
      market: m.market ?? "",
      category: categoryOf(m),
      pricingType: m.pricingType?.toLowerCase() ?? "",
      templateName: m.templateName ?? "",
      automation: m.automationTrigger ?? "",
    },
    counts: {
      sent: m.wamid ? 1 : 0,
      delivered: m.deliveredAt ? 1 : 0,
      read: m.readAt ? 1 : 0,
      failed: m.status === "FAILED" ? 1 : 0,
      replied: m.repliedAt ? 1 : 0,
      charged: m.costState === "CHARGED" ? 1 : 0,
      free: m.costState === "FREE" ? 1 : 0,
      unknownRate: m.costState === "UNKNOWN_RATE" ? 1 : 0,
    },
    costMicros: m.costMicros ?? 0,
  };
}

const scaled = (counts: ReportCounts, sign: number) => Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, sign * v])) as ReportCounts;

/** Moves the difference between the message's old and new contribution into the ledger. */
function applyDelta(ledger: CostLedger, before: Tracked, after: Tracked, timeZone: string) {
  const [was, now] = [contributionOf(before, timeZone), contributionOf(after, timeZone)];
  if (was) ledger.addDaily(after.shopId, was.key, scaled(was.counts, -1), -was.costMicros);
  if (now) ledger.addDaily(after.shopId, now.key, now.counts, now.costMicros);
  if (after.orderId && before.orderId === after.orderId) {
    ledger.addOrder(after.orderId, (now?.costMicros ?? 0) - (was?.costMicros ?? 0), (now?.counts.sent ?? 0) - (was?.counts.sent ?? 0));
  }
}

export interface CostOptions {
  /** Recompute a settled cost (after a rate card upload). */
  reprice?: boolean;
  policy?: PricingPolicy;
}

/**
 * The ledger's step in a change to a message, run by messages.server.ts in
 * the change's transaction with the row locked and read: the cost columns to
 * write with the change (none while the settled cost stands: a `read` after
 * `delivered` costs no rate lookup; `reprice` recomputes it regardless), and
 * the message's contribution to the aggregates moved on the ledger.
 */
export async function costStep(ledger: CostLedger, row: Message, changes: Partial<Message>, options: CostOptions = {}): Promise<Partial<Cost>> {
  const { tx } = ledger;
  const [trigger, category] = await Promise.all([automationTrigger(tx, row.automationId), templateCategory(ledger, row)]);
  const before: Tracked = { ...row, automationTrigger: trigger, templateCategory: category };
  const after: Tracked = { ...before, ...changes };
  const settled =
    !options.reprice &&
    before.costState !== null &&
    after.deliveredAt?.getTime() === before.deliveredAt?.getTime() &&
    after.pricingType === before.pricingType &&
    after.pricingCategory === before.pricingCategory;
  const billing = await ledger.billingOf(row.shopId);
  const cost = settled ? null : await settleCost(ledger, after, { ...billing, policy: options.policy ?? processPolicy() });
  const costChanged = cost !== null && (cost.costState !== after.costState || cost.costMicros !== after.costMicros || cost.rateCardRef !== after.rateCardRef || cost.currency !== after.currency);
  const written = costChanged ? cost : {};
  applyDelta(ledger, before, { ...after, ...written }, billing.timeZone);
  return written;
}
