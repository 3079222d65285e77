// Background reads from the Admin API (the worker and webhook handlers): shop
// facts on `shop/update` and once a day for every installed shop, and orders
// that webhooks mention before the app has seen them.
import type { AppConfig } from "../../core/config.server";
import { log } from "../../core/log.server";
import { backgroundAdmin } from "./client.server";
import { AdminAuthError } from "./graphql.server";
import { COD_TAGS, type CodStatus } from "../../messaging/cod.server";
import { recordOrder, type BuyerShop, type OrderPayload } from "../orders.server";
import { addOrderTag, cancelOrder } from "./order-writes.server";
import { fetchOrder } from "./orders.server";
import { shopsDueForFacts, syncShopFacts } from "./shop-facts.server";
import type { AppDeps } from "../../core/deps";
import { resolveLocale, translator } from "../../i18n";

type Deps = Pick<AppDeps, "db"> & { config: Pick<AppConfig, "SHOPIFY_ADMIN_URL"> };

/** Reads the shop's facts again; false when Shopify no longer accepts the shop's token. */
export async function refreshShopFacts(deps: Deps, domain: string): Promise<boolean> {
  try {
    await syncShopFacts(deps.db, domain, await backgroundAdmin(deps.db, deps.config, domain));
    return true;
  } catch (error) {
    if (error instanceof AdminAuthError) return false;
    throw error;
  }
}

/** The daily refresh: every shop whose facts are a day old. One shop failing does not stop the others. */
export async function refreshDueShopFacts(deps: Deps, now = new Date()): Promise<number> {
  let done = 0;
  for (const domain of await shopsDueForFacts(deps.db, now)) {
    try {
      if (await refreshShopFacts(deps, domain)) done++;
    } catch (error) {
      log.warn({ shop: domain, err: error }, "Could not read a shop's facts from Shopify; trying again at the next refresh");
    }
  }
  return done;
}

/**
 * An order a webhook names that the app has not recorded (its orders/create is
 * late or was lost), as Shopify has it now; null when Shopify has no such order
 * or no longer accepts the shop's token.
 */
async function fetchUnseenOrder(deps: Deps, domain: string, shopifyOrderId: string | number): Promise<OrderPayload | null> {
  try {
    return await fetchOrder(await backgroundAdmin(deps.db, deps.config, domain), shopifyOrderId);
  } catch (error) {
    if (error instanceof AdminAuthError) return null;
    throw error;
  }
}

/**
 * An order the app has, or else reads from the Admin API and records (its
 * webhook is late or lost): for a fulfillment that comes first, or a
 * thank-you page opt-in given before orders/create arrives. No confirmation
 * goes for it here: a late orders/create still sends one. Null when Shopify
 * has no such order for this shop, or when the order read fails `accept` (a
 * caller's proof that it may name this order): then nothing is recorded.
 */
export async function knownOrFetchedOrder(deps: Deps, shop: BuyerShop & { domain: string }, shopifyOrderId: string | number, accept: (order: OrderPayload) => boolean = () => true) {
  const where = { shopId_shopifyOrderId: { shopId: shop.id, shopifyOrderId: String(shopifyOrderId) } };
  const known = await deps.db.order.findUnique({ where, include: { contact: true } });
  if (known) return known;
  const fetched = await fetchUnseenOrder(deps, shop.domain, shopifyOrderId);
  if (!fetched || !accept(fetched)) return null;
  await recordOrder(deps.db, shop, fetched);
  return deps.db.order.findUnique({ where, include: { contact: true } });
}

/** A COD confirmation's outcome, written to the order in Shopify: its tag, and the cancellation when the shop wants it. */
export async function writeCodOutcome(
  deps: Deps,
  shop: { domain: string; codCancelOrders: boolean; locale: string | null },
  order: { shopifyOrderId: string; cancelledAt: Date | null },
  status: Exclude<CodStatus, "ASKED">,
): Promise<void> {
  const graphql = await backgroundAdmin(deps.db, deps.config, shop.domain);
  await addOrderTag(graphql, order.shopifyOrderId, COD_TAGS[status]);
  if (status === "CANCELLED" && shop.codCancelOrders && !order.cancelledAt) {
    // The note shows in the order's timeline in the admin: in the store's language (no staff member is acting here).
    await cancelOrder(graphql, order.shopifyOrderId, translator(resolveLocale(shop.locale))("cod.cancelStaffNote"));
  }
}
