// Demo data: the demo shop with a stored offline Shopify session, and a
// WhatsApp account connected to the simulator's Cloud API number with the
// library templates created and approved. Runs through the app's own modules
// and API client, against the simulator.
import { Session } from "@shopify/shopify-api";

import type { AppConfig } from "../app/core/config.server";
import { encryptSecret } from "../app/core/crypto.server";
import type { Db } from "../app/core/db.server";
import { EncryptedSessionStorage } from "../app/shopify/sessions.server";
import { ensureDefaultAutomations } from "../app/messaging/automations.server";
import { adminGraphqlUrl } from "../app/shopify/admin/endpoint.server";
import { adminGraphql, requestTransport } from "../app/shopify/admin/graphql.server";
import { syncShopFacts } from "../app/shopify/admin/shop-facts.server";
import { recordInstall } from "../app/shopify/shops.server";
import { createLibraryTemplates, syncTemplates } from "../app/whatsapp/templates.server";
import { numberFacts, WhatsAppClient } from "../app/whatsapp/client.server";
import { SEED } from "./simulator/state";

export const DEMO_SHOP = "demo-store.myshopify.com";

/** The offline token a sandbox install stores for a shop; the Shopify simulator knows the demo shop's. */
export const sandboxOfflineToken = (shopDomain: string) => `shpat_sandbox_${shopDomain.replace(/\.myshopify\.com$/, "")}`;

/** A shop as Shopify's managed install leaves it: the shop row and a stored offline session. */
export async function installShop(db: Db, config: AppConfig, shopDomain: string, details: Parameters<typeof recordInstall>[2] = {}) {
  const shop = await recordInstall(db, shopDomain, details);
  const sessions = new EncryptedSessionStorage(() => db, config.encryptionKey);
  await sessions.storeSession(
    new Session({
      id: `offline_${shopDomain}`,
      shop: shopDomain,
      state: "sandbox",
      isOnline: false,
      scope: config.scopes.join(","),
      accessToken: sandboxOfflineToken(shopDomain),
    }),
  );
  return shop;
}

export async function seedDemoShop(db: Db, config: AppConfig, shopDomain = DEMO_SHOP) {
  const shop = await installShop(db, config, shopDomain);
  // Name, timezone, currency and locale come from Shopify's Admin API (the simulator), as on a real install.
  await syncShopFacts(db, shopDomain, adminGraphql(requestTransport(adminGraphqlUrl(config, shopDomain), sandboxOfflineToken(shopDomain)), { shop: shopDomain }));

  const client = new WhatsAppClient({ baseUrl: config.WHATSAPP_GRAPH_URL, version: config.WHATSAPP_GRAPH_VERSION, accessToken: SEED.accessToken });
  const must = async <T>(what: string, result: Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>) => {
    const r = await result;
    if (!r.ok) throw new Error(`Seeding the demo failed at "${what}": ${r.error.message}`);
    return r.value;
  };
  await must("subscribe app", client.subscribeApp(SEED.wabaId));
  await must("register number", client.registerNumber(SEED.cloudPhoneNumberId, "123456"));
  const phone = await must("read phone number", client.getPhoneNumber(SEED.cloudPhoneNumberId));
  const waba = await must("read WABA", client.getWaba(SEED.wabaId));
  const accountData = {
    wabaId: SEED.wabaId,
    phoneNumberId: SEED.cloudPhoneNumberId,
    businessId: SEED.businessId,
    displayPhoneNumber: phone.display_phone_number ?? null,
    ...numberFacts(phone),
    accessTokenCiphertext: encryptSecret(SEED.accessToken, config.encryptionKey),
    coexistence: false,
    onboardingState: "CONNECTED",
    subscribedAt: new Date(),
    registeredAt: new Date(),
    connectedAt: new Date(),
    currency: waba.currency ?? null,
    timezone: waba.timezone_id ?? null,
    // Read just now, and the templates are synced below: the worker's next reading is hours away.
    healthSyncedAt: new Date(),
  };
  await db.whatsAppAccount.upsert({ where: { shopId: shop.id }, create: { shopId: shop.id, ...accountData }, update: accountData });

  const created = await createLibraryTemplates(client, SEED.wabaId);
  if (!created.ok) throw new Error(`Seeding the demo failed at "create templates": ${created.error.message}`);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const templates = await must("list templates", client.listTemplates(SEED.wabaId));
    if (templates.every((t) => t.status === "APPROVED")) break;
    if (Date.now() > deadline) throw new Error("Seeding the demo failed: templates were not approved by the simulator within 15 s");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const synced = await syncTemplates(db, shop.id, client, SEED.wabaId);
  if (!synced.ok) throw new Error(`Seeding the demo failed at "sync templates": ${synced.error.message}`);
  // Order updates on; the cart reminder (marketing) stays off until the merchant turns it on.
  await ensureDefaultAutomations(db, shop.id);
  await db.automation.updateMany({ where: { shopId: shop.id, trigger: { not: "CHECKOUT_ABANDONED" } }, data: { enabled: true } });
  return shop;
}
