// What one transaction's tracked message changes owe the daily aggregates
// (CostDaily) and the orders' running totals, summed in memory and written
// once when the transaction ends (flush): a batch of status updates that all
// land on today's report line costs one upsert, not one per status. Also
// remembers what every change in it reads the same: the shop's rate cards for
// the transaction only (an upload reprices from its date, and must not race a
// remembered card); the shop's billing (currency, time zone) and template
// categories for a few seconds across transactions (see RECENT_MS).
// Rows are written in key order, so two transactions never take the same
// locks in opposite orders (see flush).
import { type Db, locksRows, type Tx } from "../core/db.server";
import { Prisma } from "../generated/prisma/client";
import { type RateCard, rateCardsFor, wabaBilling } from "./rate-cards.server";

/**
 * How long a process reuses a shop's billing and a template's category read
 * by an earlier transaction (every send and every status batch reads them).
 * Billing is the WABA's currency and time zone, stored at signup (a WABA's
 * currency is fixed), else the shop's time zone, which reaches the app by a
 * webhook or the daily refresh anyway; a template's category counts only until
 * Meta's pricing on the message's own status names its category.
 */
export const RECENT_MS = 2_000;

/** Values read lately through one client, each kept RECENT_MS from its read. */
class Recent<T> {
  private readonly values = new Map<string, { until: number; value: Promise<T> }>();

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const kept = this.values.get(key);
    // A read shared from another transaction that failed (that one ended first, say) is read again in this one.
    if (kept && kept.until > now) return kept.value.catch(() => load());
    if (this.values.size >= 1000) {
      for (const [old, entry] of this.values) if (entry.until <= now) this.values.delete(old);
      if (this.values.size >= 1000) this.values.clear();
    }
    const value = load();
    const entry = { until: now + RECENT_MS, value };
    this.values.set(key, entry);
    // A failed read is not kept: the next transaction reads again.
    value.catch(() => {
      if (this.values.get(key) === entry) this.values.delete(key);
    });
    return value;
  }
}

const recentByClient = new WeakMap<Db, { billing: Recent<{ currency: string; timeZone: string }>; categories: Recent<string | null> }>();

function recentFor(db: Db) {
  let recent = recentByClient.get(db);
  if (!recent) {
    recent = { billing: new Recent(), categories: new Recent() };
    recentByClient.set(db, recent);
  }
  return recent;
}

export type ReportKey = { day: string; market: string; category: string; pricingType: string; templateName: string; automation: string };
export type ReportCounts = { sent: number; delivered: number; read: number; failed: number; replied: number; charged: number; free: number; unknownRate: number };

interface DailyDelta {
  shopId: string;
  key: ReportKey;
  counts: ReportCounts;
  costMicros: number;
}

export class CostLedger {
  private readonly recent: ReturnType<typeof recentFor>;
  private readonly cards = new Map<string, Promise<RateCard[]>>();
  private readonly daily = new Map<string, DailyDelta>();
  private readonly orders = new Map<string, { costMicros: number; messages: number }>();

  /** `tx`: the transaction; `db`: its client, whose recent reads it may reuse. */
  constructor(
    readonly tx: Tx,
    db: Db,
  ) {
    this.recent = recentFor(db);
  }

  /** The shop's WhatsApp currency and billing time zone (read within RECENT_MS). */
  billingOf(shopId: string): Promise<{ currency: string; timeZone: string }> {
    return this.recent.billing.get(shopId, () => wabaBilling(this.tx, shopId));
  }

  /** A template's category (read within RECENT_MS). */
  templateCategory(templateId: string): Promise<string | null> {
    return this.recent.categories.get(templateId, () => this.tx.template.findUnique({ where: { id: templateId }, select: { category: true } }).then((t) => t?.category ?? null));
  }

  /** The shop's rate cards in a currency, read once per transaction. */
  rateCards(shopId: string, currency: string): Promise<RateCard[]> {
    const id = `${shopId} ${currency}`;
    let cards = this.cards.get(id);
    if (!cards) {
      cards = rateCardsFor(this.tx, shopId, currency);
      this.cards.set(id, cards);
    }
    return cards;
  }

  /** Adds (or, with negative counts, removes) a contribution to a report line. */
  addDaily(shopId: string, key: ReportKey, counts: ReportCounts, costMicros: number): void {
    const id = JSON.stringify([shopId, key.day, key.market, key.category, key.pricingType, key.templateName, key.automation]);
    const delta = this.daily.get(id);
    if (!delta) {
      this.daily.set(id, { shopId, key, counts: { ...counts }, costMicros });
      return;
    }
    for (const name of Object.keys(counts) as (keyof ReportCounts)[]) delta.counts[name] += counts[name];
    delta.costMicros += costMicros;
  }

  addOrder(orderId: string, costMicros: number, messages: number): void {
    const delta = this.orders.get(orderId) ?? { costMicros: 0, messages: 0 };
    delta.costMicros += costMicros;
    delta.messages += messages;
    this.orders.set(orderId, delta);
  }

  /**
   * Writes what the transaction's changes added up to (nothing for lines they
   * left even). The orders first, the report lines last: every message of a
   * shop's day adds to the same few report lines, so the transactions that
   * change them wait on each other's row locks until commit, and the fewer
   * statements they hold those locks for, the less they wait. Each kind is
   * written in key order, so transactions that wait on each other do not wait
   * in a cycle.
   */
  async flush(): Promise<void> {
    // Orders next to each other in key order and owed the same (a batch's sends of one template
    // to one market) take one statement. It would lock them in the order its plan reads them (key
    // order through the primary key, row order through a scan of the table): on PostgreSQL they
    // are locked in key order first, compared as bytes as JavaScript's sort compares them.
    const runs: { costMicros: number; messages: number; ids: string[] }[] = [];
    for (const id of [...this.orders.keys()].sort()) {
      const { costMicros, messages } = this.orders.get(id)!;
      if (!costMicros && !messages) continue;
      const last = runs.at(-1);
      if (last?.costMicros === costMicros && last.messages === messages) last.ids.push(id);
      else runs.push({ costMicros, messages, ids: [id] });
    }
    this.orders.clear();
    if (locksRows(this.tx) && runs.some((run) => run.ids.length > 1)) {
      await this.tx.$queryRaw`SELECT "id" FROM "Order" WHERE "id" IN (${Prisma.join(runs.flatMap((run) => run.ids))}) ORDER BY "id" COLLATE "C" FOR NO KEY UPDATE`;
    }
    for (const { costMicros, messages, ids } of runs) {
      const { count } = await this.tx.order.updateMany({ where: { id: { in: ids } }, data: { whatsappCostMicros: { increment: BigInt(costMicros) }, whatsappMessages: { increment: messages } } });
      // The transaction holds the messages naming these orders, so none can be gone: one missing is a fault, not a no-op.
      if (count !== ids.length) throw new Error(`Cost ledger: ${ids.length - count} of ${ids.length} orders to total are missing`);
    }
    const daily = [...this.daily.keys()].sort().map((id) => this.daily.get(id)!);
    this.daily.clear();
    for (const { shopId, key, counts, costMicros } of daily) {
      if (!Object.values(counts).some(Boolean) && !costMicros) continue;
      await this.tx.costDaily.upsert({
        where: { shopId_day_market_category_pricingType_templateName_automation: { shopId, ...key } },
        create: { shopId, ...key, ...counts, costMicros: BigInt(costMicros) },
        update: { ...Object.fromEntries(Object.entries(counts).map(([name, n]) => [name, { increment: n }])), costMicros: { increment: BigInt(costMicros) } },
      });
    }
  }
}
