// Conversation threads: everything WhatsApp said about an order, oldest first,
// as the app page and the admin order-page block show it. Every read is scoped
// by the shop of the caller's session.
import { z } from "zod";

import { optOutOfMarketing } from "./consent.server";
import type { Db } from "./db.server";
import { CUSTOMER_SERVICE_WINDOW_MS } from "./domain";
import type { Contact } from "./generated/prisma/client";
import { fillTemplate, templateBody } from "./template-text";

export interface ThreadMessage {
  id: string;
  direction: "IN" | "OUT";
  source: string;
  type: string;
  templateName: string | null;
  text: string | null;
  status: string;
  error: string | null;
  occurredAt: string;
  pricingCategory: string | null;
  costMicros: number | null;
  currency: string | null;
  staffName: string | null;
}

export interface OrderThread {
  order: { id: string; shopifyOrderId: string; name: string; customerName: string | null; phone: string | null };
  messages: ThreadMessage[];
  /** Sum of the known message costs, in millionths of `currency`; null when none is known yet. */
  totalCostMicros: number | null;
  currency: string | null;
}


/** The customer service window: open for 24 h after the customer's last message. */
export function serviceWindow(contact: Pick<Contact, "lastInboundAt"> | null, now = new Date()): { open: boolean; closesAt: string | null } {
  if (!contact?.lastInboundAt) return { open: false, closesAt: null };
  const closesAt = new Date(contact.lastInboundAt.getTime() + CUSTOMER_SERVICE_WINDOW_MS);
  return { open: closesAt > now, closesAt: closesAt.toISOString() };
}

const paramsSchema = z.object({ body: z.array(z.string()).default([]) }).catch({ body: [] });

/** Shopify order ids arrive as numbers or as gid://shopify/Order/123. */
export function shopifyOrderIdOf(raw: string): string | null {
  const match = /^(?:gid:\/\/shopify\/Order\/)?(\d+)$/.exec(raw);
  return match ? match[1]! : null;
}

export async function orderThread(db: Db, shopId: string, shopifyOrderId: string, limit = 200): Promise<OrderThread | null> {
  const order = await db.order.findUnique({ where: { shopId_shopifyOrderId: { shopId, shopifyOrderId } } });
  if (!order) return null;
  const rows = await db.message.findMany({
    where: { shopId, orderId: order.id },
    orderBy: [{ occurredAt: "asc" }, { createdAt: "asc" }],
    take: limit,
    include: { template: { select: { components: true } } },
  });
  // WhatsApp timestamps have one-second resolution, the app's own sends have
  // milliseconds: within one second, the order messages reached the app wins.
  const second = (d: Date) => Math.floor(d.getTime() / 1000);
  rows.sort((a, b) => second(a.occurredAt) - second(b.occurredAt) || a.createdAt.getTime() - b.createdAt.getTime());
  const messages: ThreadMessage[] = rows.map((m) => ({
    id: m.id,
    direction: m.direction as "IN" | "OUT",
    source: m.source,
    type: m.type,
    templateName: m.templateName,
    text: m.template ? fillTemplate(templateBody(m.template.components), paramsSchema.parse(m.params ?? {}).body) : m.body,
    status: m.status,
    error: m.skipReason ?? m.errorTitle,
    occurredAt: m.occurredAt.toISOString(),
    pricingCategory: m.pricingCategory,
    costMicros: m.costMicros,
    currency: m.currency,
    staffName: m.staffName,
  }));
  const costed = messages.filter((m) => m.costMicros !== null);
  return {
    order: { id: order.id, shopifyOrderId: order.shopifyOrderId, name: order.name, customerName: order.customerName, phone: order.phone },
    messages,
    totalCostMicros: costed.length ? costed.reduce((sum, m) => sum + (m.costMicros ?? 0), 0) : null,
    currency: costed[0]?.currency ?? null,
  };
}

/** A message joined the order's conversation: keep the list's ordering current. */
export async function touchConversation(db: Db, orderId: string | null | undefined, at: Date) {
  if (!orderId) return;
  await db.order.updateMany({ where: { id: orderId, OR: [{ lastMessageAt: null }, { lastMessageAt: { lt: at } }] }, data: { lastMessageAt: at } });
}

export type ConversationFilter = "all" | "unread" | "needs-reply";

export interface ConversationRow {
  shopifyOrderId: string;
  name: string;
  customerName: string | null;
  phone: string | null;
  lastMessage: { direction: string; source: string; text: string | null; templateName: string | null; at: string } | null;
  unread: boolean;
  needsReply: boolean;
}

/**
 * Orders with a conversation, latest first. Unread: the customer wrote after
 * staff last opened the thread. Needs reply: the last word is the customer's
 * and nobody marked the thread handled since.
 */
export async function listConversations(db: Db, shopId: string, options: { query?: string; filter?: ConversationFilter; take?: number } = {}): Promise<ConversationRow[]> {
  const query = options.query?.trim();
  const digits = query?.replace(/\D/g, "");
  const orders = await db.order.findMany({
    where: {
      shopId,
      lastMessageAt: { not: null },
      ...(query
        ? { OR: [{ name: { contains: query } }, { customerName: { contains: query } }, ...(digits && digits.length >= 4 ? [{ phone: { contains: digits } }] : [])] }
        : {}),
    },
    orderBy: { lastMessageAt: "desc" },
    take: 200,
    include: {
      messages: { where: { status: { notIn: ["SKIPPED", "CANCELLED"] } }, orderBy: [{ occurredAt: "desc" }, { createdAt: "desc" }], take: 1 },
    },
  });
  // Compared with staff actions by when the app received them: WhatsApp's own
  // timestamps are whole seconds, staff actions are not.
  const lastInbound = await db.message.groupBy({ by: ["orderId"], where: { shopId, direction: "IN", orderId: { in: orders.map((o) => o.id) } }, _max: { createdAt: true } });
  const inboundAt = new Map(lastInbound.map((row) => [row.orderId, row._max.createdAt]));
  const rows = orders.map((order): ConversationRow => {
    const last = order.messages[0];
    const customerAt = inboundAt.get(order.id) ?? null;
    return {
      shopifyOrderId: order.shopifyOrderId,
      name: order.name,
      customerName: order.customerName,
      phone: order.phone,
      lastMessage: last ? { direction: last.direction, source: last.source, text: last.body, templateName: last.templateName, at: last.occurredAt.toISOString() } : null,
      unread: Boolean(customerAt && (!order.threadViewedAt || customerAt > order.threadViewedAt)),
      needsReply: Boolean(last?.direction === "IN" && customerAt && (!order.threadHandledAt || customerAt > order.threadHandledAt)),
    };
  });
  const filtered = options.filter === "unread" ? rows.filter((r) => r.unread) : options.filter === "needs-reply" ? rows.filter((r) => r.needsReply) : rows;
  return filtered.slice(0, options.take ?? 50);
}

export async function markThreadViewed(db: Db, shopId: string, orderId: string) {
  await db.order.updateMany({ where: { id: orderId, shopId }, data: { threadViewedAt: new Date() } });
}

export async function markThreadHandled(db: Db, shopId: string, shopifyOrderId: string) {
  await db.order.updateMany({ where: { shopId, shopifyOrderId }, data: { threadHandledAt: new Date() } });
}

/** Everything the thread page shows; opening it marks the thread read. */
export async function loadThreadPage(db: Db, shopId: string, shopifyOrderId: string | null) {
  const thread = shopifyOrderId ? await orderThread(db, shopId, shopifyOrderId) : null;
  const order = thread ? await db.order.findUnique({ where: { id: thread.order.id }, include: { contact: true } }) : null;
  if (order) await markThreadViewed(db, shopId, order.id);
  const templates = await db.template.findMany({ where: { shopId, status: "APPROVED", category: "UTILITY" }, distinct: ["name"], orderBy: { name: "asc" }, select: { name: true } });
  return {
    thread,
    window: serviceWindow(order?.contact ?? null),
    templates: templates.map((t) => t.name),
    optedOut: order?.contact?.marketingOptedOutAt ? (order.contact.marketingOptOutSource ?? "") : null,
  };
}

/** Staff quick action: the order's customer gets no more marketing. */
export async function optOutOrderCustomer(db: Db, shopId: string, shopifyOrderId: string, staff: string): Promise<boolean> {
  const order = await db.order.findUnique({ where: { shopId_shopifyOrderId: { shopId, shopifyOrderId } } });
  if (!order?.contactId) return false;
  await optOutOfMarketing(db, shopId, order.contactId, staff);
  return true;
}
