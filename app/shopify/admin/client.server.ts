// The Admin API outside a request (jobs, the worker, backfills): graphql-request
// against the shop's endpoint (endpoint.server.ts) with its offline token. The
// Shopify library loads that token and refreshes it when it has expired
// (`unauthenticated.admin`); a token still refused after that marks the shop as
// needing re-authorization, and background calls for it stop until someone
// opens the app again (routes/app.tsx then has the library exchange a new
// offline token, and afterAuth clears the mark).
import { SessionNotFoundError } from "@shopify/shopify-app-remix/server";

import type { AppConfig } from "../../core/config.server";
import type { Db } from "../../core/db.server";
import { log } from "../../core/log.server";
import { markAdminAuthLost } from "../shops.server";
import { adminGraphqlUrl } from "./endpoint.server";
import { AdminAuthError, type AdminGraphql, adminGraphql, AdminHttpError, type AdminTransport, requestTransport } from "./graphql.server";

/**
 * The Admin API for a shop, outside a request. Refuses at once (AdminAuthError)
 * for a shop already known to need re-authorization or with no offline session.
 */
export async function backgroundAdmin(db: Db, config: Pick<AppConfig, "SHOPIFY_ADMIN_URL">, shop: string): Promise<AdminGraphql> {
  const row = await db.shop.findUnique({ where: { domain: shop }, select: { adminAuthLostAt: true, uninstalledAt: true } });
  if (!row || row.adminAuthLostAt || row.uninstalledAt) throw new AdminAuthError(shop);
  const url = adminGraphqlUrl(config, shop);
  let transport = requestTransport(url, await offlineToken(db, shop));
  // Offline tokens expire (about an hour): a 401 first reloads the token, which the library refreshes, and tries once more.
  const retryingTransport: AdminTransport = async (query, variables) => {
    try {
      return await transport(query, variables);
    } catch (error) {
      if (!(error instanceof AdminHttpError) || error.status !== 401) throw error;
      transport = requestTransport(url, await offlineToken(db, shop));
      return transport(query, variables);
    }
  };
  return adminGraphql(retryingTransport, { shop, onAuthLost: (domain) => markAdminAuthLost(db, domain) });
}

/** The shop's offline token, refreshed by the Shopify library when it has expired. */
async function offlineToken(db: Db, shop: string): Promise<string> {
  let accessToken: string | undefined;
  try {
    // Loaded on first use: shopify.server builds the Shopify app from the process's configuration when imported.
    const { unauthenticated } = await import("../shopify.server");
    accessToken = (await unauthenticated.admin(shop)).session.accessToken;
  } catch (error) {
    // No offline session at all: only installing again gives one. Anything else (Shopify away while refreshing) is retried later.
    if (!(error instanceof SessionNotFoundError)) throw error;
  }
  if (!accessToken) {
    log.warn({ shop }, "No offline session for a shop's background Admin API calls; they stop until the app is opened again");
    await markAdminAuthLost(db, shop);
    throw new AdminAuthError(shop);
  }
  return accessToken;
}
