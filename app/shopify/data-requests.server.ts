// Shopify's customers/data_request: the request is logged when it arrives and
// listed on the home page (90 days, then the request and its identifiers are
// deleted); the merchant downloads what the app holds about the customer
// (contact with consent and opt-out sources and times, orders, checkouts, every
// message) as JSON and sends it to them. Only the shop that received it can read it.
import { z } from "zod";

import { customerRecords } from "./customer-records.server";
import type { Db } from "../core/db.server";

export const dataRequestSchema = z.object({
  customer: z.object({ id: z.number(), email: z.string().nullish(), phone: z.string().nullish() }),
  orders_requested: z.array(z.number()).default([]),
  data_request: z.object({ id: z.union([z.number(), z.string()]) }).optional(),
});

export async function recordDataRequest(db: Db, shopId: string, raw: unknown) {
  const request = dataRequestSchema.parse(raw);
  await db.dataRequest.create({
    data: {
      shopId,
      shopifyRequestId: request.data_request ? String(request.data_request.id) : null,
      shopifyCustomerId: String(request.customer.id),
      email: request.customer.email ?? null,
      phone: request.customer.phone ?? null,
      orderIds: request.orders_requested.map(String),
    },
  });
}

const KEPT_MS = 90 * 24 * 60 * 60 * 1000;

/** The retention job: requests older than 90 days go, with the email and phone they name. */
export async function purgeDataRequests(db: Db, now = new Date()): Promise<number> {
  return (await db.dataRequest.deleteMany({ where: { requestedAt: { lt: new Date(now.getTime() - KEPT_MS) } } })).count;
}

/** Requests of the last 90 days, newest first, for the home page (no personal data: the customer's Shopify id). */
export async function openDataRequests(db: Db, shopId: string) {
  return db.dataRequest.findMany({
    where: { shopId, requestedAt: { gte: new Date(Date.now() - KEPT_MS) } },
    orderBy: { requestedAt: "desc" },
    select: { id: true, shopifyCustomerId: true, requestedAt: true, downloadedAt: true },
    take: 20,
  });
}

/** What the app holds about the request's customer, or null when the request is not this shop's. */
export async function dataRequestExport(db: Db, shop: { id: string; country: string | null }, requestId: string) {
  const request = await db.dataRequest.findFirst({ where: { id: requestId, shopId: shop.id } });
  if (!request) return null;
  const orderIds = z.array(z.string()).catch([]).parse(request.orderIds);
  const { contacts, orders, checkouts } = await customerRecords(db, shop, { shopifyCustomerId: request.shopifyCustomerId, phone: request.phone, email: request.email, orderIds });
  const contactIds = contacts.map((c) => c.id);
  const messages = await db.message.findMany({
    where: { shopId: shop.id, OR: [{ contactId: { in: contactIds } }, { orderId: { in: orders.map((o) => o.id) } }] },
    orderBy: { occurredAt: "asc" },
  });
  const consentRecords = await db.consentRecord.findMany({ where: { shopId: shop.id, contactId: { in: contactIds } }, orderBy: { recordedAt: "asc" }, include: { order: { select: { name: true } } } });
  await db.dataRequest.update({ where: { id: request.id }, data: { downloadedAt: new Date() } });
  return {
    request: { shopifyRequestId: request.shopifyRequestId, shopifyCustomerId: request.shopifyCustomerId, requestedAt: request.requestedAt.toISOString() },
    contacts: contacts.map((c) => ({
      phone: c.phoneE164,
      whatsappId: c.waId,
      name: c.name,
      locale: c.locale,
      utilityConsent: { given: c.utilityConsent, source: c.utilityConsentSource, at: c.utilityConsentAt?.toISOString() ?? null },
      marketingConsent: { given: c.marketingConsent, source: c.marketingConsentSource, at: c.marketingConsentAt?.toISOString() ?? null },
      marketingOptOut: c.marketingOptedOutAt ? { source: c.marketingOptOutSource, at: c.marketingOptedOutAt.toISOString() } : null,
      consentHistory: consentRecords
        .filter((r) => r.contactId === c.id)
        .map((r) => ({ category: r.category, granted: r.granted, source: r.source, at: r.recordedAt.toISOString(), textShown: r.text, locale: r.locale, order: r.order?.name ?? null })),
    })),
    orders: orders.map((o) => ({ shopifyOrderId: o.shopifyOrderId, name: o.name, customerName: o.customerName, email: o.email, phone: o.phone, createdAt: o.createdAt.toISOString() })),
    checkouts: checkouts.map((c) => ({
      shopifyCheckoutId: c.shopifyCheckoutId,
      customerName: c.customerName,
      email: c.email,
      phone: c.phone,
      recoveryUrl: c.recoveryUrl,
      updatedAt: c.lastUpdatedAt.toISOString(),
    })),
    messages: messages.map((m) => ({
      direction: m.direction,
      source: m.source,
      at: m.occurredAt.toISOString(),
      template: m.templateName,
      parameters: m.params,
      text: m.body,
      content: m.content,
      status: m.status,
    })),
  };
}
