// The Shopify app, built once: authentication for admin pages and webhooks,
// session storage, and the API version. Everything else imports from here.
import "@shopify/shopify-app-remix/adapters/node";
import { AppDistribution, shopifyApp } from "@shopify/shopify-app-remix/server";

import { config } from "../core/config.server";
import { db } from "../core/db.server";
import { log } from "../core/log.server";
import { EncryptedSessionStorage } from "./sessions.server";
import { ADMIN_API_VERSION, routeShopifyLibrary } from "./admin/endpoint.server";
import { adminGraphql, remixTransport } from "./admin/graphql.server";
import { syncShopFacts } from "./admin/shop-facts.server";
import { recordInstall } from "./shops.server";

export const SHOPIFY_API_VERSION = ADMIN_API_VERSION;

const settings = config();
routeShopifyLibrary(settings);

const shopify = shopifyApp({
  apiKey: settings.SHOPIFY_API_KEY,
  apiSecretKey: settings.SHOPIFY_API_SECRET,
  apiVersion: SHOPIFY_API_VERSION,
  scopes: settings.scopes,
  appUrl: settings.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  sessionStorage: new EncryptedSessionStorage(db, settings.encryptionKey),
  distribution: AppDistribution.AppStore,
  // Online tokens name the staff member behind each admin request (staff.server.ts); the offline token,
  // exchanged with them, stays the one background work uses (admin/client.server.ts).
  useOnlineTokens: true,
  future: { unstable_newEmbeddedAuthStrategy: true, expiringOfflineAccessTokens: true },
  hooks: {
    afterAuth: async ({ session, admin }) => {
      await recordInstall(db(), session.shop);
      // Timezone, currency and locale come from Shopify; if it fails now, the worker's daily refresh reads them.
      await syncShopFacts(db(), session.shop, adminGraphql(remixTransport(admin), { shop: session.shop })).catch((error: unknown) =>
        log.warn({ shop: session.shop, err: error }, "Could not read the shop's facts on install"),
      );
    },
  },
  ...(settings.SHOP_CUSTOM_DOMAIN ? { customShopDomains: [settings.SHOP_CUSTOM_DOMAIN] } : {}),
});

export default shopify;
export const apiVersion = SHOPIFY_API_VERSION;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const sessionStorage = shopify.sessionStorage;

/**
 * authenticate.admin for the app's frame. A request's online token says nothing
 * about the offline token background work uses: when Shopify refused that one
 * (Shop.adminAuthLostAt), this person's online session is dropped, so the
 * library exchanges the session token for both again and afterAuth
 * (recordInstall) clears the mark.
 */
export async function authenticateRestoringOfflineAccess(request: Request) {
  const context = await authenticate.admin(request);
  const shop = await db().shop.findUnique({ where: { domain: context.session.shop }, select: { adminAuthLostAt: true } });
  if (!shop?.adminAuthLostAt) return context;
  await sessionStorage.deleteSession(context.session.id);
  return authenticate.admin(request);
}
