// The simulated Shopify store behind the Admin simulator: shops with their
// facts, offline tokens, and orders kept as Shopify's REST JSON (what webhooks
// carry), read back through GraphQL as Shopify's Order objects, customers
// (seeded, or named by orders) and saved customer segments.
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
  /** The staff note given with orderCancel (Order.cancellation.staffNote). */
  cancelStaffNote?: string | null;
  createdAt: string;
}

/** Shopify's SMS marketing states (CustomerSmsMarketingState). */
export const SMS_STATES = ["NOT_SUBSCRIBED", "PENDING", "SUBSCRIBED", "UNSUBSCRIBED", "REDACTED"] as const;
export type SmsState = (typeof SMS_STATES)[number];
export const WHATSAPP_STATES = ["NEVER_SUBSCRIBED", "PENDING", "SUBSCRIBED", "UNSUBSCRIBED", "REDACTED"] as const;
export type WhatsAppState = (typeof WHATSAPP_STATES)[number];

/** Order facts given when seeding a customer whose orders the store does not hold. */
export interface SeededOrderFacts {
  numberOfOrders: number;
  /** Decimal string in the shop's currency. */
  amountSpent: string;
  lastOrderAt: string | null;
}

/** A customer record as the admin has it; order facts come from the store's orders naming it, plus any seeded ones. */
export interface SimCustomer {
  id: number;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  /** As the merchant or the checkout typed it: national format, or not a phone number at all. */
  phone: string | null;
  /** ISO country of the default address. */
  countryCode: string | null;
  locale: string | null;
  tags: string[];
  smsState: SmsState;
  /** When the SMS consent last changed; null if it never did (Shopify then gives no date). */
  smsUpdatedAt: string | null;
  /** Their WhatsApp marketing consent in Shopify (CustomerMarketingConsentState). */
  whatsAppState: WhatsAppState;
  createdAt: string;
  seeded: SeededOrderFacts;
}

/** A saved customer segment (Segment). */
export interface SimSegment {
  id: number;
  name: string;
  query: string;
  creationDate: string;
  lastEditDate: string;
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
  /** Customers by id; their tags only through the Admin API (webhooks stopped carrying them in 2025-01). */
  customers: Map<number, SimCustomer>;
  segments: Map<number, SimSegment>;
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
  return {
    name: handle,
    contactEmail: `owner@${handle}.example`,
    ianaTimezone: "America/New_York",
    currencyCode: "USD",
    countryCode: "US",
    primaryLocale: "en",
    planName: "Development",
    partnerDevelopment: true,
  };
}

export class SimStore {
  readonly shops = new Map<string, SimShop>();
  readonly tokens = new Map<string, IssuedToken>();
  readonly refreshTokens = new Map<string, { shop: string; scope: string }>();
  throttle: ThrottleSettings = { maximumAvailable: 2000, restoreRate: 100 };
  /** An outage to come (POST /_sim/shopify/outage): requests (of one operation, if named) answered before it, then answered 503. */
  outage: { operation?: string; after: number; calls: number } | null = null;
  private nextOrderId = 7_000_000_000;
  private nextSegmentId = 500_000_000;

  shop(domain: string): SimShop {
    let shop = this.shops.get(domain);
    if (!shop) {
      shop = {
        domain,
        facts: newStoreFacts(domain),
        staff: new Map(),
        orders: new Map(),
        customers: new Map(),
        segments: new Map(),
        bucket: { available: this.throttle.maximumAvailable, at: Date.now() },
      };
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
    if (rest.customer && typeof rest.customer === "object") this.mergeOrderCustomer(domain, rest.customer as Record<string, unknown>, createdAt);
    return order;
  }

  /** A customer with nothing known yet: what Shopify creates when someone is first named. */
  blankCustomer(id: number, createdAt = new Date().toISOString()): SimCustomer {
    return {
      id,
      firstName: null,
      lastName: null,
      email: null,
      phone: null,
      countryCode: null,
      locale: null,
      tags: [],
      smsState: "NOT_SUBSCRIBED",
      smsUpdatedAt: null,
      whatsAppState: "NEVER_SUBSCRIBED",
      createdAt,
      seeded: { numberOfOrders: 0, amountSpent: "0.00", lastOrderAt: null },
    };
  }

  /** An order's `customer` (REST JSON) creates the customer or updates what it carries; tags stay as the merchant set them. */
  private mergeOrderCustomer(domain: string, given: Record<string, unknown>, at: string): void {
    const id = Number(given.id);
    if (!Number.isSafeInteger(id) || id <= 0) return;
    const customers = this.shop(domain).customers;
    const customer = customers.get(id) ?? this.blankCustomer(id, typeof given.created_at === "string" ? given.created_at : at);
    const text = (value: unknown) => (typeof value === "string" && value ? value : undefined);
    const address = given.default_address && typeof given.default_address === "object" ? (given.default_address as Record<string, unknown>) : {};
    const givenConsent = given.sms_marketing_consent && typeof given.sms_marketing_consent === "object" ? (given.sms_marketing_consent as Record<string, unknown>) : null;
    const smsState = SMS_STATES.find((state) => state === text(givenConsent?.state)?.toUpperCase()) ?? customer.smsState;
    customers.set(id, {
      ...customer,
      firstName: text(given.first_name) ?? customer.firstName,
      lastName: text(given.last_name) ?? customer.lastName,
      email: text(given.email) ?? customer.email,
      phone: text(given.phone) ?? customer.phone,
      countryCode: text(address.country_code) ?? customer.countryCode,
      locale: text(given.locale) ?? customer.locale,
      smsState,
      // A consent given at this checkout changed when the order was placed, unless the order says when.
      smsUpdatedAt: smsState === customer.smsState ? customer.smsUpdatedAt : (text(givenConsent?.consent_updated_at) ?? at),
    });
  }

  /** Saves a segment; answers it with its new id. */
  addSegment(domain: string, name: string, query: string): SimSegment {
    const now = new Date().toISOString();
    const segment = { id: ++this.nextSegmentId, name, query, creationDate: now, lastEditDate: now };
    this.shop(domain).segments.set(segment.id, segment);
    return segment;
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
