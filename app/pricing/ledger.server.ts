// What one transaction's tracked message changes owe the daily aggregates
// (CostDaily) and the orders' running totals, summed in memory and written
// once when the transaction ends (flush): a batch of status updates that all
// land on today's report line costs one upsert, not one per status. Also
// remembers, for the transaction only, what every change in it reads the
// same: the shop's billing (currency, time zone), rate cards and template
// categories.
// Rows are written in key order, so two transactions never take the same
// locks in opposite orders.
import type { Tx } from "../core/db.server";
import { type RateCard, rateCardsFor, wabaBilling } from "./rate-cards.server";

export type ReportKey = { day: string; market: string; category: string; pricingType: string; templateName: string; automation: string };
export type ReportCounts = { sent: number; delivered: number; read: number; failed: number; replied: number; charged: number; free: number; unknownRate: number };

interface DailyDelta {
  shopId: string;
  key: ReportKey;
  counts: ReportCounts;
  costMicros: number;
}

export class CostLedger {
  private readonly billing = new Map<string, Promise<{ currency: string; timeZone: string }>>();
  private readonly categories = new Map<string, Promise<string | null>>();
  private readonly cards = new Map<string, Promise<RateCard[]>>();
  private readonly daily = new Map<string, DailyDelta>();
  private readonly orders = new Map<string, { costMicros: number; messages: number }>();

  constructor(readonly tx: Tx) {}

  /** The shop's WhatsApp currency and billing time zone, read once per transaction. */
  billingOf(shopId: string): Promise<{ currency: string; timeZone: string }> {
    let billing = this.billing.get(shopId);
    if (!billing) {
      billing = wabaBilling(this.tx, shopId);
      this.billing.set(shopId, billing);
    }
    return billing;
  }

  /** A template's category, read once per transaction. */
  templateCategory(templateId: string): Promise<string | null> {
    let category = this.categories.get(templateId);
    if (!category) {
      category = this.tx.template.findUnique({ where: { id: templateId }, select: { category: true } }).then((t) => t?.category ?? null);
      this.categories.set(templateId, category);
    }
    return category;
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
   * written in key order, so transactions that wait on each other never wait
   * in a cycle (no deadlock).
   */
  async flush(): Promise<void> {
    const orders = [...this.orders.keys()].sort().map((id) => [id, this.orders.get(id)!] as const);
    this.orders.clear();
    for (const [id, { costMicros, messages }] of orders) {
      if (!costMicros && !messages) continue;
      await this.tx.order.update({ where: { id }, data: { whatsappCostMicros: { increment: BigInt(costMicros) }, whatsappMessages: { increment: messages } } });
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
