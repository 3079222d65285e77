// Shops: install, uninstall and the defaults a new shop starts with.
import { type Db, eraseFromLog } from "../core/db.server";
import { cancelled } from "../core/domain";
import { reason } from "../core/reasons";

export const DEFAULT_MARKETING_BLOCKED_COUNTRIES = ["US"];
export const DEFAULT_OPT_OUT_KEYWORDS = ["STOP", "BAJA", "PARAR", "SAIR"];

/** Creates the shop on first install, or marks it installed again. */
export async function recordInstall(db: Db, domain: string, details: { name?: string; timezone?: string; currency?: string; locale?: string } = {}) {
  await restartFailedBackfill(db, domain);
  return db.shop.upsert({
    where: { domain },
    create: {
      domain,
      ...details,
      marketingBlockedCountries: DEFAULT_MARKETING_BLOCKED_COUNTRIES,
      optOutKeywords: DEFAULT_OPT_OUT_KEYWORDS,
    },
    // Installed (again) through OAuth or token exchange: Shopify accepts the new token.
    update: { uninstalledAt: null, adminAuthLostAt: null, ...details },
  });
}

/** Shopify refused the shop's offline token: background Admin API calls stop until it is installed again. */
export async function markAdminAuthLost(db: Db, domain: string, at = new Date()) {
  await db.shop.updateMany({ where: { domain, adminAuthLostAt: null }, data: { adminAuthLostAt: at } });
}

async function restartFailedBackfill(db: Db, domain: string) {
  await db.backfill.updateMany({ where: { shop: { domain }, status: "FAILED" }, data: { status: "PENDING", error: null, attempts: 0, lockedUntil: null, lockedBy: null } });
}

export async function findShop(db: Db, domain: string) {
  return db.shop.findUnique({ where: { domain } });
}

/** The shop row for an authenticated session, created if the install hook has not run. */
export async function ensureShop(db: Db, domain: string) {
  return (await findShop(db, domain)) ?? recordInstall(db, domain);
}

/**
 * `app/uninstalled`: forget the Shopify sessions and stop sending (the WhatsApp
 * side is disconnected first, see disconnectWhatsApp). Message history stays
 * until `shop/redact` asks for deletion.
 */
export async function recordUninstall(db: Db, domain: string) {
  await db.$transaction(async (tx) => {
    await tx.session.deleteMany({ where: { shop: domain } });
    const shop = await tx.shop.findUnique({ where: { domain } });
    if (!shop) return;
    await tx.shop.update({ where: { id: shop.id }, data: { uninstalledAt: new Date() } });
    await tx.message.updateMany({
      where: { shopId: shop.id, status: { in: ["SCHEDULED", "QUEUED"] } },
      data: cancelled(reason("APP_UNINSTALLED")),
    });
  });
}

/** `shop/redact`: erase everything the app holds for the shop. */
export async function redactShop(db: Db, domain: string) {
  await db.$transaction([db.session.deleteMany({ where: { shop: domain } }), db.shop.deleteMany({ where: { domain } })]);
  await eraseFromLog(db);
}
