// The preamble of every admin request: who is asking (authenticate.admin), for
// which shop (its row, created if the install hook has not run), in which
// language. Routes read the shop from here, never from their input.
import { db } from "../core/db.server";
import { localeFor } from "../i18n/locale.server";
import { ensureShop } from "./shops.server";
import { authenticate, authenticateRestoringOfflineAccess } from "./shopify.server";

/** The authenticated admin request's context, its shop and the staff member's language. */
export async function requireShop(request: Request, options: { restoringOfflineAccess?: boolean } = {}) {
  const context = await (options.restoringOfflineAccess ? authenticateRestoringOfflineAccess(request) : authenticate.admin(request));
  const shop = await ensureShop(db(), context.session.shop);
  return { ...context, shop, locale: localeFor(request, context.session, shop) };
}
