// Shopify webhook intake: each delivery becomes a receipt keyed by its event
// id (so a repeated delivery is a no-op), then the topic is handled. HMAC is
// verified before this module is reached (authenticate.webhook in the route).
import { z } from "zod";

import { cancelCartReminders, triggerAutomation } from "./automations.server";
import type { AutomationTrigger } from "./domain";
import type { Db } from "./db.server";
import { insertOnce } from "./db-errors.server";
import {
  checkoutPayloadSchema,
  fulfillmentFields,
  fulfillmentPayloadSchema,
  orderFields,
  orderPayloadSchema,
  recordCheckout,
  recordOrder,
  storedOrderFields,
} from "./orders.server";
import { findShop, recordUninstall, redactShop } from "./shops.server";
import { disconnectWhatsApp, type SignupDeps } from "./signup.server";

export interface ShopifyDelivery {
  shop: string;
  topic: string;
  webhookId: string;
  eventId?: string;
  payload: unknown;
}

const customersRedactSchema = z.object({
  customer: z.object({ id: z.number(), email: z.string().nullish(), phone: z.string().nullish() }),
  orders_to_redact: z.array(z.number()).default([]),
});

type TopicHandler = (deps: SignupDeps, delivery: ShopifyDelivery, shopId: string | null) => Promise<"PROCESSED" | "IGNORED">;

const ORDER_TRIGGERS: Record<string, AutomationTrigger> = {
  ORDERS_CREATE: "ORDER_CREATED",
  ORDERS_PAID: "ORDER_PAID",
  ORDERS_CANCELLED: "ORDER_CANCELLED",
};

/** orders/create, orders/paid, orders/cancelled: record the order, then its automation. */
const orderTopic: TopicHandler = async ({ db }, delivery, shopId) => {
  const shop = shopId ? await db.shop.findUnique({ where: { id: shopId } }) : null;
  if (!shop || shop.uninstalledAt) return "IGNORED";
  const payload = orderPayloadSchema.parse(delivery.payload);
  const { order, contact } = await recordOrder(db, shop.id, payload);
  const checkout = payload.checkout_token ? await db.checkout.findFirst({ where: { shopId: shop.id, token: payload.checkout_token } }) : null;
  if (checkout) await cancelCartReminders(db, shop.id, checkout.id);
  await triggerAutomation(db, {
    shop,
    trigger: ORDER_TRIGGERS[delivery.topic]!,
    subject: order.shopifyOrderId,
    contact,
    orderId: order.id,
    customerLocale: order.locale,
    fields: orderFields(payload),
  });
  return "PROCESSED";
};

/** Fulfillment topics: a shipment with tracking, then out for delivery, then delivered. */
const fulfillmentTopic: TopicHandler = async ({ db }, delivery, shopId) => {
  const shop = shopId ? await db.shop.findUnique({ where: { id: shopId } }) : null;
  if (!shop || shop.uninstalledAt) return "IGNORED";
  const payload = fulfillmentPayloadSchema.parse(delivery.payload);
  const order = await db.order.findUnique({ where: { shopId_shopifyOrderId: { shopId: shop.id, shopifyOrderId: String(payload.order_id) } }, include: { contact: true } });
  if (!order) return "IGNORED";
  const trigger: AutomationTrigger | null =
    delivery.topic === "FULFILLMENTS_CREATE"
      ? "FULFILLMENT_CREATED"
      : payload.shipment_status === "out_for_delivery"
        ? "OUT_FOR_DELIVERY"
        : payload.shipment_status === "delivered"
          ? "DELIVERED"
          : null;
  if (!trigger) return "IGNORED";
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
  if (!shop || shop.uninstalledAt) return "IGNORED";
  const payload = checkoutPayloadSchema.parse(delivery.payload);
  const { checkout, contact, fields } = await recordCheckout(db, shop.id, payload);
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
    const { customer, orders_to_redact } = customersRedactSchema.parse(delivery.payload);
    if (!shopId) return "IGNORED";
    const orderIds = orders_to_redact.map(String);
    await db.$transaction(async (tx) => {
      const contacts = await tx.contact.findMany({
        where: { shopId, OR: [...(customer.phone ? [{ phoneE164: customer.phone }] : []), { orders: { some: { shopifyOrderId: { in: orderIds } } } }] },
        select: { id: true },
      });
      const contactIds = contacts.map((c) => c.id);
      await tx.message.deleteMany({ where: { shopId, OR: [{ contactId: { in: contactIds } }, { order: { shopifyOrderId: { in: orderIds } } }] } });
      await tx.order.deleteMany({ where: { shopId, shopifyOrderId: { in: orderIds } } });
      await tx.contact.deleteMany({ where: { shopId, id: { in: contactIds } } });
    });
    return "PROCESSED";
  },
  // The app keeps no customer data beyond what the thread pages show the merchant.
  CUSTOMERS_DATA_REQUEST: async () => "PROCESSED",
  ORDERS_CREATE: orderTopic,
  ORDERS_PAID: orderTopic,
  ORDERS_CANCELLED: orderTopic,
  FULFILLMENTS_CREATE: fulfillmentTopic,
  FULFILLMENTS_UPDATE: fulfillmentTopic,
  CHECKOUTS_CREATE: checkoutTopic,
  CHECKOUTS_UPDATE: checkoutTopic,
};

const storedDeliverySchema = z.object({ shop: z.string(), topic: z.string(), webhookId: z.string(), eventId: z.string().optional(), payload: z.unknown() });

/**
 * Stores a verified delivery as a receipt, keyed by its event id; returns the
 * receipt to process, or null when Shopify already delivered it. This is all
 * that happens before the 200: handling runs after the response.
 */
export async function acceptShopifyWebhook(db: Db, delivery: ShopifyDelivery): Promise<string | null> {
  const shop = await findShop(db, delivery.shop);
  const receipt = await insertOnce(() =>
    db.webhookReceipt.create({
      data: {
        source: "SHOPIFY",
        dedupeKey: delivery.eventId ?? delivery.webhookId,
        topic: delivery.topic,
        shopId: delivery.topic === "SHOP_REDACT" ? null : (shop?.id ?? null),
        payload: JSON.stringify(delivery),
      },
    }),
  );
  return receipt?.id ?? null;
}

/** Runs the topic's handler for a stored receipt. Handlers are idempotent, so a second run changes nothing. */
export async function processShopifyReceipt(deps: SignupDeps, receiptId: string): Promise<void> {
  const { db } = deps;
  const receipt = await db.webhookReceipt.findUniqueOrThrow({ where: { id: receiptId } });
  const delivery = storedDeliverySchema.parse(JSON.parse(receipt.payload)) as ShopifyDelivery;
  const handler = handlers[delivery.topic];
  if (!handler) {
    await db.webhookReceipt.update({ where: { id: receipt.id }, data: { status: "IGNORED", error: `no handler for ${delivery.topic}`, processedAt: new Date() } });
    return;
  }
  try {
    const status = await handler(deps, delivery, receipt.shopId);
    await db.webhookReceipt.update({ where: { id: receipt.id }, data: { status, processedAt: new Date() } });
  } catch (error) {
    const invalid = error instanceof z.ZodError;
    const reason = invalid ? `invalid ${delivery.topic} payload: ${error.issues.map((i) => i.path.join(".")).join(", ")}` : String(error);
    console.error(`Shopify webhook ${delivery.topic} for ${delivery.shop} failed: ${reason}`);
    // A malformed payload will not improve; anything else is retried by the receipts job.
    await db.webhookReceipt.update({ where: { id: receipt.id }, data: { status: invalid ? "REJECTED" : "RECEIVED", error: reason } });
  }
}

let backgroundChain: Promise<void> = Promise.resolve();

/** Processes receipts one at a time in arrival order (an order before its fulfillment), after the response. */
export function processInBackground(deps: SignupDeps, receiptId: string): void {
  backgroundChain = backgroundChain.then(() => processShopifyReceipt(deps, receiptId)).catch((error: unknown) => console.error(`Processing Shopify receipt ${receiptId} failed:`, error));
}

/** Receipts left RECEIVED by a crash or a transient failure. */
export async function reprocessPendingShopifyReceipts(deps: SignupDeps, olderThanMs = 60_000): Promise<number> {
  const stale = await deps.db.webhookReceipt.findMany({
    where: { source: "SHOPIFY", status: "RECEIVED", receivedAt: { lt: new Date(Date.now() - olderThanMs) } },
    orderBy: { receivedAt: "asc" },
    take: 100,
    select: { id: true },
  });
  for (const receipt of stale) await processShopifyReceipt(deps, receipt.id);
  return stale.length;
}

/** A delivery whose HMAC was valid but whose body is not JSON: keep it, acknowledge it. */
export async function recordMalformedShopifyWebhook(db: Db, headers: Headers, rawBody: string) {
  const shop = headers.get("x-shopify-shop-domain") ?? "unknown";
  const topic = headers.get("x-shopify-topic") ?? "unknown";
  console.warn(`Signed Shopify webhook ${topic} from ${shop} is not valid JSON; acknowledged and recorded as rejected`);
  await insertOnce(() =>
    db.webhookReceipt.create({
      data: {
        source: "SHOPIFY",
        dedupeKey: headers.get("x-shopify-event-id") ?? headers.get("x-shopify-webhook-id") ?? `malformed:${Date.now()}`,
        topic,
        status: "REJECTED",
        error: "body is not valid JSON",
        payload: rawBody,
      },
    }),
  );
}
