// Contacts: the people a shop talks to on WhatsApp, keyed by E.164 phone and,
// from 2026, by Meta's business-scoped user id (numbers can be absent).
import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js";
import { z } from "zod";

import { refreshSearchText } from "./inbox-list.server";
import type { Db } from "../core/db.server";
import { marketForE164 } from "../pricing/markets";

export interface NormalisedPhone {
  e164: string;
  country: CountryCode | undefined;
  market: string;
}

/**
 * E.164 and pricing market of a phone as people type it: international
 * ("+55 11 98765-4321", "0055…"), national ("(11) 98765-0001" in Brazil,
 * "55 1234 0002" in Mexico), read in `defaultCountry` (the address's, else the
 * shop's), or bare digits with the country code (WhatsApp ids). Mobile prefixes
 * (Mexico's 1, Argentina's 9) are libphonenumber-js's to handle; Brazil's ninth digit is added where missing.
 */
export function normalisePhone(raw: string, defaultCountry?: CountryCode): NormalisedPhone | null {
  const text = raw.trim();
  const digits = text.replace(/\D/g, "");
  const international = text.startsWith("+") ? text : text.startsWith("00") ? `+${digits.slice(2)}` : null;
  const readings = international ? [international] : [...(defaultCountry ? [text] : []), ...(/^\d{8,15}$/.test(digits) ? [`+${digits}`] : [])];
  const parsed = readings.map((reading) => readPhone(reading, defaultCountry)).find((reading) => reading?.isValid());
  if (!parsed) return null;
  const e164 = brazilianMobile(parsed.number);
  return { e164, country: parsed.country, market: marketForE164(e164) };
}

/**
 * A Brazilian mobile written with 8 digits (as WhatsApp ids of accounts older than the ninth digit still are) in
 * today's 9-digit form, so every spelling of the number is one contact, one recipient and one opt-out. Landlines
 * (2–5) keep 8 digits.
 */
function brazilianMobile(e164: string): string {
  const old = /^\+55([1-9]{2})([6-9]\d{7})$/.exec(e164);
  return old ? `+55${old[1]}9${old[2]}` : e164;
}

/**
 * One reading of a phone. WhatsApp ids of Mexican mobiles keep the "1" Mexico
 * dropped in 2019 (521 55 1234 0002), which libphonenumber-js reads as invalid:
 * without it, it is the same number.
 */
function readPhone(text: string, defaultCountry?: CountryCode) {
  const parsed = parsePhoneNumberFromString(text, defaultCountry);
  if (parsed?.isValid() || parsed?.countryCallingCode !== "52" || !parsed.nationalNumber.startsWith("1")) return parsed;
  return parsePhoneNumberFromString(`+52${parsed.nationalNumber.slice(1)}`);
}

/**
 * The E.164 spellings of one WhatsApp account, `e164`'s own first. Brazil's mobiles took a ninth digit (a 9 before
 * the 8 digits) in 2012–2016, and WhatsApp ids of accounts made before keep the 8-digit form: +55 11 9 8765-4321 on an
 * order is WhatsApp user 551187654321. Argentina's mobiles are +54 9 … in E.164 and often typed without the 9.
 */
export function whatsappSpellings(e164: string): string[] {
  const brazil = /^\+55([1-9]{2})(\d+)$/.exec(e164);
  if (brazil) {
    const [, area, subscriber] = brazil as unknown as [string, string, string];
    if (subscriber.length === 8 && /^[6-9]/.test(subscriber)) return [e164, `+55${area}9${subscriber}`];
    if (subscriber.length === 9 && /^9[6-9]/.test(subscriber)) return [e164, `+55${area}${subscriber.slice(1)}`];
    return [e164];
  }
  const argentina = /^\+54(9?)(\d{10})$/.exec(e164);
  if (argentina) return [e164, `+54${argentina[1] ? "" : "9"}${argentina[2]}`];
  return [e164];
}

/** The shop's contact for a WhatsApp user (by user id, number in any spelling, or WhatsApp id), or null. */
async function knownWhatsAppUser(db: Db, shopId: string, user: { waId?: string; bsuid?: string }) {
  const phone = user.waId ? normalisePhone(user.waId) : null;
  const ids = [...(user.bsuid ? [{ bsuid: user.bsuid }] : []), ...(phone ? [{ phoneE164: { in: whatsappSpellings(phone.e164) } }] : []), ...(user.waId ? [{ waId: user.waId }] : [])];
  if (!ids.length) return { phone, existing: null };
  const found = await db.contact.findMany({ where: { shopId, OR: ids }, orderBy: { createdAt: "asc" }, take: 4 });
  // The contact that is exactly this user first (their id, their number as WhatsApp spells it), then the other spelling's.
  const existing = found.find((c) => (user.bsuid && c.bsuid === user.bsuid) || (user.waId && c.waId === user.waId) || (phone && c.phoneE164 === phone.e164)) ?? found[0] ?? null;
  return { phone, existing };
}

/** Finds or creates the contact for a WhatsApp user seen in a webhook. */
export async function contactForWhatsAppUser(db: Db, shopId: string, user: { waId?: string; bsuid?: string; name?: string }) {
  const { phone, existing } = await knownWhatsAppUser(db, shopId, user);
  const data = {
    ...(user.waId ? { waId: user.waId } : {}),
    ...(user.bsuid ? { bsuid: user.bsuid } : {}),
    ...(user.name && !existing?.name ? { name: user.name } : {}),
    ...(phone && !existing?.phoneE164 ? { phoneE164: phone.e164, countryCode: phone.country ?? null, market: phone.market } : {}),
  };
  if (existing) {
    if (!Object.keys(data).length) return existing;
    const updated = await db.contact.update({ where: { id: existing.id }, data });
    // A name or phone it did not have: the inbox finds the customer by it.
    if ("name" in data || "phoneE164" in data) await refreshSearchText(db, existing.id);
    return updated;
  }
  return db.contact.create({ data: { shopId, ...data } });
}

/** A system message: the customer changed their number (`from` the old one, `wa_id` the new) or their business-scoped user id. */
export const identityChangeSchema = z.object({ type: z.string(), wa_id: z.string().optional(), user_id: z.string().optional(), previous_user_id: z.string().optional() }).passthrough();

/**
 * Moves a customer to their new WhatsApp identity: the contact keeps its orders, thread and consent under the new
 * number or user id. Not when another contact of the shop already has the new one (then both stay as they are).
 * Returns the contact, or null when none is known.
 */
export async function applyIdentityChange(db: Db, shopId: string, from: string | undefined, raw: unknown) {
  const change = identityChangeSchema.safeParse(raw);
  if (!change.success) return null;
  const { wa_id: newWaId, user_id: newUserId, previous_user_id: previousUserId } = change.data;
  // Only a customer the shop knows moves; a notice handled again finds them under the new identity already.
  const contact =
    (await knownWhatsAppUser(db, shopId, { waId: from, bsuid: previousUserId })).existing ??
    (await knownWhatsAppUser(db, shopId, { waId: change.data.type === "user_changed_number" ? newWaId : undefined, bsuid: newUserId })).existing;
  if (!contact) return null;
  const phone = change.data.type === "user_changed_number" && newWaId ? normalisePhone(newWaId) : null;
  const data = {
    ...(phone ? { phoneE164: phone.e164, waId: newWaId, countryCode: phone.country ?? null, market: phone.market } : {}),
    ...(newUserId ? { bsuid: newUserId } : {}),
  };
  if (!Object.keys(data).length) return contact;
  const taken = await db.contact.findFirst({
    where: { shopId, id: { not: contact.id }, OR: [...(phone ? [{ phoneE164: { in: whatsappSpellings(phone.e164) } }, { waId: newWaId }] : []), ...(newUserId ? [{ bsuid: newUserId }] : [])] },
    select: { id: true },
  });
  if (taken) return contact;
  const moved = await db.contact.update({ where: { id: contact.id }, data });
  if (phone) await refreshSearchText(db, contact.id);
  return moved;
}
