// Orders and checkouts as the app knows them from Shopify webhooks: who to
// write to (the phone from the customer, shipping or billing address, read as
// E.164 with the address country), what they agreed to, and the fields
// templates can show.
import type { CountryCode } from "libphonenumber-js";
import { z } from "zod";

import { CHECKOUT_PHONE, optOutOfMarketing } from "../messaging/consent.server";
import { keepShopifyWithdrawal, SHOPIFY_SMS, SMS_WITHDRAWN } from "./sms-consent.server";
import { shopifyTime } from "./shopify-time";
import { refreshSearchText } from "../messaging/inbox-list.server";
import { normalisePhone, whatsappSpellings } from "../messaging/contacts.server";
import type { Db, Tx } from "../core/db.server";
import type { Shop } from "../generated/prisma/client";

// `consent_updated_at`: when the customer's consent last changed (Admin API reads give it; Shopify gives none for a
// consent never changed).
const consentSchema = z.object({ state: z.string().nullish(), consent_updated_at: z.string().nullish() }).passthrough().nullish();
const addressSchema = z.object({ phone: z.string().nullish(), country_code: z.string().nullish(), first_name: z.string().nullish(), last_name: z.string().nullish() }).passthrough().nullish();
const customerSchema = z
  .object({
    id: z.number().nullish(),
    first_name: z.string().nullish(),
    last_name: z.string().nullish(),
    phone: z.string().nullish(),
    email: z.string().nullish(),
    locale: z.string().nullish(),
    sms_marketing_consent: consentSchema,
    email_marketing_consent: consentSchema,
  })
  .passthrough()
  .nullish();
const lineItemSchema = z.object({ title: z.string(), quantity: z.number().default(1) }).passthrough();
const money = z.union([z.string(), z.number()]).transform(String);

/** What orders and checkouts share: the buyer, their addresses, consent and the total. */
const buyerFields = {
  id: z.number(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  customer: customerSchema,
  customer_locale: z.string().nullish(),
  billing_address: addressSchema,
  shipping_address: addressSchema,
  total_price: money.nullish(),
  currency: z.string().nullish(),
  buyer_accepts_marketing: z.boolean().nullish(),
  // A checkout's SMS marketing box: ticked, and the phone it was ticked for (a guest may give no other).
  buyer_accepts_sms_marketing: z.boolean().nullish(),
  sms_marketing_phone: z.string().nullish(),
  line_items: z.array(lineItemSchema).default([]),
};

export const orderPayloadSchema = z
  .object({
    ...buyerFields,
    name: z.string(),
    financial_status: z.string().nullish(),
    fulfillment_status: z.string().nullish(),
    cancelled_at: z.string().nullish(),
    checkout_token: z.string().nullish(),
    checkout_id: z.number().nullish(),
    order_status_url: z.string().nullish(),
    confirmation_number: z.string().nullish(),
    payment_gateway_names: z.array(z.string()).default([]),
    processed_at: z.string().nullish(),
    created_at: z.string().nullish(),
    landing_site: z.string().nullish(),
  })
  .passthrough();

export const fulfillmentPayloadSchema = z
  .object({
    id: z.number(),
    order_id: z.number(),
    status: z.string().nullish(),
    shipment_status: z.string().nullish(),
    tracking_number: z.string().nullish(),
    tracking_numbers: z.array(z.string()).default([]),
    tracking_url: z.string().nullish(),
    tracking_urls: z.array(z.string()).default([]),
    tracking_company: z.string().nullish(),
    created_at: z.string().datetime({ offset: true }).nullish(),
    updated_at: z.string().datetime({ offset: true }).nullish(),
  })
  .passthrough();

export const checkoutPayloadSchema = z
  .object({
    ...buyerFields,
    token: z.string().nullish(),
    abandoned_checkout_url: z.string().nullish(),
    completed_at: z.string().nullish(),
    updated_at: z.string().nullish(),
    created_at: z.string().nullish(),
  })
  .passthrough();

export type OrderPayload = z.infer<typeof orderPayloadSchema>;
export type CheckoutPayload = z.infer<typeof checkoutPayloadSchema>;
export type FulfillmentPayload = z.infer<typeof fulfillmentPayloadSchema>;

type Person = Pick<OrderPayload, "phone" | "customer" | "billing_address" | "shipping_address" | "buyer_accepts_marketing" | "buyer_accepts_sms_marketing" | "sms_marketing_phone">;

/**
 * The first phone that reads as a valid number: customer, shipping, billing,
 * then the order's own. A national number is read in its own address's
 * country first (a billing phone in the billing country), then the other
 * address's, then `shopCountry`.
 */
export function recipientOf(source: Person, shopCountry?: string | null) {
  const shipping = source.shipping_address?.country_code;
  const billing = source.billing_address?.country_code;
  const candidates: [string | null | undefined, (string | null | undefined)[]][] = [
    [source.customer?.phone, [shipping, billing]],
    [source.shipping_address?.phone, [shipping, billing]],
    [source.billing_address?.phone, [billing, shipping]],
    [source.phone, [shipping, billing]],
    [source.sms_marketing_phone, [shipping, billing]],
  ];
  for (const [raw, countries] of candidates) {
    if (!raw) continue;
    for (const country of [...new Set([...countries, shopCountry])]) {
      const phone = normalisePhone(raw, (country ?? undefined) as CountryCode | undefined);
      if (phone) return phone;
    }
  }
  return null;
}

/** The shop's side of recording a buyer: where national phones are read, which consent counts. */
export type BuyerShop = Pick<Shop, "id" | "country" | "smsConsentCountsForWhatsApp" | "locale">;

/**
 * When the customer's SMS consent took the state the payload shows: Shopify's own date for it when the payload has
 * one (an order read from the Admin API shows the customer's consent as it is now, not as it was when the order was
 * placed), else `at`, when Shopify recorded the payload.
 */
function smsConsentAt(source: Person, at: Date): Date {
  return shopifyTime(source.customer?.sms_marketing_consent?.consent_updated_at) ?? at;
}

/**
 * WhatsApp marketing consent from what Shopify records, and when it was given. `buyer_accepts_marketing`
 * is email consent and never counts; SMS marketing consent counts only when the
 * shop turned that on. Otherwise the consent must come from a WhatsApp opt-in.
 */
function shopifyMarketingConsent(source: Person, shop: BuyerShop, recipient: string | null, at: Date): { source: string; at: Date } | null {
  if (!shop.smsConsentCountsForWhatsApp) return null;
  if (source.customer?.sms_marketing_consent?.state === "subscribed") return { source: SHOPIFY_SMS, at: smsConsentAt(source, at) };
  // The box ticked at checkout counts for the number it was ticked for, not for another the order names.
  const smsPhone =
    source.buyer_accepts_sms_marketing && source.sms_marketing_phone
      ? recipientOf({ sms_marketing_phone: source.sms_marketing_phone, shipping_address: source.shipping_address, billing_address: source.billing_address }, shop.country)
      : null;
  return smsPhone && smsPhone.e164 === recipient ? { source: SHOPIFY_SMS, at } : null;
}

/**
 * What the customer is called in a message: their first name from the customer or an address, else their last name
 * (Shopify's checkout can require only the last name, and an empty variable would hold every message back).
 */
function firstName(source: Person): string | null {
  const people = [source.customer, source.shipping_address, source.billing_address];
  const names = [...people.map((p) => p?.first_name), ...people.map((p) => p?.last_name)];
  return names.map((name) => name?.trim()).find((name): name is string => Boolean(name)) ?? null;
}

function items(lines: { title: string; quantity: number }[]): string {
  return lines.map((l) => (l.quantity > 1 ? `${l.quantity}× ${l.title}` : l.title)).join(", ");
}

/**
 * The order's or checkout's customer, recorded or brought up to date. `at` is when Shopify recorded what the
 * payload says (the order's creation, the checkout's last update): its consent is dated then, or when Shopify says
 * the customer's consent last changed, so a withdrawal Shopify made later, delivered first, stands. A grant and a
 * withdrawal of the same moment: the withdrawal stands.
 */
async function upsertContact(db: Tx, shop: BuyerShop, source: Person, locale: string | null, at: Date) {
  const shopId = shop.id;
  const phone = recipientOf(source, shop.country);
  if (!phone) return null;
  const consent = shopifyMarketingConsent(source, shop, phone.e164, at);
  // The customer may have written first from the same WhatsApp account spelled another way (Brazil's ninth digit).
  const known = await db.contact.findMany({ where: { shopId, phoneE164: { in: whatsappSpellings(phone.e164) } } });
  const existing = known.find((c) => c.phoneE164 === phone.e164) ?? known[0] ?? null;
  const withdrawnLater =
    consent && existing ? await db.consentRecord.findFirst({ where: { contactId: existing.id, source: SHOPIFY_SMS, granted: false, recordedAt: { gte: consent.at } }, select: { id: true } }) : null;
  // Shopify's marketing consent counts unless the contact opted out with us, or withdrew it in Shopify after it.
  const grants = consent && !existing?.marketingConsent && !existing?.marketingOptedOutAt && !withdrawnLater ? consent : null;
  const name = [source.customer?.first_name?.trim(), source.customer?.last_name?.trim()].filter(Boolean).join(" ") || firstName(source);
  const data = {
    countryCode: phone.country ?? null,
    market: phone.market,
    ...(name ? { name } : {}),
    ...(locale ? { locale } : {}),
    // Whose tags and spend the VIP rule reads.
    ...(source.customer?.id ? { shopifyCustomerId: String(source.customer.id) } : {}),
    // A phone given at checkout is consent to order updates.
    ...(!existing?.utilityConsent ? { utilityConsent: true, utilityConsentSource: CHECKOUT_PHONE, utilityConsentAt: new Date() } : {}),
    ...(grants ? { marketingConsent: true, marketingConsentSource: grants.source, marketingConsentAt: grants.at } : {}),
  };
  // An upsert: the thank-you opt-in and orders/create may record the same new customer at once.
  const contact = existing
    ? await db.contact.update({ where: { id: existing.id }, data })
    : await db.contact.upsert({ where: { shopId_phoneE164: { shopId, phoneE164: phone.e164 } }, create: { shopId, phoneE164: phone.e164, waId: phone.e164.slice(1), ...data }, update: data });
  // The consent came from Shopify's SMS marketing, and the customer withdrew it there: it is gone here too (a
  // consent given in WhatsApp itself is not Shopify's to withdraw).
  const smsState = source.customer?.sms_marketing_consent?.state;
  const withdrawnAt = smsConsentAt(source, at);
  const givenBefore = existing?.marketingConsent && existing.marketingConsentSource === SHOPIFY_SMS && (!existing.marketingConsentAt || existing.marketingConsentAt <= withdrawnAt);
  if (givenBefore && smsState && SMS_WITHDRAWN.has(smsState)) {
    await optOutOfMarketing(db, shopId, contact.id, SHOPIFY_SMS, withdrawnAt);
    return db.contact.findUniqueOrThrow({ where: { id: contact.id } });
  }
  // Withdrawn in Shopify with no consent here to end: kept, so an older grant Shopify delivers after it grants nothing.
  if (smsState === "unsubscribed" && shop.smsConsentCountsForWhatsApp && !contact.marketingConsent) await keepShopifyWithdrawal(db, shopId, contact.id, withdrawnAt);
  if (grants) await db.consentRecord.create({ data: { shopId, contactId: contact.id, category: "MARKETING", granted: true, source: grants.source, recordedAt: grants.at } });
  return contact;
}

/**
 * An order read by the backfill: recorded only if the app does not have it yet
 * (a webhook's copy is as new or newer), dated when Shopify created it, so the
 * thread a customer's message joins is their latest order by Shopify's date.
 * Returns the customer's contact when the order was recorded for one who had
 * no conversation then (one started before the batch commits needs the order's number).
 */
export async function recordBackfilledOrder(db: Tx, shop: BuyerShop, payload: OrderPayload): Promise<string | null> {
  const known = await db.order.findUnique({ where: { shopId_shopifyOrderId: { shopId: shop.id, shopifyOrderId: String(payload.id) } }, select: { id: true } });
  if (known) return null;
  const { contact, conversationMissing } = await recordOrder(db, shop, payload);
  return conversationMissing ? contact!.id : null;
}

/** An order from any source (webhook, Admin API fetch, backfill) is dated by Shopify's `created_at`, the app's clock only when it has none. */
export async function recordOrder(db: Tx, shop: BuyerShop, payload: OrderPayload) {
  const createdAt = shopifyTime(payload.created_at);
  const shopId = shop.id;
  const locale = payload.customer_locale ?? payload.customer?.locale ?? null;
  const contact = await upsertContact(db, shop, payload, locale, createdAt ?? new Date());
  const data = {
    name: payload.name,
    contactId: contact?.id ?? null,
    customerName: firstName(payload),
    email: payload.email ?? payload.customer?.email ?? null,
    phone: contact?.phoneE164 ?? null,
    locale,
    totalPrice: payload.total_price ?? null,
    currency: payload.currency ?? null,
    financialStatus: payload.financial_status ?? null,
    fulfillmentStatus: payload.fulfillment_status ?? null,
    checkoutToken: payload.checkout_token ?? null,
    confirmationNumber: payload.confirmation_number ?? null,
    landingSite: payload.landing_site ?? null,
    cancelledAt: payload.cancelled_at ? new Date(payload.cancelled_at) : null,
    processedAt: payload.processed_at ? new Date(payload.processed_at) : null,
  };
  const order = await db.order.upsert({
    where: { shopId_shopifyOrderId: { shopId, shopifyOrderId: String(payload.id) } },
    create: { shopId, shopifyOrderId: String(payload.id), ...data, ...(createdAt ? { createdAt } : {}) },
    update: data,
  });
  // The order's number finds the customer's conversation in the inbox.
  const searchText = contact ? await refreshSearchText(db, contact.id) : null;
  // An order completes its checkout (when Shopify created it, if known): no cart reminder for it.
  if (payload.checkout_token || payload.checkout_id) {
    await db.checkout.updateMany({
      where: { shopId, OR: [...(payload.checkout_token ? [{ token: payload.checkout_token }] : []), ...(payload.checkout_id ? [{ shopifyCheckoutId: String(payload.checkout_id) }] : [])] },
      data: { completedAt: createdAt ?? new Date(), orderId: order.id },
    });
  }
  // A customer with no conversation yet: one started before this write commits has not got the order's number.
  return { order, contact, conversationMissing: searchText?.conversation === false };
}

export async function recordCheckout(db: Db, shop: BuyerShop, payload: CheckoutPayload) {
  const shopId = shop.id;
  const locale = payload.customer_locale ?? payload.customer?.locale ?? null;
  const lastUpdatedAt = shopifyTime(payload.updated_at) ?? shopifyTime(payload.created_at) ?? new Date();
  const contact = await upsertContact(db, shop, payload, locale, lastUpdatedAt);
  const data = {
    token: payload.token ?? null,
    contactId: contact?.id ?? null,
    phone: contact?.phoneE164 ?? null,
    email: payload.email ?? null,
    customerName: firstName(payload),
    locale,
    totalPrice: payload.total_price ?? null,
    currency: payload.currency ?? null,
    recoveryUrl: payload.abandoned_checkout_url ?? null,
    marketingConsent: Boolean(shopifyMarketingConsent(payload, shop, contact?.phoneE164 ?? null, lastUpdatedAt)),
    lastUpdatedAt,
    ...(payload.completed_at ? { completedAt: new Date(payload.completed_at) } : {}),
  };
  const checkout = await db.checkout.upsert({
    where: { shopId_shopifyCheckoutId: { shopId, shopifyCheckoutId: String(payload.id) } },
    create: { shopId, shopifyCheckoutId: String(payload.id), ...data },
    update: data,
  });
  return {
    checkout,
    contact,
    fields: {
      customer_first_name: firstName(payload) ?? "",
      items: items(payload.line_items),
      checkout_url: payload.abandoned_checkout_url ?? "",
      // Without the customer's language, the store's (the template's language falls back the same way), never English.
      order_total: formatMoney(payload.total_price, payload.currency, locale ?? shop.locale),
    },
  };
}

export function formatMoney(amount: string | null | undefined, currency: string | null | undefined, locale: string | null | undefined): string {
  if (!amount) return "";
  if (!currency) return amount;
  try {
    // Intl separates symbol and amount with a no-break space; a plain one reads the same everywhere.
    return new Intl.NumberFormat(locale ?? "en", { style: "currency", currency }).format(Number(amount)).replace(/\u00a0/g, " ");
  } catch {
    return `${amount} ${currency}`;
  }
}

/** The template fields an order gives; its total in the customer's language, else the store's (`fallbackLocale`), as the template's language is chosen. */
export function orderFields(payload: OrderPayload, fallbackLocale: string | null): Record<string, string> {
  const locale = payload.customer_locale ?? payload.customer?.locale ?? fallbackLocale;
  return {
    customer_first_name: firstName(payload) ?? "",
    order_name: payload.name,
    order_total: formatMoney(payload.total_price, payload.currency, locale),
    items: items(payload.line_items),
    order_status_url: payload.order_status_url ?? "",
  };
}

/** Fields a fulfillment adds to its order's: tracking number and URL. */
export function fulfillmentFields(payload: FulfillmentPayload): Record<string, string> {
  return {
    tracking_number: payload.tracking_number ?? payload.tracking_numbers[0] ?? "",
    tracking_url: payload.tracking_url ?? payload.tracking_urls[0] ?? "",
    tracking_company: payload.tracking_company ?? "",
  };
}

/**
 * The order keeps its latest shipment's tracking: what a where-is-my-order
 * answer gives. Webhooks arrive in any order, so the fulfillment's updated_at
 * decides: an update older than the one the order shows changes nothing (a
 * late "in transit" never replaces "delivered"); a newer one, of the same
 * shipment or another, replaces it; one without tracking changes nothing. A
 * cancelled or failed fulfillment takes its own tracking off the order.
 */
export async function recordFulfillmentTracking(db: Tx, orderId: string, payload: FulfillmentPayload) {
  const { tracking_number, tracking_url, tracking_company } = fulfillmentFields(payload);
  const number = tracking_number || null;
  // Shopify always sends updated_at; without it, the update counts as of its arrival.
  const at = new Date(payload.updated_at ?? payload.created_at ?? Date.now());
  const newer = { id: orderId, OR: [{ trackingUpdatedAt: null }, { trackingUpdatedAt: { lte: at } }] };
  if (payload.status === "cancelled" || payload.status === "error" || payload.status === "failure") {
    if (number) {
      await db.order.updateMany({ where: { ...newer, trackingNumber: number }, data: { trackingNumber: null, trackingUrl: null, trackingCompany: null, shipmentStatus: null, trackingUpdatedAt: at } });
    }
    return;
  }
  // A fulfillment without tracking (digital goods, a partial one) leaves the order's shipment as it is.
  if (!number) return;
  await db.order.updateMany({
    where: newer,
    data: { trackingNumber: number, trackingUrl: tracking_url || null, trackingCompany: tracking_company || null, shipmentStatus: payload.shipment_status ?? null, trackingUpdatedAt: at },
  });
}

/** Fields of a stored order (what a fulfillment or a preview can show without the original webhook). */
export function storedOrderFields(
  order: { name: string; customerName: string | null; totalPrice: string | null; currency: string | null; locale: string | null; shopifyOrderId: string },
  fallbackLocale: string,
): Record<string, string> {
  return { customer_first_name: order.customerName ?? "", order_name: order.name, order_total: formatMoney(order.totalPrice, order.currency, order.locale ?? fallbackLocale) };
}
