// A merchant uploads Meta's current rate card (and tier) CSVs: validate and
// store. Recomputing the stored costs from the card's date is a worker's job
// (recomputeDueRateCards), with progress on the card row for the page to show.
import { recomputeCosts } from "../messaging/repricing.server";
import type { Db } from "../core/db.server";
import { log } from "../core/log.server";
import { cardInForce, type PricingCategory, RateCardError, type RateCardProblem, rateCardsFor, saveUploadedRateCard, uploadSchema } from "./rate-cards.server";

const MAX_BYTES = 2 * 1024 * 1024;
/** How long a worker's claim on a recompute lasts; each batch of progress renews it. */
const RECOMPUTE_CLAIM_MS = 60_000;

/** A market's rate for one category, which the card an upload replaces had and the upload lacks: those costs become unknown. */
export interface LostRate {
  market: string;
  category: PricingCategory;
}
export type UploadResult = { ok: true; cardId: string; lostRates: LostRate[] } | { ok: false; field: RateCardError["field"]; code: RateCardProblem; params: Record<string, string> };

export async function uploadRateCard(db: Db, shopId: string, form: FormData): Promise<UploadResult> {
  const account = await db.whatsAppAccount.findUnique({ where: { shopId }, select: { currency: true } });
  const currency = account?.currency ?? "USD";
  const parsed = uploadSchema.safeParse({ currency, effectiveFrom: String(form.get("effectiveFrom") ?? "") });
  if (!parsed.success) return { ok: false, field: "effectiveFrom", code: "date", params: {} };
  const rates = form.get("rates");
  const tiers = form.get("tiers");
  if (!(rates instanceof File) || rates.size === 0) return { ok: false, field: "rates", code: "chooseFile", params: {} };
  if (rates.size > MAX_BYTES) return { ok: false, field: "rates", code: "tooLarge", params: {} };
  if (tiers instanceof File && tiers.size > MAX_BYTES) return { ok: false, field: "tiers", code: "tooLarge", params: {} };
  try {
    const before = cardInForce(await rateCardsFor(db, shopId, currency), parsed.data.effectiveFrom);
    const card = await saveUploadedRateCard(db, shopId, {
      currency,
      effectiveFrom: parsed.data.effectiveFrom,
      ratesCsv: await rates.text(),
      tiersCsv: tiers instanceof File && tiers.size > 0 ? await tiers.text() : undefined,
      fileName: rates.name,
    });
    // By market and category: a card that drops Brazil's marketing rate but keeps its utility rate still loses one.
    const pair = (r: { market: string; category: string }) => `${r.market}\u0000${r.category}`;
    const kept = new Set((card.rates as { market: string; category: string }[]).map(pair));
    const lostRates = (before?.rates ?? [])
      .filter((r) => !kept.has(pair(r)))
      .map(({ market, category }) => ({ market, category }))
      .sort((a, b) => a.market.localeCompare(b.market) || a.category.localeCompare(b.category));
    return { ok: true, cardId: card.id, lostRates };
  } catch (error) {
    if (error instanceof RateCardError) return { ok: false, field: error.field, code: error.code, params: error.params };
    throw error;
  }
}

/** This worker no longer holds the card: a newer upload, a worker that took over, or this one stopping. */
class RecomputeSuperseded extends Error {
  override name = "RecomputeSuperseded";
}

/**
 * The worker's side of an upload: takes each card whose costs are not yet
 * recomputed (one worker per card, by a claim that a dead worker's lapses),
 * recomputes, and marks it done. Recomputing is idempotent, so a card taken
 * again after a crash starts over without counting anything twice. Returns
 * how many cards it finished.
 */
export async function recomputeDueRateCards(db: Db, options: { now?: () => Date; stopping?: () => boolean } = {}): Promise<number> {
  const now = options.now ?? (() => new Date());
  const due = await db.rateCard.findMany({
    where: { recomputedAt: null, OR: [{ recomputeLockedUntil: null }, { recomputeLockedUntil: { lt: now() } }] },
    orderBy: { createdAt: "asc" },
    select: { id: true, shopId: true, effectiveFrom: true, recomputeLockedUntil: true },
    take: 10,
  });
  let finished = 0;
  for (const card of due) {
    if (options.stopping?.()) break;
    let claim = new Date(now().getTime() + RECOMPUTE_CLAIM_MS);
    const won = await db.rateCard.updateMany({ where: { id: card.id, recomputedAt: null, recomputeLockedUntil: card.recomputeLockedUntil }, data: { recomputeLockedUntil: claim } });
    if (won.count === 0) continue;
    // Every write is conditional on this worker's claim: a new upload of the card (which clears it) or a
    // worker that took over after the claim lapsed wins, and this one stops.
    const renew = async (data: { recomputeDone: number; recomputeTotal: number }) => {
      // The worker is stopping (SIGTERM): give the card up now, so the next worker starts it at once.
      if (options.stopping?.()) {
        await db.rateCard.updateMany({ where: { id: card.id, recomputeLockedUntil: claim }, data: { ...data, recomputeLockedUntil: null } });
        throw new RecomputeSuperseded();
      }
      const next = new Date(now().getTime() + RECOMPUTE_CLAIM_MS);
      const held = await db.rateCard.updateMany({ where: { id: card.id, recomputeLockedUntil: claim }, data: { ...data, recomputeLockedUntil: next } });
      if (held.count === 0) throw new RecomputeSuperseded();
      claim = next;
    };
    try {
      await recomputeCosts(db, card.shopId, { fromDay: card.effectiveFrom, onProgress: (done, total) => renew({ recomputeDone: done, recomputeTotal: total }) });
      const done = await db.rateCard.updateMany({ where: { id: card.id, recomputeLockedUntil: claim }, data: { recomputedAt: now(), recomputeLockedUntil: null } });
      finished += done.count;
    } catch (error) {
      // Superseded or stopping: someone else carries on. Failed: the claim lapses and a worker tries again.
      if (!(error instanceof RecomputeSuperseded)) log.error({ rateCardId: card.id, err: error }, "Recomputing costs after a rate card upload failed");
    }
  }
  return finished;
}
