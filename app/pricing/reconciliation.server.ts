// Reconciliation: Meta's own daily figures from pricing_analytics, stored per
// day × country × category × type × tier so the report can show them beside
// the app's estimate. A pull replaces the stored days it covers. It asks for
// the shop's own number only: a business's stores may share one WABA, and the
// WABA's figures are all of theirs.
import type { AppConfig } from "../core/config.server";
import type { Db } from "../core/db.server";
import { log } from "../core/log.server";
import { accountClient } from "../whatsapp/account.server";
import type { WhatsAppClient } from "../whatsapp/client.server";
import { marketForCountry } from "./markets";
import { wabaBilling } from "./rate-cards.server";
import { localDay, nextDay, startOfDay, wabaTimeZone } from "./time";

const DAY_MS = 24 * 60 * 60 * 1000;

/** A refusal: not connected, the number's digits unknown, or Meta's error (its code, and its own words as the detail). */
export type ReconcileResult = { ok: true; days: number; points: number } | { ok: false; code: "notConnected" | "numberUnknown" } | { ok: false; code: "meta"; metaCode: number; detail: string };

type Connection = NonNullable<Awaited<ReturnType<typeof accountClient>>>;

/**
 * The display number Meta filters the shop's figures by. One stored as the Graph id (Meta gave no display number
 * when the number was connected) is read from Meta again, and kept when Meta gives it now. Without it nothing is
 * pulled: a filter on digits that are no number would replace the stored days with none.
 */
async function displayNumber(db: Db, shopId: string, connection: Connection): Promise<string | ReconcileResult> {
  const { displayPhoneNumber, phoneNumberId } = connection;
  if (!phoneNumberId) return { ok: false, code: "notConnected" };
  if (displayPhoneNumber && displayPhoneNumber !== phoneNumberId && /\d/.test(displayPhoneNumber)) return displayPhoneNumber;
  const phone = await connection.client.getPhoneNumber(phoneNumberId);
  if (!phone.ok) return { ok: false, code: "meta", metaCode: phone.error.code, detail: phone.error.message };
  const display = phone.value.display_phone_number;
  if (!display || !/\d/.test(display)) return { ok: false, code: "numberUnknown" };
  await db.whatsAppAccount.updateMany({ where: { shopId, phoneNumberId }, data: { displayPhoneNumber: display } });
  return display;
}

/** Pulls Meta's figures for the local days `from`..`to` (inclusive) and stores them. */
export async function reconcilePricing(deps: { db: Db; config: AppConfig; graph: WhatsAppClient }, shopId: string, range: { from: string; to: string }): Promise<ReconcileResult> {
  const { db } = deps;
  const connection = await accountClient(deps, shopId);
  if (!connection) return { ok: false, code: "notConnected" };
  const display = await displayNumber(db, shopId, connection);
  if (typeof display !== "string") return display;
  const { timeZone } = await wabaBilling(db, shopId);
  const start = Math.floor(startOfDay(range.from, timeZone).getTime() / 1000);
  const end = Math.floor(startOfDay(nextDay(range.to), timeZone).getTime() / 1000);
  const result = await connection.client.pricingAnalytics(connection.wabaId, { start, end }, display);
  if (!result.ok) return { ok: false, code: "meta", metaCode: result.error.code, detail: result.error.message };
  const points = (result.value.pricing_analytics?.data ?? []).flatMap((d) => d.data_points ?? []);
  const rows = new Map<string, { day: string; country: string; market: string; category: string; pricingType: string; tier: string; volume: number; costMicros: bigint | null }>();
  for (const p of points) {
    // A point's start is local midnight; the middle of its span is safely inside the day.
    const day = localDay(new Date((p.start + Math.min(p.end - p.start, DAY_MS / 1000) / 2) * 1000), timeZone);
    const row = {
      day,
      country: p.country ?? "",
      market: p.country ? marketForCountry(p.country) : "",
      category: (p.pricing_category ?? "").toLowerCase(),
      pricingType: (p.pricing_type ?? "").toLowerCase(),
      tier: p.tier ?? "",
      volume: p.volume ?? 0,
      costMicros: p.cost === undefined ? null : BigInt(Math.round(p.cost * 1_000_000)),
    };
    const key = [row.day, row.country, row.category, row.pricingType, row.tier].join("|");
    const seen = rows.get(key);
    if (seen) {
      seen.volume += row.volume;
      seen.costMicros = seen.costMicros === null || row.costMicros === null ? null : seen.costMicros + row.costMicros;
    } else rows.set(key, row);
  }
  await db.$transaction(async (tx) => {
    // The shop's row first: another pull of the same shop (the merchant's, beside the daily one) waits for this one
    // to commit, then replaces its days, instead of both inserting the same days.
    await tx.shop.update({ where: { id: shopId }, data: { pricingReconciledAt: new Date() } });
    await tx.metaCostDaily.deleteMany({ where: { shopId, day: { gte: range.from, lte: range.to } } });
    if (rows.size) await tx.metaCostDaily.createMany({ data: [...rows.values()].map((r) => ({ shopId, ...r })) });
  });
  return { ok: true, days: new Set([...rows.values()].map((r) => r.day)).size, points: points.length };
}

/**
 * The daily job: every connected shop not reconciled in the last day gets its
 * last 3 local days pulled. Every worker looks each hour: the first to mark a
 * shop as reconciled now pulls it, the others pass it by (one call to Meta per
 * shop, whose management API allows a WABA 200 an hour). A pull that fails
 * takes its mark back, so the shop is due again at the next look; one whose
 * worker died keeps it, and the shop is pulled the next day.
 */
export async function reconcileDueShops(deps: { db: Db; config: AppConfig; graph: WhatsAppClient }, now = new Date()) {
  const due = await deps.db.shop.findMany({
    where: {
      uninstalledAt: null,
      whatsappAccount: { onboardingState: "CONNECTED" },
      OR: [{ pricingReconciledAt: null }, { pricingReconciledAt: { lt: new Date(now.getTime() - DAY_MS) } }],
    },
    select: { id: true, timezone: true, pricingReconciledAt: true, whatsappAccount: { select: { timezone: true } } },
  });
  let done = 0;
  for (const shop of due) {
    const mark = new Date();
    const won = await deps.db.shop.updateMany({ where: { id: shop.id, pricingReconciledAt: shop.pricingReconciledAt }, data: { pricingReconciledAt: mark } });
    if (!won.count) continue;
    const timeZone = wabaTimeZone(shop.whatsappAccount?.timezone, shop.timezone);
    const today = localDay(now, timeZone);
    const from = localDay(new Date(now.getTime() - 3 * DAY_MS), timeZone);
    const result = await reconcilePricing(deps, shop.id, { from, to: today }).catch((error: unknown) => {
      log.warn({ shopId: shop.id, err: error }, "Pricing reconciliation failed for a shop");
      return null;
    });
    if (result?.ok) {
      done++;
      continue;
    }
    if (result) log.warn({ shopId: shop.id, reason: result.code, metaCode: "metaCode" in result ? result.metaCode : undefined }, "Pricing reconciliation failed for a shop");
    await deps.db.shop.updateMany({ where: { id: shop.id, pricingReconciledAt: mark }, data: { pricingReconciledAt: shop.pricingReconciledAt } });
  }
  return done;
}
