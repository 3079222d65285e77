// Shop facts from Shopify's Admin API: name, contact email, IANA timezone,
// currency, primary locale and plan. Read on install (inside the request, with
// admin.graphql), on `shop/update`, and daily in the worker; quiet hours and
// cost days use the timezone, money the currency, templates the locale.
import type { Db } from "../../core/db.server";
import { log } from "../../core/log.server";
import { isTimeZone } from "../../pricing/time";
import type { AdminData, AdminGraphql } from "./graphql.server";

export const SHOP_FACTS_QUERY = `#graphql
  query ShopFacts {
    shop {
      name
      contactEmail
      ianaTimezone
      currencyCode
      shopAddress {
        countryCodeV2
      }
      plan {
        partnerDevelopment
        publicDisplayName
      }
    }
    shopLocales(published: true) {
      locale
      primary
    }
  }
`;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ShopFacts {
  name: string;
  email: string;
  timezone: string | null;
  currency: string;
  country: string | null;
  locale: string | null;
  plan: string;
  developmentStore: boolean;
}

export function shopFactsFrom(data: AdminData<typeof SHOP_FACTS_QUERY>): ShopFacts {
  const { shop } = data;
  return {
    name: shop.name,
    email: shop.contactEmail,
    // Kept only when the runtime knows the zone: a name it cannot use would break every local-time computation.
    timezone: isTimeZone(shop.ianaTimezone) ? shop.ianaTimezone : null,
    currency: shop.currencyCode,
    country: shop.shopAddress.countryCodeV2 ?? null,
    locale: data.shopLocales.find((l) => l.primary)?.locale ?? null,
    plan: shop.plan.publicDisplayName,
    developmentStore: shop.plan.partnerDevelopment,
  };
}

/** Reads the shop's facts from Shopify and stores them on the shop row. */
export async function syncShopFacts(db: Db, domain: string, graphql: AdminGraphql, now = new Date()): Promise<ShopFacts> {
  const facts = shopFactsFrom(await graphql(SHOP_FACTS_QUERY));
  if (!facts.timezone) log.warn({ shop: domain }, "Shopify reported a timezone this runtime does not know; the shop keeps its previous one");
  await db.shop.update({
    where: { domain },
    data: {
      name: facts.name,
      email: facts.email,
      currency: facts.currency,
      country: facts.country,
      plan: facts.plan,
      developmentStore: facts.developmentStore,
      factsSyncedAt: now,
      ...(facts.timezone ? { timezone: facts.timezone } : {}),
      ...(facts.locale ? { locale: facts.locale } : {}),
    },
  });
  return facts;
}

/** Installed shops whose facts are a day old (or never read), Shopify still accepting their token. */
export async function shopsDueForFacts(db: Db, now = new Date()): Promise<string[]> {
  const due = await db.shop.findMany({
    where: {
      uninstalledAt: null,
      adminAuthLostAt: null,
      OR: [{ factsSyncedAt: null }, { factsSyncedAt: { lt: new Date(now.getTime() - DAY_MS) } }],
    },
    select: { domain: true },
  });
  return due.map((shop) => shop.domain);
}
