// The Admin simulator's control API under /_sim/shopify/: place orders
// (delivering orders/create, as a store does), change shop facts, add staff,
// seed customers and segments, throttle, answer 503 for a while (outage),
// revoke, and read the calls answered and bulk exports' JSONL.
import { z } from "zod";

import { invalid, json, type Reply, type ShopifyContext } from "./http";
import { compileSegmentQuery, SegmentQueryError } from "./segment-query";
import { type SimCustomer, SMS_STATES, type SimStaff, WHATSAPP_STATES } from "./store";

const placeOrderSchema = z.object({
  shop: z.string().optional(),
  order: z.record(z.unknown()).optional(),
  /** false: the store has the order but its orders/create webhook is not delivered (lost, or still to come). */
  webhook: z.boolean().default(true),
});
const factsSchema = z.object({
  shop: z.string(),
  facts: z
    .object({
      name: z.string(),
      contactEmail: z.string(),
      ianaTimezone: z.string(),
      currencyCode: z.string(),
      countryCode: z.string().length(2),
      primaryLocale: z.string(),
      planName: z.string(),
      partnerDevelopment: z.boolean(),
    })
    .partial(),
  /** Deliver `shop/update` to the app, as Shopify does when the merchant saves settings. */
  notify: z.boolean().default(true),
});
/** The merchant tags a customer in the admin (POST /_sim/shopify/customers). */
const customerTagsSchema = z.object({ shop: z.string(), id: z.number().int().positive(), tags: z.array(z.string()) }).strict();
const customerSchema = z
  .object({
    id: z.number().int().positive(),
    firstName: z.string().nullish(),
    lastName: z.string().nullish(),
    email: z.string().nullish(),
    /** As typed: national format or invalid is kept. */
    phone: z.string().nullish(),
    countryCode: z
      .string()
      .regex(/^[A-Z]{2}$/, "an ISO country code such as BR")
      .nullish(),
    locale: z.string().min(2).nullish(),
    tags: z.array(z.string()).default([]),
    smsMarketingState: z.enum(SMS_STATES).default("NOT_SUBSCRIBED"),
    whatsAppMarketingState: z.enum(WHATSAPP_STATES).default("NEVER_SUBSCRIBED"),
    createdAt: z.string().datetime({ offset: true }).optional(),
    /** Order facts of orders the store does not hold; its orders naming the customer add to them. */
    numberOfOrders: z.number().int().nonnegative().default(0),
    amountSpent: z
      .string()
      .regex(/^\d+(\.\d{1,2})?$/, "a decimal amount such as 120.50")
      .default("0.00"),
    lastOrderAt: z.string().datetime({ offset: true }).nullish(),
  })
  .strict();
/** Many customers created or replaced at once. */
const customersSchema = z.object({ shop: z.string(), customers: z.array(customerSchema).min(1) }).strict();
const segmentSchema = z.object({ shop: z.string(), name: z.string().min(1), query: z.string().min(1) }).strict();

const staffSchema = z.object({
  shop: z.string(),
  /** The user id: the `sub` of this person's admin session tokens. */
  id: z.number().int().positive(),
  firstName: z.string(),
  lastName: z.string().default(""),
  email: z.string().email().optional(),
  accountOwner: z.boolean().default(false),
  collaborator: z.boolean().default(false),
  locale: z.string().default("en"),
  /** What this person's permissions allow of the app's scopes; absent: all of them. */
  scopes: z.array(z.string()).optional(),
});
const throttleSchema = z.object({ maximumAvailable: z.number().positive(), restoreRate: z.number().positive() });
/** Shopify away for a while: after `after` more Admin API requests (of `operation`, if named), the next `calls` answer 503. */
const outageSchema = z.object({ operation: z.string().min(1).optional(), after: z.number().int().nonnegative().default(0), calls: z.number().int().positive() }).strict();

type ControlHandler = (ctx: ShopifyContext, body: Record<string, unknown>, path: string[]) => Promise<Reply> | Reply;

async function placeOrder({ options, store, webhook }: ShopifyContext, body: Record<string, unknown>): Promise<Reply> {
  const wrapped = "order" in body;
  const input = placeOrderSchema.parse(wrapped ? body : { shop: body.shop });
  const shop = input.shop ?? options.shops?.[0]?.domain ?? "demo-store.myshopify.com";
  // The body is the order itself (REST JSON), or { shop, order, webhook }.
  const rest = input.order ?? Object.fromEntries(Object.entries(body).filter(([key]) => key !== "shop"));
  const customerId = Number((rest.customer as { id?: unknown } | null | undefined)?.id);
  const smsBefore = store.shop(shop).customers.get(customerId)?.smsState ?? "NOT_SUBSCRIBED";
  const order = store.placeOrder(shop, rest);
  const customer = store.shop(shop).customers.get(customerId);
  // Consent given at checkout reaches the app as Shopify sends it: its own webhook, then the order's.
  if (input.webhook && customer && customer.smsState !== smsBefore) await webhook(shop, "customers_marketing_consent/update", smsConsentPayload(customer));
  if (input.webhook) await webhook(shop, "orders/create", order.rest);
  return json(200, { id: order.rest.id });
}

async function changeFacts({ store, webhook }: ShopifyContext, body: Record<string, unknown>): Promise<Reply> {
  const input = factsSchema.parse(body);
  const shop = store.shop(input.shop);
  shop.facts = { ...shop.facts, ...input.facts };
  if (input.notify)
    await webhook(input.shop, "shop/update", {
      name: shop.facts.name,
      iana_timezone: shop.facts.ianaTimezone,
      currency: shop.facts.currencyCode,
      primary_locale: shop.facts.primaryLocale,
      myshopify_domain: input.shop,
    });
  return json(200, { facts: shop.facts });
}

function addStaff({ store }: ShopifyContext, body: Record<string, unknown>): Reply {
  const input = staffSchema.parse(body);
  const handle = input.shop.replace(/\.myshopify\.com$/, "");
  const member: SimStaff = {
    id: input.id,
    first_name: input.firstName,
    last_name: input.lastName,
    email: input.email ?? `staff-${input.id}@${handle}.example`,
    email_verified: true,
    account_owner: input.accountOwner,
    locale: input.locale,
    collaborator: input.collaborator,
    scopes: input.scopes ?? null,
  };
  store.shop(input.shop).staff.set(String(input.id), member);
  return json(200, { staff: member });
}

function seedCustomers({ store }: ShopifyContext, body: Record<string, unknown>): Reply {
  const input = customersSchema.safeParse(body);
  if (!input.success) return invalid(input.error);
  const customers = store.shop(input.data.shop).customers;
  for (const c of input.data.customers) {
    customers.set(c.id, {
      ...store.blankCustomer(c.id, c.createdAt),
      firstName: c.firstName ?? null,
      lastName: c.lastName ?? null,
      email: c.email ?? null,
      phone: c.phone ?? null,
      countryCode: c.countryCode ?? null,
      locale: c.locale ?? null,
      tags: c.tags,
      smsState: c.smsMarketingState,
      // A seeded consent other than "never subscribed" dates from when the customer was created.
      smsUpdatedAt: c.smsMarketingState === "NOT_SUBSCRIBED" ? null : (c.createdAt ?? new Date().toISOString()),
      whatsAppState: c.whatsAppMarketingState,
      seeded: { numberOfOrders: c.numberOfOrders, amountSpent: c.amountSpent, lastOrderAt: c.lastOrderAt ?? null },
    });
  }
  return json(200, { count: input.data.customers.length });
}

function tagCustomer({ store }: ShopifyContext, body: Record<string, unknown>): Reply {
  const input = customerTagsSchema.safeParse(body);
  if (!input.success) return invalid(input.error);
  const { shop, id, tags } = input.data;
  const customers = store.shop(shop).customers;
  customers.set(id, { ...(customers.get(id) ?? store.blankCustomer(id)), tags });
  return json(200, { id, tags });
}

/** A customer's SMS marketing consent changes (at checkout, in the admin, a STOP to the shop's SMS). */
// `updatedAt`: when the change happened (now unless named: a test can date it in the past).
const smsConsentSchema = z
  .object({ shop: z.string(), id: z.number().int().positive(), state: z.enum(SMS_STATES), updatedAt: z.string().datetime({ offset: true }).optional(), webhook: z.boolean().default(true) })
  .strict();

async function changeSmsConsent({ store, webhook }: ShopifyContext, body: Record<string, unknown>): Promise<Reply> {
  const input = smsConsentSchema.safeParse(body);
  if (!input.success) return invalid(input.error);
  const { shop, id, state } = input.data;
  const customers = store.shop(shop).customers;
  const customer = { ...(customers.get(id) ?? store.blankCustomer(id)), smsState: state, smsUpdatedAt: input.data.updatedAt ?? new Date().toISOString() };
  customers.set(id, customer);
  const payload = smsConsentPayload(customer);
  if (input.data.webhook) await webhook(shop, "customers_marketing_consent/update", payload);
  return json(200, payload);
}

/** The REST shape Shopify delivers for customers_marketing_consent/update (order and checkout webhooks no longer carry the consent since 2025-01). */
function smsConsentPayload(customer: SimCustomer) {
  return {
    id: customer.id,
    phone: customer.phone,
    sms_marketing_consent: { state: customer.smsState.toLowerCase(), opt_in_level: "single_opt_in", consent_updated_at: customer.smsUpdatedAt, consent_collected_from: "SHOPIFY" },
  };
}

function addSegment({ store }: ShopifyContext, body: Record<string, unknown>): Reply {
  const input = segmentSchema.safeParse(body);
  if (!input.success) return invalid(input.error);
  const shop = store.shop(input.data.shop);
  if ([...shop.segments.values()].some((s) => s.name === input.data.name)) return json(400, { errors: [{ field: "name", message: "Name has already been taken" }] });
  try {
    compileSegmentQuery(input.data.query);
  } catch (error) {
    if (error instanceof SegmentQueryError) return json(400, { errors: [{ field: "query", message: error.message }] });
    throw error;
  }
  const segment = store.addSegment(shop.domain, input.data.name, input.data.query);
  return json(200, { id: `gid://shopify/Segment/${segment.id}` });
}

const handlers = new Map<string, ControlHandler>([
  ["orders", placeOrder],
  ["shop", changeFacts],
  ["staff", addStaff],
  // Many customers at once ({ shop, customers }), or one customer's tags.
  ["customers", (ctx, body) => ("customers" in body ? seedCustomers(ctx, body) : tagCustomer(ctx, body))],
  ["segments", addSegment],
  ["sms-consent", changeSmsConsent],
  [
    "throttle",
    ({ store }, body) => {
      store.throttle = throttleSchema.parse(body);
      for (const shop of store.shops.values()) shop.bucket = { available: store.throttle.maximumAvailable, at: Date.now() };
      return json(200, store.throttle);
    },
  ],
  [
    "outage",
    ({ store }, body) => {
      const input = outageSchema.safeParse(body);
      if (!input.success) return invalid(input.error);
      store.outage = input.data;
      return json(200, store.outage);
    },
  ],
  [
    "revoke",
    ({ store }, body) => {
      store.revoke(z.object({ shop: z.string() }).parse(body).shop);
      return json(200, { revoked: true });
    },
  ],
  ["calls", ({ calls }) => json(200, { calls })],
  [
    "bulk",
    ({ bulk }, _body, path) => {
      const lines = bulk.jsonl(decodeURIComponent(path[1] ?? "").replace(/\.jsonl$/, ""));
      return lines !== undefined ? { status: 200, body: lines, contentType: "application/jsonl" } : json(404, { errors: "Not Found" });
    },
  ],
]);

/** `path` is what follows /_sim/shopify/. */
export async function control(ctx: ShopifyContext, path: string[], body: Record<string, unknown>): Promise<Reply> {
  const handler = handlers.get(path[0] ?? "");
  return handler ? handler(ctx, body, path) : json(404, { error: `Unknown control endpoint /_sim/shopify/${path.join("/")}` });
}
