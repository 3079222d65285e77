// The simulated Shopify store behind the Admin simulator: shops with their
// facts, offline tokens, and orders kept as Shopify's REST JSON (what webhooks
// carry), read back through GraphQL as Shopify's Order objects.
import { randomBytes } from "node:crypto";

export interface SimShopFacts {
  name: string;
  contactEmail: string;
  ianaTimezone: string;
  currencyCode: string;
  /** ISO country of the shop's address. */
  countryCode: string;
  primaryLocale: string;
  planName: string;
  partnerDevelopment: boolean;
}

export interface SimOrder {
  /** The order as Shopify's REST API and webhooks carry it. */
  rest: Record<string, unknown> & { id: number };
  tags: string[];
  cancelledAt: string | null;
  createdAt: string;
}

/** A staff account of a shop, as token exchange describes it in `associated_user`. */
export interface SimStaff {
  id: number;
  first_name: string;
  last_name: string;
  email: string;
  email_verified: boolean;
  account_owner: boolean;
  locale: string;
  collaborator: boolean;
  /** The access scopes this person's permissions allow; null: everything the app was granted. */
  scopes: string[] | null;
}

export interface SimShop {
  domain: string;
  facts: SimShopFacts;
  /** Staff accounts by user id (the `sub` of their admin session tokens). */
  staff: Map<string, SimStaff>;
  orders: Map<number, SimOrder>;
  /** Customer tags the merchant set (by customer id): the Admin API's `Customer.tags` (webhooks stopped carrying them in 2025-01). */
  customerTags: Map<number, string[]>;
  /** Leaky bucket of query cost points (Shopify's calculated query cost limit). */
  bucket: { available: number; at: number };
}

export interface ThrottleSettings {
  maximumAvailable: number;
  restoreRate: number;
}

export interface IssuedToken {
  shop: string;
  scope: string;
  expiresAt: number | null;
}

/** The demo shop as Shopify would describe it: a Brazilian development store. */
export const DEMO_SHOP_FACTS: SimShopFacts = {
  name: "Demo Store",
  contactEmail: "owner@demo-store.example",
  ianaTimezone: "America/Sao_Paulo",
  currencyCode: "BRL",
  countryCode: "BR",
  primaryLocale: "pt-BR",
  planName: "Development",
  partnerDevelopment: true,
};

/** The demo shop's staff: the owner and one employee. */
export const DEMO_SHOP_STAFF: SimStaff[] = [
  { id: 1, first_name: "Mariana", last_name: "Costa", email: "owner@demo-store.example", email_verified: true, account_owner: true, locale: "pt-BR", collaborator: false, scopes: null },
  { id: 2, first_name: "Rafael", last_name: "Lima", email: "rafael@demo-store.example", email_verified: true, account_owner: false, locale: "pt-BR", collaborator: false, scopes: null },
];

/** Someone the simulator was not told about: a valid staff account with a generic name. */
export function genericStaff(domain: string, id: number): SimStaff {
  const handle = domain.replace(/\.myshopify\.com$/, "");
  return { id, first_name: "Staff", last_name: String(id), email: `staff-${id}@${handle}.example`, email_verified: true, account_owner: false, locale: "en", collaborator: false, scopes: null };
}

/** A store Shopify has just created: what a new development store reports before the merchant changes anything. */
export function newStoreFacts(domain: string): SimShopFacts {
  const handle = domain.replace(/\.myshopify\.com$/, "");
  return { name: handle, contactEmail: `owner@${handle}.example`, ianaTimezone: "America/New_York", currencyCode: "USD", countryCode: "US", primaryLocale: "en", planName: "Development", partnerDevelopment: true };
}

export class SimStore {
  readonly shops = new Map<string, SimShop>();
  readonly tokens = new Map<string, IssuedToken>();
  readonly refreshTokens = new Map<string, { shop: string; scope: string }>();
  throttle: ThrottleSettings = { maximumAvailable: 2000, restoreRate: 100 };
  private nextOrderId = 7_000_000_000;

  shop(domain: string): SimShop {
    let shop = this.shops.get(domain);
    if (!shop) {
      shop = { domain, facts: newStoreFacts(domain), staff: new Map(), orders: new Map(), customerTags: new Map(), bucket: { available: this.throttle.maximumAvailable, at: Date.now() } };
      this.shops.set(domain, shop);
    }
    return shop;
  }

  /** The staff member behind a session token's `sub`: one the shop was given, else a generic account (Shopify knows everyone who can open the admin). */
  staffMember(domain: string, sub: string): SimStaff {
    const shop = this.shop(domain);
    let member = shop.staff.get(sub);
    if (!member) {
      member = genericStaff(domain, Number(sub));
      shop.staff.set(sub, member);
    }
    return member;
  }

  issueToken(shop: string, scope: string, expiresInSeconds: number | null, options: { refreshable?: boolean } = {}): { accessToken: string; refreshToken: string | null } {
    const accessToken = `shpat_${randomBytes(16).toString("hex")}`;
    this.tokens.set(accessToken, { shop, scope, expiresAt: expiresInSeconds === null ? null : Date.now() + expiresInSeconds * 1000 });
    if (expiresInSeconds === null || options.refreshable === false) return { accessToken, refreshToken: null };
    const refreshToken = `shprt_${randomBytes(16).toString("hex")}`;
    this.refreshTokens.set(refreshToken, { shop, scope });
    return { accessToken, refreshToken };
  }

  /** The merchant uninstalled or revoked access: every token of the shop stops working. */
  revoke(shop: string): void {
    for (const [token, issued] of this.tokens) if (issued.shop === shop) this.tokens.delete(token);
    for (const [token, issued] of this.refreshTokens) if (issued.shop === shop) this.refreshTokens.delete(token);
  }

  /** Stores an order given as Shopify's REST JSON; a missing id gets one, as Shopify assigns it. */
  placeOrder(domain: string, rest: Record<string, unknown>): SimOrder {
    const id = typeof rest.id === "number" ? rest.id : ++this.nextOrderId;
    const createdAt = typeof rest.created_at === "string" ? rest.created_at : new Date().toISOString();
    const tags = typeof rest.tags === "string" && rest.tags ? rest.tags.split(",").map((t) => t.trim()) : [];
    const order: SimOrder = {
      rest: { ...rest, id, admin_graphql_api_id: `gid://shopify/Order/${id}`, created_at: createdAt, tags: tags.join(", ") },
      tags,
      cancelledAt: typeof rest.cancelled_at === "string" ? rest.cancelled_at : null,
      createdAt,
    };
    this.shop(domain).orders.set(id, order);
    return order;
  }

  /** Takes `cost` points from the shop's bucket, or says how many are there (THROTTLED). */
  spend(shop: SimShop, cost: number, now = Date.now()): { ok: boolean; currentlyAvailable: number } {
    const { maximumAvailable, restoreRate } = this.throttle;
    const restored = Math.min(maximumAvailable, shop.bucket.available + ((now - shop.bucket.at) / 1000) * restoreRate);
    shop.bucket = { available: restored, at: now };
    if (cost > restored) return { ok: false, currentlyAvailable: Math.floor(restored) };
    shop.bucket.available = restored - cost;
    return { ok: true, currentlyAvailable: Math.floor(shop.bucket.available) };
  }
}
