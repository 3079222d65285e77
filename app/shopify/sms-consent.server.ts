// customers_marketing_consent/update: a customer's SMS marketing consent changed in Shopify (at checkout, in the
// admin, a reply to the shop's SMS). Since API 2025-01 order and checkout webhooks no longer carry it, so this is
// where a shop that counts SMS consent for WhatsApp marketing (Settings) learns it is given or withdrawn.
import type { CountryCode } from "libphonenumber-js";
import { z } from "zod";

import { optInToMarketing, optOutOfMarketing } from "../messaging/consent.server";
import { normalisePhone, whatsappSpellings } from "../messaging/contacts.server";
import type { Db, Tx } from "../core/db.server";
import { shopifyTime } from "./shopify-time";
import type { Contact, Shop } from "../generated/prisma/client";

export const SHOPIFY_SMS = "shopify_sms";

export const smsConsentPayloadSchema = z
  .object({
    id: z.union([z.number(), z.string()]).transform(String),
    phone: z.string().nullish(),
    sms_marketing_consent: z
      .object({ state: z.string().nullish(), consent_updated_at: z.string().datetime({ offset: true }).nullish() })
      .passthrough()
      .nullish(),
  })
  .passthrough();

/** Shopify's states that end a consent: the customer unsubscribed, or their data was erased. */
export const SMS_WITHDRAWN = new Set(["unsubscribed", "redacted"]);

export type SmsConsentOutcome = "PROCESSED" | { ignored: string };

export async function applyShopifySmsConsent(db: Db, shop: Pick<Shop, "id" | "country" | "smsConsentCountsForWhatsApp">, raw: unknown): Promise<SmsConsentOutcome> {
  const payload = smsConsentPayloadSchema.parse(raw);
  const state = payload.sms_marketing_consent?.state?.toLowerCase();
  if (!state) return { ignored: "the update carries no SMS consent state" };
  // When Shopify says the consent changed. Without it (or with a time over a day ahead of ours) the change is dated on
  // arrival, and as its place among Shopify's other changes is unknown, it grants nothing over a withdrawal.
  const said = shopifyTime(payload.sms_marketing_consent?.consent_updated_at);
  const dated = said !== undefined;
  const at = said ?? new Date();
  const phone = payload.phone ? normalisePhone(payload.phone, (shop.country ?? undefined) as CountryCode | undefined) : null;
  const contacts = await db.contact.findMany({
    where: { shopId: shop.id, OR: [{ shopifyCustomerId: payload.id }, ...(phone ? [{ phoneE164: { in: whatsappSpellings(phone.e164) } }] : [])] },
    orderBy: { createdAt: "asc" },
  });
  if (state === "subscribed") {
    if (!shop.smsConsentCountsForWhatsApp) return { ignored: "the shop does not count SMS consent for WhatsApp marketing" };
    if (!phone) return { ignored: "the customer has no phone that reads as a number" };
    // Consent counts for the number it was given for, not for another number the customer had.
    const spellings = whatsappSpellings(phone.e164);
    const forThisNumber = contacts.filter((c) => c.phoneE164 !== null && spellings.includes(c.phoneE164));
    if (!forThisNumber.length) {
      // Consent given at checkout may come before the order: the customer is recorded now, the order finds them by phone.
      forThisNumber.push(await recordCustomer(db, shop.id, payload.id, phone));
    }
    // A consent or an opt-out recorded after this change, or at the same moment, stands (Shopify's withdrawals
    // included: its webhooks come in any order); an opt-out made anywhere but Shopify's SMS is the customer's word elsewhere.
    const withdrawnLater = new Set(
      (
        await db.consentRecord.findMany({
          where: { contactId: { in: forThisNumber.map((c) => c.id) }, source: SHOPIFY_SMS, granted: false, ...(dated ? { recordedAt: { gte: at } } : {}) },
          select: { contactId: true },
        })
      ).map((r) => r.contactId),
    );
    const open = forThisNumber.filter(
      (c) => !c.marketingConsent && !withdrawnLater.has(c.id) && (!c.marketingOptedOutAt || (c.marketingOptOutSource === SHOPIFY_SMS && dated && c.marketingOptedOutAt < at)),
    );
    for (const contact of open) await optInToMarketing(db, contact.id, SHOPIFY_SMS, at, {}, "marketingOnly");
    return "PROCESSED";
  }
  if (SMS_WITHDRAWN.has(state)) {
    // Only a consent that came from Shopify's SMS ends here, and not one given again after this change.
    const given = contacts.filter((c) => c.marketingConsent && c.marketingConsentSource === SHOPIFY_SMS && (!c.marketingConsentAt || c.marketingConsentAt <= at));
    for (const contact of given) await optOutOfMarketing(db, shop.id, contact.id, SHOPIFY_SMS, at);
    if (state === "unsubscribed" && shop.smsConsentCountsForWhatsApp && phone) await keepWithdrawal(db, shop.id, payload.id, phone, contacts, given, at);
    return "PROCESSED";
  }
  return { ignored: `SMS consent state ${state} changes nothing here` };
}

/**
 * A withdrawal that ended no consent here is still kept, with the number it was for: Shopify may deliver the
 * "subscribed" it follows after it, and that older grant must find it. A customer not known yet is recorded (as a
 * grant records them), so the withdrawal has someone to be kept with.
 */
async function keepWithdrawal(
  db: Db,
  shopId: string,
  shopifyCustomerId: string,
  phone: NonNullable<ReturnType<typeof normalisePhone>>,
  contacts: Contact[],
  ended: Contact[],
  at: Date,
): Promise<void> {
  const spellings = whatsappSpellings(phone.e164);
  const forThisNumber = contacts.filter((c) => c.phoneE164 !== null && spellings.includes(c.phoneE164));
  if (!forThisNumber.length) {
    forThisNumber.push(await recordCustomer(db, shopId, shopifyCustomerId, phone));
  }
  for (const contact of forThisNumber) {
    // Ended just now (recorded by the opt-out), or consented elsewhere (an older SMS grant changes nothing there).
    if (ended.includes(contact) || contact.marketingConsent) continue;
    await keepShopifyWithdrawal(db, shopId, contact.id, at);
  }
}

/** Shopify's SMS withdrawal of `at`, kept for a contact whose consent it did not end. The same one delivered again is one record. */
export async function keepShopifyWithdrawal(db: Tx, shopId: string, contactId: string, at: Date): Promise<void> {
  const record = { shopId, contactId, category: "MARKETING", granted: false, source: SHOPIFY_SMS, recordedAt: at };
  if (!(await db.consentRecord.findFirst({ where: record, select: { id: true } }))) await db.consentRecord.create({ data: record });
}

/** A customer first known from their consent. An upsert: the order naming them may record them at the same moment. */
function recordCustomer(db: Db, shopId: string, shopifyCustomerId: string, phone: NonNullable<ReturnType<typeof normalisePhone>>): Promise<Contact> {
  return db.contact.upsert({
    where: { shopId_phoneE164: { shopId, phoneE164: phone.e164 } },
    create: { shopId, phoneE164: phone.e164, waId: phone.e164.slice(1), countryCode: phone.country ?? null, market: phone.market, shopifyCustomerId },
    update: {},
  });
}
