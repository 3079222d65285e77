// Who may receive what. Utility messages (order updates) go to customers who
// gave a phone at checkout, unless the shop asks for explicit opt-in;
// marketing needs recorded marketing consent, no opt-out, and a market not on
// the shop's block list (US by default: Meta stopped delivering marketing
// templates to US numbers in 2025). Inbound keywords opt a contact out at once.
import { z } from "zod";

import type { Db } from "./db.server";
import type { Contact, Shop } from "./generated/prisma/client";

/** The utility consent a phone typed at checkout gives: order updates, but not an explicit opt-in. */
export const CHECKOUT_PHONE = "shopify_checkout_phone";

export type ConsentDecision = { allowed: true } | { allowed: false; reason: string };

const stringList = z.array(z.string());

export function blockedCountries(shop: Pick<Shop, "marketingBlockedCountries">): string[] {
  return stringList.catch([]).parse(shop.marketingBlockedCountries).map((c) => c.toUpperCase());
}

export function optOutKeywords(shop: Pick<Shop, "optOutKeywords">): string[] {
  return stringList.catch([]).parse(shop.optOutKeywords).map((k) => k.trim().toUpperCase()).filter(Boolean);
}

export function consentFor(
  category: string,
  shop: Pick<Shop, "requireUtilityOptIn" | "marketingBlockedCountries">,
  contact: Pick<Contact, "utilityConsent" | "utilityConsentSource" | "marketingConsent" | "marketingOptedOutAt" | "countryCode">,
): ConsentDecision {
  if (category === "MARKETING") {
    if (contact.marketingOptedOutAt) return { allowed: false, reason: "The customer opted out of marketing messages" };
    if (!contact.marketingConsent) return { allowed: false, reason: "No marketing consent recorded for this customer" };
    if (contact.countryCode && blockedCountries(shop).includes(contact.countryCode.toUpperCase())) {
      return { allowed: false, reason: `Marketing to ${contact.countryCode} numbers is blocked for this shop` };
    }
    return { allowed: true };
  }
  // A phone given at checkout allows order updates, unless the shop asks for an explicit opt-in: then it does not count.
  const explicit = contact.utilityConsent && contact.utilityConsentSource !== CHECKOUT_PHONE;
  if (shop.requireUtilityOptIn && !explicit) return { allowed: false, reason: "The shop requires explicit opt-in and this customer has not opted in" };
  return { allowed: true };
}

/** "STOP", "baja", " Parar! " all count; the whole message must be the keyword. */
export function isOptOutMessage(text: string | null | undefined, keywords: string[]): boolean {
  if (!text) return false;
  const word = text.trim().replace(/[!.¡]+$/g, "").replace(/^[¡]+/, "").toUpperCase();
  return keywords.includes(word);
}

/** Applies an inbound opt-out: no more marketing, and anything queued is cancelled. */
export async function optOutOfMarketing(db: Db, shopId: string, contactId: string, source: string) {
  await db.contact.update({
    where: { id: contactId },
    data: { marketingConsent: false, marketingOptedOutAt: new Date(), marketingOptOutSource: source },
  });
  await db.message.updateMany({
    where: { shopId, contactId, status: { in: ["SCHEDULED", "QUEUED"] }, template: { category: "MARKETING" } },
    data: { status: "CANCELLED", skipReason: "The customer opted out of marketing messages" },
  });
}
