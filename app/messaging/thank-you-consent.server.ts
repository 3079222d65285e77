// The thank-you page opt-in (extensions/thank-you-optin): under a new order the
// customer ticks "Send me offers on WhatsApp". The checkout's session token
// names the shop, but not the order (a guest's token names no customer), so
// the block sends the order id with its confirmation number, which only the
// buyer sees; both must match the shop's order (read from the Admin API when
// its webhook has not come yet). The order's phone is the one that opts in,
// recorded with the exact words shown (one of the block's own labels), the
// language and the order.
import { z } from "zod";

import en from "../../extensions/thank-you-optin/locales/en.default.json";
import es from "../../extensions/thank-you-optin/locales/es.json";
import ptBR from "../../extensions/thank-you-optin/locales/pt-BR.json";
import type { AppConfig } from "../core/config.server";
import { optInToMarketing } from "./consent.server";
import type { Db } from "../core/db.server";
import { findShop } from "../shopify/shops.server";
import { knownOrFetchedOrder } from "../shopify/admin/sync.server";

/** The words the block shows, in each of its languages: the only texts an opt-in may record. */
const LABELS = new Set([en.label, es.label, ptBR.label]);

export const thankYouOptInSchema = z.object({
  // OrderConfirmation's order id: gid://shopify/Order/<id> (OrderIdentity in some API versions; the same number).
  orderId: z.string().regex(/^gid:\/\/shopify\/Order(?:Identity)?\/\d+$/, "orderId: not an order id from the thank-you page"),
  confirmationNumber: z.string().regex(/^[A-Za-z0-9]{4,32}$/, "confirmationNumber: not an order confirmation number"),
  text: z.string().refine((text) => LABELS.has(text), "text: not the opt-in label the block shows"),
  locale: z.string().max(35).optional(),
});

export type ThankYouOptIn = z.infer<typeof thankYouOptInSchema>;

/**
 * What the customer is told: opted in; the order has no phone to opt in; an
 * opt-out made in WhatsApp's own settings stands. Every other failure (no such
 * shop or order, a confirmation number that does not match) is UNKNOWN_ORDER,
 * so an answer reveals nothing about orders the caller did not place.
 */
export type ThankYouOptInResult = "OPTED_IN" | "NO_PHONE" | "UNKNOWN_ORDER" | "STOPPED_IN_WHATSAPP";

export const THANK_YOU_PAGE = "thank_you_page";

/** The shop a checkout session token names: its `dest`, a bare domain or a URL. */
export function shopOfCheckoutToken(dest: string): string {
  return dest.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
}

export async function recordThankYouOptIn(deps: { db: Db; config: Pick<AppConfig, "SHOPIFY_ADMIN_URL"> }, shopDomain: string, input: ThankYouOptIn, at = new Date()): Promise<ThankYouOptInResult> {
  const shop = await findShop(deps.db, shopDomain);
  if (!shop || shop.uninstalledAt) return "UNKNOWN_ORDER";
  const confirms = (number: string | null | undefined) => !!number && number.toUpperCase() === input.confirmationNumber.toUpperCase();
  // An order read from Shopify is recorded only once its confirmation number matches: a guess records nothing.
  const order = await knownOrFetchedOrder(deps, shop, input.orderId.replace(/^.*\//, ""), (fetched) => confirms(fetched.confirmation_number));
  if (!order || !confirms(order.confirmationNumber)) return "UNKNOWN_ORDER";
  if (!order.contact) return "NO_PHONE";
  // Ticked again (a reload of the thank-you page): the consent is already on record.
  const recorded = await deps.db.consentRecord.findFirst({ where: { shopId: shop.id, contactId: order.contact.id, source: THANK_YOU_PAGE, orderId: order.id, granted: true } });
  if (recorded && order.contact.marketingConsent) return "OPTED_IN";
  const granted = await optInToMarketing(deps.db, order.contact.id, THANK_YOU_PAGE, at, { text: input.text, locale: input.locale, orderId: order.id });
  return granted ? "OPTED_IN" : "STOPPED_IN_WHATSAPP";
}
