// Contacts: the people a shop talks to on WhatsApp, keyed by E.164 phone and,
// from 2026, by Meta's business-scoped user id (numbers can be absent).
import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js";

import type { Db } from "./db.server";
import { marketForE164 } from "./pricing/markets";

export interface NormalisedPhone {
  e164: string;
  country: CountryCode | undefined;
  market: string;
}

/** E.164 and pricing market of a phone, read with the address country as a hint. */
export function normalisePhone(raw: string, defaultCountry?: CountryCode): NormalisedPhone | null {
  const digitsOnly = /^\d{8,15}$/.test(raw) ? `+${raw}` : raw;
  const parsed = parsePhoneNumberFromString(digitsOnly, defaultCountry);
  if (!parsed?.isValid()) return null;
  const country = parsed.country;
  return { e164: parsed.number, country, market: marketForE164(parsed.number) };
}

/** Finds or creates the contact for a WhatsApp user seen in a webhook. */
export async function contactForWhatsAppUser(db: Db, shopId: string, user: { waId?: string; bsuid?: string; name?: string }) {
  const phone = user.waId ? normalisePhone(user.waId) : null;
  const existing = await db.contact.findFirst({
    where: { shopId, OR: [...(user.bsuid ? [{ bsuid: user.bsuid }] : []), ...(phone ? [{ phoneE164: phone.e164 }] : []), ...(user.waId ? [{ waId: user.waId }] : [])] },
  });
  const data = {
    ...(user.waId ? { waId: user.waId } : {}),
    ...(user.bsuid ? { bsuid: user.bsuid } : {}),
    ...(user.name && !existing?.name ? { name: user.name } : {}),
    ...(phone && !existing?.phoneE164 ? { phoneE164: phone.e164, countryCode: phone.country ?? null, market: phone.market } : {}),
  };
  if (existing) return Object.keys(data).length ? db.contact.update({ where: { id: existing.id }, data }) : existing;
  return db.contact.create({ data: { shopId, ...data } });
}
