// Shopify webhook intake: each signed delivery becomes a receipt keyed by its
// event id (so a repeated delivery is a no-op), answered at once; a worker
// then handles the topic, with retries (jobs/webhook-receipts.server.ts).
import { createHash } from "node:crypto";

import { z } from "zod";

import { cancelCartReminders, triggerAutomation } from "../messaging/automations.server";
import { askCodConfirmation, isCashOnDelivery } from "../messaging/cod.server";
import type { AutomationTrigger } from "../core/domain";
import type { Db } from "../core/db.server";
import { insertOnce } from "../core/db-errors.server";
import { parseJsonBody } from "../core/http-body.server";
import { log } from "../core/log.server";
import {
  checkoutPayloadSchema,
  fulfillmentFields,
  type FulfillmentPayload,
  fulfillmentPayloadSchema,
  orderFields,
  orderPayloadSchema,
  recordCheckout,
  recordFulfillmentTracking,
  recordOrder,
  storedOrderFields,
} from "./orders.server";
import { knownOrFetchedOrder, refreshShopFacts } from "./admin/sync.server";
import { recordDataRequest } from "./data-requests.server";
import { redactCustomer } from "./redaction.server";
import { applyShopifySmsConsent } from "./sms-consent.server";
import { findShop, recordUninstall, redactShop } from "./shops.server";
import { isValidShopifyHmac } from "./signature.server";
import { disconnectWhatsApp } from "../whatsapp/signup.server";
import { type Claimer, claimReceipt, failReceipt, finishReceipt } from "../jobs/webhook-receipts.server";
import { storeReceipt } from "../jobs/intake-spool.server";
import type { AppDeps } from "../core/deps";

export interface ShopifyDelivery {
  shop: string;
  topic: string;
  webhookId: string;
  eventId?: string;
  payload: unknown;
}

const scopesUpdateSchema = z.object({ current: z.array(z.string()) });

const customersRedactSchema = z.object({
  customer: z.object({ id: z.number(), email: z.string().nullish(), phone: z.string().nullish() }),
  orders_to_redact: z.array(z.number()).default([]),
});

/** What a topic's handler did: handled it, or passed over it for a reason kept on the receipt. */
type Handled = "PROCESSED" | { ignored: string };
type TopicHandler = (deps: AppDeps, delivery: ShopifyDelivery, shopId: string | null) => Promise<Handled>;

const NO_SHOP = { ignored: "the shop is not installed" };
const UNINSTALLED = { ignored: "the shop uninstalled the app" };
/** Why a topic passes over a shop it does not serve: none, or one that uninstalled the app. */
const notServed = (shop: object | null): Handled => (shop ? UNINSTALLED : NO_SHOP);

const ORDER_TRIGGERS: Record<string, AutomationTrigger> = {
  ORDERS_CREATE: "ORDER_CREATED",
  ORDERS_PAID: "ORDER_PAID",
  ORDERS_CANCELLED: "ORDER_CANCELLED",
};

/** orders/create, orders/paid, orders/cancelled: record the order, then its automation. */
const orderTopic: TopicHandler = async ({ db }, delivery, shopId) => {
  const shop = shopId ? await db.shop.findUnique({ where: { id: shopId } }) : null;
  if (!shop || shop.uninstalledAt) return notServed(shop);
  const payload = orderPayloadSchema.parse(delivery.payload);
  // Dated when Shopify created it, as the backfill dates it: a webhook can come late.
  const { order, contact } = await recordOrder(db, shop, payload);
  const checkout = payload.checkout_token ? await db.checkout.findFirst({ where: { shopId: shop.id, token: payload.checkout_token } }) : null;
  if (checkout) await cancelCartReminders(db, shop.id, checkout.id);
  const about = { shop, subject: order.shopifyOrderId, contact, orderId: order.id, customerLocale: order.locale, fields: orderFields(payload, shop.locale) };
  // Cash on delivery: the customer is asked to confirm instead (when that automation is on).
  if (delivery.topic === "ORDERS_CREATE" && isCashOnDelivery(payload) && (await askCodConfirmation(db, about))) return "PROCESSED";
  await triggerAutomation(db, { ...about, trigger: ORDER_TRIGGERS[delivery.topic]! });
  return "PROCESSED";
};

/**
 * What a fulfillment event tells the customer, created or updated alike: the
 * shipping message once it has succeeded (a pending or open one has not left
 * yet), then out for delivery and delivered from its shipment status; nothing
 * for a cancelled or failed one. Each is sent once per fulfillment.
 */
export function fulfillmentTrigger(payload: Pick<FulfillmentPayload, "status" | "shipment_status">): AutomationTrigger | null {
  if (payload.status === "cancelled" || payload.status === "error" || payload.status === "failure") return null;
  if (payload.shipment_status === "out_for_delivery") return "OUT_FOR_DELIVERY";
  if (payload.shipment_status === "delivered") return "DELIVERED";
  return payload.status === "success" ? "FULFILLMENT_CREATED" : null;
}

/** Fulfillment topics: the order's tracking kept current; a shipment with tracking, then out for delivery, then delivered. */
const fulfillmentTopic: TopicHandler = async (deps, delivery, shopId) => {
  const { db } = deps;
  const shop = shopId ? await db.shop.findUnique({ where: { id: shopId } }) : null;
  if (!shop || shop.uninstalledAt) return notServed(shop);
  const payload = fulfillmentPayloadSchema.parse(delivery.payload);
  const order = await knownOrFetchedOrder(deps, shop, payload.order_id);
  // Its orders/create has not come, and Shopify did not give the order either: no such order, or the shop's token was refused.
  if (!order) return { ignored: `order ${payload.order_id} is not recorded and Shopify did not give it (no such order, or the shop's token was refused)` };
  await recordFulfillmentTracking(db, order.id, payload);
  const trigger = fulfillmentTrigger(payload);
  if (!trigger) return "PROCESSED";
  await triggerAutomation(db, {
    shop,
    trigger,
    subject: `${order.shopifyOrderId}:${payload.id}`,
    contact: order.contact,
    orderId: order.id,
    customerLocale: order.locale,
    fields: { ...storedOrderFields(order, shop.locale), ...fulfillmentFields(payload) },
  });
  return "PROCESSED";
};

/** checkouts/create and checkouts/update: (re)schedule the cart reminder from the last update. */
const checkoutTopic: TopicHandler = async ({ db }, delivery, shopId) => {
  const shop = shopId ? await db.shop.findUnique({ where: { id: shopId } }) : null;
  if (!shop || shop.uninstalledAt) return notServed(shop);
  const payload = checkoutPayloadSchema.parse(delivery.payload);
  const { checkout, contact, fields } = await recordCheckout(db, shop, payload);
  if (checkout.completedAt || checkout.orderId) {
    await cancelCartReminders(db, shop.id, checkout.id);
    return "PROCESSED";
  }
  for (const secondReminder of [false, true]) {
    await triggerAutomation(db, {
      shop,
      trigger: "CHECKOUT_ABANDONED",
      subject: checkout.shopifyCheckoutId,
      contact,
      checkoutId: checkout.id,
      customerLocale: checkout.locale,
      fields,
      at: checkout.lastUpdatedAt,
      reschedule: true,
      secondReminder,
    });
  }
  return "PROCESSED";
};

const handlers: Record<string, TopicHandler> = {
  APP_UNINSTALLED: async (deps, delivery, shopId) => {
    if (shopId) await disconnectWhatsApp(deps, shopId, "APP_UNINSTALLED");
    await recordUninstall(deps.db, delivery.shop);
    return "PROCESSED";
  },
  SHOP_REDACT: async ({ db }, delivery) => {
    await redactShop(db, delivery.shop);
    return "PROCESSED";
  },
  CUSTOMERS_REDACT: async ({ db }, delivery, shopId) => {
    const request = customersRedactSchema.parse(delivery.payload);
    const shop = shopId ? await db.shop.findUnique({ where: { id: shopId } }) : null;
    if (!shop) return NO_SHOP;
    await redactCustomer(db, shop, request.customer, request.orders_to_redact.map(String));
    // The counts only (no personal data): proof for the merchant that the request was acted on.
    log.info({ shopId, orders: request.orders_to_redact.length }, "customers/redact: the customer's data was erased");
    return "PROCESSED";
  },
  // Name, timezone, currency or locale may have changed: read them again from the Admin API.
  SHOP_UPDATE: async (deps, delivery) => ((await refreshShopFacts(deps, delivery.shop)) ? "PROCESSED" : { ignored: "the shop's facts could not be read: no offline token Shopify accepts" }),
  // The merchant granted or removed scopes: the offline session states what the token may do now.
  APP_SCOPES_UPDATE: async ({ db }, delivery) => {
    const { current } = scopesUpdateSchema.parse(delivery.payload);
    await db.session.updateMany({ where: { shop: delivery.shop, isOnline: false }, data: { scope: current.join(",") } });
    return "PROCESSED";
  },
  // Logged and listed on the home page; the merchant downloads the customer's data there.
  CUSTOMERS_DATA_REQUEST: async ({ db }, delivery, shopId) => {
    if (!shopId) return NO_SHOP;
    await recordDataRequest(db, shopId, delivery.payload);
    return "PROCESSED";
  },
  ORDERS_CREATE: orderTopic,
  ORDERS_PAID: orderTopic,
  ORDERS_CANCELLED: orderTopic,
  FULFILLMENTS_CREATE: fulfillmentTopic,
  FULFILLMENTS_UPDATE: fulfillmentTopic,
  CHECKOUTS_CREATE: checkoutTopic,
  CHECKOUTS_UPDATE: checkoutTopic,
  CUSTOMERS_MARKETING_CONSENT_UPDATE: async ({ db }, delivery, shopId) => {
    const shop = shopId ? await db.shop.findUnique({ where: { id: shopId } }) : null;
    if (!shop || shop.uninstalledAt) return notServed(shop);
    return applyShopifySmsConsent(db, shop, delivery.payload);
  },
};

const storedDeliverySchema = z.object({ shop: z.string(), topic: z.string(), webhookId: z.string(), eventId: z.string().optional(), payload: z.unknown() });

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/** Shopify names topics "orders/create"; handlers use the library's stored form ORDERS_CREATE. */
export function topicKey(topic: string): string {
  return topic.toUpperCase().replace(/\/|\./g, "_");
}

export type ShopifyIntake = { kind: "unauthorized" } | { kind: "stored"; receiptId: string } | { kind: "spooled" } | { kind: "duplicate" } | { kind: "rejected"; reason: string };

/**
 * Intake of one delivery: the HMAC over the raw bytes, then the headers and
 * the JSON, then one stored receipt. A signed delivery that is malformed is
 * recorded as REJECTED with the real reason (Shopify would only resend the
 * same bytes); a failure to store throws, so the route answers 500 and
 * Shopify retries.
 */
export async function receiveShopifyWebhook(db: Db, rawBody: Buffer, header: (name: string) => string | null, apiSecret: string): Promise<ShopifyIntake> {
  if (!isValidShopifyHmac(rawBody, header("x-shopify-hmac-sha256"), apiSecret)) {
    log.warn("Rejected a Shopify webhook with a missing or wrong HMAC");
    return { kind: "unauthorized" };
  }
  const text = rawBody.toString("utf8");
  const shop = header("x-shopify-shop-domain")?.trim().toLowerCase() ?? "";
  const topic = header("x-shopify-topic")?.trim() ?? "";
  const webhookId = header("x-shopify-webhook-id")?.trim() ?? "";
  const eventId = header("x-shopify-event-id")?.trim() || undefined;
  const missing = [!topic && "X-Shopify-Topic", !shop && "X-Shopify-Shop-Domain", !webhookId && "X-Shopify-Webhook-Id"].filter(Boolean);
  const parsed = parseJsonBody(text);
  const problem = missing.length ? `missing header ${missing.join(", ")}` : !SHOP_DOMAIN.test(shop) ? "X-Shopify-Shop-Domain is not a myshopify.com domain" : !parsed.ok ? parsed.reason : null;
  if (problem) {
    log.warn({ topic: topic || undefined, reason: problem }, "Signed Shopify webhook recorded as rejected");
    await insertOnce(() =>
      db.webhookReceipt.create({
        data: {
          source: "SHOPIFY",
          dedupeKey: eventId ?? (webhookId || `sha256:${sha256(rawBody)}`),
          topic: topic ? topicKey(topic) : "unknown",
          status: "REJECTED",
          error: problem,
          payload: "",
          processedAt: new Date(),
        },
      }),
    );
    return { kind: "rejected", reason: problem };
  }
  const key = topicKey(topic);
  // The payload is kept as the bytes Shopify sent (valid JSON, depth-checked), not re-serialised;
  // the shop is looked up when the receipt is handled, so intake is this one insert.
  const payload = `{"shop":${JSON.stringify(shop)},"topic":${JSON.stringify(key)},"webhookId":${JSON.stringify(webhookId)}${eventId ? `,"eventId":${JSON.stringify(eventId)}` : ""},"payload":${text}}`;
  const receipt = await storeReceipt(db, { source: "SHOPIFY", dedupeKey: eventId ?? webhookId, topic: key, payload });
  return receipt === "spooled" ? { kind: "spooled" } : receipt ? { kind: "stored", receiptId: receipt.id } : { kind: "duplicate" };
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Claims a stored receipt and runs its topic's handler. Handlers are
 * idempotent, so a second run changes nothing; failures are recorded by
 * failReceipt (rejected, retried later, or dead).
 */
export async function processShopifyReceipt(deps: AppDeps, receiptId: string, claimer: Claimer = {}): Promise<void> {
  const { db } = deps;
  const receipt = await claimReceipt(db, receiptId, claimer);
  if (!receipt) return;
  const owner: { shopId?: string | null } = {};
  try {
    const delivery = storedDeliverySchema.parse(JSON.parse(receipt.payload)) as ShopifyDelivery;
    // shop/redact erases the shop, so its receipt is not tied to it.
    owner.shopId = delivery.topic === "SHOP_REDACT" ? null : ((await findShop(db, delivery.shop))?.id ?? null);
    const handler = handlers[delivery.topic];
    if (!handler) return await finishReceipt(db, receipt, "IGNORED", `no handler for ${delivery.topic}`, owner);
    const handled = await handler(deps, delivery, owner.shopId);
    await finishReceipt(db, receipt, handled === "PROCESSED" ? "PROCESSED" : "IGNORED", handled === "PROCESSED" ? undefined : handled.ignored, owner);
  } catch (error) {
    const outcome = await failReceipt(db, receipt, error, owner);
    log.error({ receiptId: receipt.id, topic: receipt.topic, attempt: receipt.attempts, outcome: outcome.status, err: error }, "Shopify webhook could not be processed");
  }
}
