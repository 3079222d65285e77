// Where a shop's Admin API answers: its own https://{shop}/admin/… in
// production, SHOPIFY_ADMIN_URL (the sandbox's Shopify simulator) when set. The
// one place that decides it, for graphql-request outside a request and for the
// Shopify library inside one (token exchange, token refresh, admin.graphql).
import { ApiVersion } from "@shopify/shopify-api";
import { abstractFetch, setAbstractFetchFunc } from "@shopify/shopify-api/runtime";

import type { AppConfig } from "../../core/config.server";

type Routing = Pick<AppConfig, "SHOPIFY_ADMIN_URL">;

/** The Admin API version every call uses (codegen types the operations against this version's schema). */
export const ADMIN_API_VERSION = ApiVersion.October26;

export function adminOrigin(config: Routing, shop: string): string {
  return config.SHOPIFY_ADMIN_URL ? config.SHOPIFY_ADMIN_URL.replace(/\/+$/, "") : `https://${shop}`;
}

export function adminGraphqlUrl(config: Routing, shop: string): string {
  return `${adminOrigin(config, shop)}/admin/api/${ADMIN_API_VERSION}/graphql.json`;
}

const SHOP_ADMIN = /^https:\/\/([a-z0-9][a-z0-9-]*\.myshopify\.com)(\/admin\/.*)$/i;
const routed = globalThis as unknown as { zapShopifyFetchRouted?: boolean };

/**
 * With SHOPIFY_ADMIN_URL set, the Shopify library's own calls to
 * https://{shop}/admin/… go there instead. Call once, after the library's
 * runtime adapter is loaded.
 */
export function routeShopifyLibrary(config: Routing): void {
  if (!config.SHOPIFY_ADMIN_URL || routed.zapShopifyFetchRouted) return;
  routed.zapShopifyFetchRouted = true;
  const fetchThrough = abstractFetch;
  setAbstractFetchFunc((input, init) => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const match = SHOP_ADMIN.exec(url);
    if (!match) return fetchThrough(input, init);
    const target = `${adminOrigin(config, match[1]!)}${match[2]}`;
    return fetchThrough(typeof input === "string" || input instanceof URL ? target : new Request(target, input), init);
  });
}
