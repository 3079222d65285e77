// The thank-you page opt-in (extensions/thank-you-optin): under a new order the
// customer ticks "Send me offers on WhatsApp". The checkout's session token
// names the shop; the order must be that shop's (read from the Admin API when
// its webhook has not come yet), and its phone is the one that opts in. The
// consent is recorded with the exact words shown, the language and the order.
import { z } from "zod";

import type { AppConfig } from "./config.server";
import { optInToMarketing } from "./consent.server";
import type { Db } from "./db.server";
import { findShop } from "./shops.server";
import { knownOrFetchedOrder } from "./shopify-admin/sync.server";

export const thankYouOptInSchema = z.object({
  // OrderConfirmation's order id: gid://shopify/Order/<id> (OrderIdentity in some API versions; the same number).
  orderId: z.string().regex(/^gid:\/\/shopify\/Order(?:Identity)?\/\d+$/, "orderId: not an order id from the thank-you page"),
  text: z.string().trim().min(1, "text: the words shown to the customer are required").max(500, "text: longer than 500 characters"),
  locale: z.string().max(35).optional(),
});

export type ThankYouOptIn = z.infer<typeof thankYouOptInSchema>;

/** What the customer is told: opted in; the order has no phone to opt in; the order is not this shop's; WhatsApp settings keep them out. */
export type ThankYouOptInResult = "OPTED_IN" | "NO_PHONE" | "UNKNOWN_ORDER" | "STOPPED_IN_WHATSAPP";

export const THANK_YOU_PAGE = "thank_you_page";

/** The shop a checkout session token names: its `dest`, a bare domain or a URL. */
export function shopOfCheckoutToken(dest: string): string {
  return dest.replace(/^https?:\/\//, "").replace(/\/.*$/, "");
}

export async function recordThankYouOptIn(
  deps: { db: Db; config: Pick<AppConfig, "SHOPIFY_ADMIN_URL"> },
  shopDomain: string,
  input: ThankYouOptIn,
  at = new Date(),
): Promise<ThankYouOptInResult> {
  const shop = await findShop(deps.db, shopDomain);
  if (!shop || shop.uninstalledAt) return "UNKNOWN_ORDER";
  const order = await knownOrFetchedOrder(deps, shop, input.orderId.replace(/^.*\//, ""));
  if (!order) return "UNKNOWN_ORDER";
  if (!order.contactId) return "NO_PHONE";
  const granted = await optInToMarketing(deps.db, order.contactId, THANK_YOU_PAGE, at, { text: input.text, locale: input.locale, orderId: order.id });
  return granted ? "OPTED_IN" : "STOPPED_IN_WHATSAPP";
}
