// What each app-sent message costs, and the daily aggregates the cost report
// reads. Every change to a message that the report counts goes through
// `trackMessage`: inside one transaction it locks the row (reading it in the
// same statement), computes the change from what it read, settles the cost,
// writes both in one update, and moves the difference between the message's
// old and new contribution into CostDaily (and the order's running total).
// Replays and out-of-order statuses therefore never double-count.
import { z } from "zod";

import { pricingPolicyShape } from "../core/config.server";
import type { Db, Tx } from "../core/db.server";
import { CUSTOMER_SERVICE_WINDOW_MS, normalisePricingCategory } from "../core/domain";
import type { Message } from "../generated/prisma/client";
import { CostLedger, type ReportCounts, type ReportKey } from "./ledger.server";
import { cardInForce, hasTiers, type PricingCategory, rateFor, wabaBilling } from "./rate-cards.server";
import { localDay, monthStart } from "./time";

/** A customer message this long after an app message still counts as a reply to it. */
const REPLY_HORIZON_MS = 72 * 60 * 60 * 1000;
const COSTED_SOURCES = ["AUTOMATION", "CAMPAIGN", "STAFF"];

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

/** The fields a tracked change may set: plain values, computed from the locked row. */
export type MessageChange = Partial<
  Pick<
    Message,
    | "wamid"
    | "status"
    | "statusRank"
    | "sentAt"
    | "deliveredAt"
    | "readAt"
    | "failedAt"
    | "repliedAt"
    | "lockedUntil"
    | "pricingCategory"
    | "pricingType"
    | "billable"
    | "errorCode"
    | "errorTitle"
    | "errorDetails"
    | "skipReason"
  >
>;

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
    ? (await tx.message.count({ where: { shopId: m.shopId, contactId: m.contactId, direction: "IN", source: { not: "HISTORY" }, occurredAt: { gte: new Date(sentAt.getTime() - CUSTOMER_SERVICE_WINDOW_MS), lte: sentAt } } })) > 0
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

/** What one message adds to the daily aggregates: nothing until Meta accepted it (or it failed). */
export function contributionOf(m: Tracked, timeZone: string): Contribution | null {
  if (m.direction !== "OUT" || !COSTED_SOURCES.includes(m.source)) return null;
  if (!m.wamid && m.status !== "FAILED") return null;
  return {
    key: {
      day: localDay(m.sentAt ?? m.createdAt, timeZone),
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

type Change = (tx: Tx, current: Message) => Promise<MessageChange | null> | MessageChange | null;
interface TrackOptions {
  reprice?: boolean;
  policy?: PricingPolicy;
}

/**
 * Applies a change to one message and keeps its cost and the aggregates true.
 * The message is named by id or by wamid, always within its shop. The first
 * statement takes the row lock and reads the row (PostgreSQL; SQLite
 * serialises writers anyway), so `change` decides from the message as it
 * stands and concurrent updates of the same message see each other's result.
 * `change` may write other rows in the transaction and returns the message's
 * new values (null: nothing to change). A settled cost is kept unless what it
 * depends on changed (a `read` after `delivered` costs no rate lookup);
 * `reprice` recomputes it regardless. Returns whether the message was found.
 */
export async function trackMessage(db: Db, shopId: string, message: string | { wamid: string }, change: Change, options: TrackOptions = {}): Promise<boolean> {
  return withLedger(db, (ledger) => trackIn(ledger, shopId, message, change, options));
}

/** Runs `work` in one transaction whose tracked changes settle into the aggregates when it ends. */
export async function withLedger<T>(db: Db, work: (ledger: CostLedger) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    const ledger = new CostLedger(tx);
    const result = await work(ledger);
    await ledger.flush();
    return result;
  });
}

/** trackMessage within a transaction that already holds a ledger (several changes, one commit). */
export async function trackIn(ledger: CostLedger, shopId: string, message: string | { wamid: string }, change: Change, options: TrackOptions = {}): Promise<boolean> {
  const key = typeof message === "string" ? { id: message } : { wamid: message.wamid };
  const [row] = await ledger.tx.message.updateManyAndReturn({ where: { ...key, shopId }, data: { updatedAt: new Date() } });
  if (!row) return false;
  await trackLocked(ledger, row, change, options);
  return true;
}

/**
 * The rest of trackIn for a row the transaction has already locked and read
 * (a batch locks its messages in one statement); returns the row as changed,
 * for the next change to the same message in the batch.
 */
export async function trackLocked(ledger: CostLedger, row: Message, change: Change, options: TrackOptions = {}): Promise<Message> {
  const { tx } = ledger;
  const changes = (await change(tx, row)) ?? {};
  const [trigger, category] = await Promise.all([automationTrigger(tx, row.automationId), templateCategory(ledger, row)]);
  const before: Tracked = { ...row, automationTrigger: trigger, templateCategory: category };
  let after: Tracked = { ...before, ...changes };
  const settled =
    !options.reprice &&
    before.costState !== null &&
    after.deliveredAt?.getTime() === before.deliveredAt?.getTime() &&
    after.pricingType === before.pricingType &&
    after.pricingCategory === before.pricingCategory;
  const billing = await ledger.billingOf(row.shopId);
  const cost = settled ? null : await settleCost(ledger, after, { ...billing, policy: options.policy ?? processPolicy() });
  const costChanged = cost !== null && (cost.costState !== after.costState || cost.costMicros !== after.costMicros || cost.rateCardRef !== after.rateCardRef || cost.currency !== after.currency);
  const data = { ...changes, ...(costChanged ? cost : {}) };
  if (Object.keys(data).length) {
    await tx.message.update({ where: { id: row.id }, data });
    after = { ...after, ...data };
  }
  applyDelta(ledger, before, after, billing.timeZone);
  return { ...row, ...data };
}

/**
 * Recomputes the cost of every delivered app-sent message from a local date
 * on (after a rate card upload), oldest delivery first so volume tiers count
 * in order. Reports progress as it goes.
 */
export async function recomputeCosts(db: Db, shopId: string, options: { fromDay?: string; onProgress?: (done: number, total: number) => Promise<void> } = {}) {
  const { timeZone } = await wabaBilling(db, shopId);
  const where = {
    shopId,
    direction: "OUT",
    source: { in: COSTED_SOURCES },
    deliveredAt: options.fromDay ? { gte: monthStart(options.fromDay, timeZone) } : { not: null },
  };
  const total = await db.message.count({ where });
  let done = 0;
  await options.onProgress?.(0, total);
  let cursor: { deliveredAt: Date; id: string } | undefined;
  for (;;) {
    const batch = await db.message.findMany({
      where: cursor ? { AND: [where, { OR: [{ deliveredAt: { gt: cursor.deliveredAt } }, { deliveredAt: cursor.deliveredAt, id: { gt: cursor.id } }] }] } : where,
      orderBy: [{ deliveredAt: "asc" }, { id: "asc" }],
      take: 200,
      select: { id: true, deliveredAt: true },
    });
    if (!batch.length) break;
    for (const m of batch) await trackMessage(db, shopId, m.id, () => null, { reprice: true });
    done += batch.length;
    const last = batch[batch.length - 1]!;
    cursor = { deliveredAt: last.deliveredAt!, id: last.id };
    await options.onProgress?.(done, total);
  }
  return { recomputed: done };
}

/** Marks the latest app-sent message a customer's reply answers (its WhatsApp context, else the latest within 72 h). */
export async function recordReply(db: Db, shopId: string, contactId: string, at: Date, contextWamid?: string) {
  const target = contextWamid
    ? await db.message.findFirst({ where: { shopId, wamid: contextWamid, direction: "OUT", source: { in: COSTED_SOURCES }, repliedAt: null }, select: { id: true } })
    : await db.message.findFirst({
        where: { shopId, contactId, direction: "OUT", source: { in: COSTED_SOURCES }, repliedAt: null, sentAt: { gte: new Date(at.getTime() - REPLY_HORIZON_MS), lte: at } },
        orderBy: { sentAt: "desc" },
        select: { id: true },
      });
  if (!target) return;
  await trackMessage(db, shopId, target.id, (_tx, m) => (m.repliedAt === null ? { repliedAt: at } : null));
}
