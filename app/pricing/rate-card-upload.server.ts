// A merchant uploads Meta's current rate card (and tier) CSVs: validate, store,
// then recompute the stored costs from the card's date in the background,
// with progress on the card row for the page to show.
import type { Db } from "../db.server";
import { log } from "../log.server";
import { recomputeCosts } from "./costs.server";
import { RateCardError, saveUploadedRateCard, uploadSchema } from "./rate-cards.server";

const MAX_BYTES = 2 * 1024 * 1024;

export type UploadResult = { ok: true; cardId: string; recompute: Promise<void> } | { ok: false; field: RateCardError["field"]; message: string };

export async function uploadRateCard(db: Db, shopId: string, form: FormData): Promise<UploadResult> {
  const account = await db.whatsAppAccount.findUnique({ where: { shopId }, select: { currency: true } });
  const currency = account?.currency ?? "USD";
  const parsed = uploadSchema.safeParse({ currency, effectiveFrom: String(form.get("effectiveFrom") ?? "") });
  if (!parsed.success) return { ok: false, field: "effectiveFrom", message: parsed.error.issues[0]!.message };
  const rates = form.get("rates");
  const tiers = form.get("tiers");
  if (!(rates instanceof File) || rates.size === 0) return { ok: false, field: "rates", message: "Choose Meta's rate card CSV" };
  if (rates.size > MAX_BYTES || (tiers instanceof File && tiers.size > MAX_BYTES)) return { ok: false, field: "rates", message: "The file is larger than 2 MB" };
  try {
    const card = await saveUploadedRateCard(db, shopId, {
      currency,
      effectiveFrom: parsed.data.effectiveFrom,
      ratesCsv: await rates.text(),
      tiersCsv: tiers instanceof File && tiers.size > 0 ? await tiers.text() : undefined,
      fileName: rates.name,
    });
    const recompute = recomputeCosts(db, shopId, {
      fromDay: card.effectiveFrom,
      onProgress: async (done, total) => {
        await db.rateCard.update({ where: { id: card.id }, data: { recomputeDone: done, recomputeTotal: total } });
      },
    })
      .then(() => db.rateCard.update({ where: { id: card.id }, data: { recomputedAt: new Date() } }))
      .then(() => undefined)
      .catch((error: unknown) => log.error({ rateCardId: card.id, err: error }, "Recomputing costs after a rate card upload failed"));
    return { ok: true, cardId: card.id, recompute };
  } catch (error) {
    if (error instanceof RateCardError) return { ok: false, field: error.field, message: error.message };
    throw error;
  }
}
