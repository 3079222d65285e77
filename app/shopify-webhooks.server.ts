// Shopify webhook intake: each delivery becomes a receipt keyed by its event
// id (so a repeated delivery is a no-op), then the topic is handled. HMAC is
// verified before this module is reached (authenticate.webhook in the route).
import { z } from "zod";

import { cancelCartReminders, triggerAutomation } from "./automations.server";
import type { AutomationTrigger } from "./domain";
import type { Db } from "./db.server";
import { insertOnce } from "./db-errors.server";
import type { Shop } from "./generated/prisma/client";
import {
  checkoutPayloadSchema,
  formatMoney,
  fulfillmentFields,
  fulfillmentPayloadSchema,
  orderFields,
  orderPayloadSchema,
  recordCheckout,
  recordOrder,
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
    fields: orderRowFields(shop, order, fulfillmentFields(payload)),
  });
  return "PROCESSED";
};

function orderRowFields(shop: Shop, order: { name: string; customerName: string | null; totalPrice: string | null; currency: string | null; locale: string | null }, extra: Record<string, string>) {
  return { customer_first_name: order.customerName ?? "", order_name: order.name, order_total: formatMoney(order.totalPrice, order.currency, order.locale ?? shop.locale), ...extra };
}

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
  });
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

export async function receiveShopifyWebhook(deps: SignupDeps, delivery: ShopifyDelivery): Promise<"processed" | "duplicate" | "ignored"> {
  const { db } = deps;
  const shop = await findShop(db, delivery.shop);
  const receipt = await insertOnce(() =>
    db.webhookReceipt.create({
      data: {
        source: "SHOPIFY",
        dedupeKey: delivery.eventId ?? delivery.webhookId,
        topic: delivery.topic,
        shopId: delivery.topic === "SHOP_REDACT" ? null : (shop?.id ?? null),
        payload: JSON.stringify(delivery.payload),
      },
    }),
  );
  if (!receipt) return "duplicate";
  const handler = handlers[delivery.topic];
  if (!handler) {
    await db.webhookReceipt.update({ where: { id: receipt.id }, data: { status: "IGNORED", error: `no handler for ${delivery.topic}`, processedAt: new Date() } });
    return "ignored";
  }
  try {
    const status = await handler(deps, delivery, shop?.id ?? null);
    await db.webhookReceipt.update({ where: { id: receipt.id }, data: { status, processedAt: new Date() } });
    return status === "PROCESSED" ? "processed" : "ignored";
  } catch (error) {
    const reason = error instanceof z.ZodError ? `invalid ${delivery.topic} payload: ${error.issues.map((i) => i.path.join(".")).join(", ")}` : String(error);
    console.error(`Shopify webhook ${delivery.topic} for ${delivery.shop} failed: ${reason}`);
    await db.webhookReceipt.update({ where: { id: receipt.id }, data: { status: "REJECTED", error: reason } });
    return "ignored";
  }
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
