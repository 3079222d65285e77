// Conversation threads: everything WhatsApp said about an order, or with a
// customer across their orders, oldest first, as the app pages and the admin
// order-page block show it. Every read is scoped by the shop of the caller.
import { z } from "zod";

import { optOutOfMarketing, optOutSource } from "./consent.server";
import { formatPhone } from "./phone-format";
import { conversationEvents, markConversationHandled, markConversationViewed, staffDirectory } from "./conversations.server";
import type { Db } from "../core/db.server";
import { CUSTOMER_SERVICE_WINDOW_MS } from "../core/domain";
import { type Contact, type Prisma } from "../generated/prisma/client";
import { type Staff, staffSource } from "../shopify/staff.server";
import { sentTemplateText } from "../whatsapp/template-text";
import { type MessageContent, storedContent } from "../whatsapp/message-content";
import { messageProblemOf, type Reason } from "../core/reasons";

export interface ThreadMessage {
  id: string;
  direction: "IN" | "OUT";
  source: string;
  type: string;
  templateName: string | null;
  text: string | null;
  /** What a message other than plain text carries (its media is read from /app/media/:id). */
  content: MessageContent | null;
  /** The latest reaction to this message (an emoji): the customer's, or the phone app's to a customer message. */
  reaction: string | null;
  edited: boolean;
  deleted: boolean;
  status: string;
  /** Why it did not go out, as a code its host words (app/core/reasons.ts). */
  error: Reason | null;
  occurredAt: string;
  pricingCategory: string | null;
  costMicros: number | null;
  currency: string | null;
  /** A staff reply's author: their name when they sent it. */
  staffName: string | null;
  /** The order the message is about, if any. */
  order: { shopifyOrderId: string; name: string } | null;
}

export interface OrderThread {
  order: { id: string; shopifyOrderId: string; name: string; customerName: string | null; phone: string | null };
  /** The newest messages (before the cursor, if one was given), oldest first. */
  messages: ThreadMessage[];
  /** Older messages exist: pass `earlierCursor` as `before` to read the page before this one. */
  hasEarlier: boolean;
  earlierCursor: string | null;
  /** How many messages the order has in all, not only on this page. */
  messageCount: number;
  /** The order's WhatsApp cost (all its messages, not only this page), in millionths of `currency`; null when none is known yet. */
  totalCostMicros: number | null;
  currency: string | null;
  /** Cash on delivery: the customer's answer (ASKED until one comes) and whether Shopify has it as a tag; null for other orders. */
  cod: { status: string; answeredAt: string | null; writtenToShopify: boolean } | null;
}

/** Messages per page of a thread. */
const THREAD_PAGE_SIZE = 200;

/** `?before=`: an `earlierCursor` handed out with a page. */
export const threadCursorSchema = z.object({
  before: z
    .string()
    .datetime()
    .transform((value) => new Date(value))
    .optional(),
});

/** The customer service window: open for 24 h after the customer's last message. */
export interface ServiceWindow {
  open: boolean;
  closesAt: string | null;
  /** When `open` was judged: a page renders the time left from it until the browser's clock takes over. */
  asOf: string;
}

export function serviceWindow(contact: Pick<Contact, "lastInboundAt"> | null, now = new Date()): ServiceWindow {
  if (!contact?.lastInboundAt) return { open: false, closesAt: null, asOf: now.toISOString() };
  const closesAt = new Date(contact.lastInboundAt.getTime() + CUSTOMER_SERVICE_WINDOW_MS);
  return { open: closesAt > now, closesAt: closesAt.toISOString(), asOf: now.toISOString() };
}

/** Shopify order ids arrive as numbers or as gid://shopify/Order/123. */
export function shopifyOrderIdOf(raw: string): string | null {
  const match = /^(?:gid:\/\/shopify\/Order\/)?(\d+)$/.exec(raw);
  return match ? match[1]! : null;
}

type MessageWhere = Prisma.MessageWhereInput;

/** A page of messages: the newest before `before` (or the newest of all), oldest first; with `keepNewer`, also every message from `before` on. */
async function messagePage(db: Db, where: MessageWhere, options: { before?: Date; keepNewer?: boolean }) {
  const { before, keepNewer = false } = options;
  const newest = await db.message.findMany({
    where: { ...where, occurredAt: { lt: before } },
    orderBy: [{ occurredAt: "desc" }, { createdAt: "desc" }],
    take: THREAD_PAGE_SIZE,
    select: { occurredAt: true },
  });
  // WhatsApp timestamps have one-second resolution, the app's own sends have
  // milliseconds: within one second, the order messages reached the app wins.
  // So a page starts on a whole second, and no second is split between pages.
  const second = (d: Date) => Math.floor(d.getTime() / 1000);
  const start = newest.length === THREAD_PAGE_SIZE ? new Date(second(newest.at(-1)!.occurredAt) * 1000) : null;
  const [rows, earlier, messageCount] = await Promise.all([
    db.message.findMany({
      where: { ...where, occurredAt: { gte: start ?? undefined, lt: keepNewer ? undefined : before } },
      orderBy: [{ occurredAt: "asc" }, { createdAt: "asc" }, { id: "asc" }],
      include: { template: { select: { components: true } }, order: { select: { shopifyOrderId: true, name: true } } },
    }),
    start ? db.message.findFirst({ where: { ...where, occurredAt: { lt: start } }, select: { id: true } }) : null,
    db.message.count({ where }),
  ]);
  rows.sort((a, b) => second(a.occurredAt) - second(b.occurredAt) || a.createdAt.getTime() - b.createdAt.getTime());
  const messages: ThreadMessage[] = rows.map((m) => ({
    id: m.id,
    direction: m.direction as "IN" | "OUT",
    source: m.source,
    type: m.type,
    templateName: m.templateName,
    text: m.template ? sentTemplateText(m.template.components, m.params) : m.body,
    content: storedContent(m.content),
    reaction: m.reaction,
    edited: Boolean(m.editedAt),
    deleted: Boolean(m.deletedAt),
    status: m.status,
    error: messageProblemOf(m),
    occurredAt: m.occurredAt.toISOString(),
    pricingCategory: m.pricingCategory,
    costMicros: m.costMicros,
    currency: m.currency,
    staffName: m.staffName ?? (m.staffUserId ? `#${m.staffUserId}` : null),
    order: m.order,
  }));
  return { messages, hasEarlier: Boolean(earlier), earlierCursor: earlier && start ? start.toISOString() : null, messageCount };
}

/**
 * One page of an order's conversation: the newest messages before `before`
 * (or the newest of all); with `keepNewer`, also every message from `before`
 * on, so a page that pages back keeps the newest in view.
 */
export async function orderThread(db: Db, shopId: string, shopifyOrderId: string, options: { before?: Date; keepNewer?: boolean } = {}): Promise<OrderThread | null> {
  const order = await db.order.findUnique({ where: { shopId_shopifyOrderId: { shopId, shopifyOrderId } }, include: { codConfirmation: true } });
  if (!order) return null;
  // Imported chat history not tied to one order (none was placed yet) shows in each of the contact's orders.
  const unlinkedHistory = order.contactId ? [{ contactId: order.contactId, orderId: null, source: "HISTORY" }] : [];
  const ofOrder = { shopId, OR: [{ orderId: order.id }, ...unlinkedHistory] };
  const [page, costed] = await Promise.all([messagePage(db, ofOrder, options), db.message.findFirst({ where: { ...ofOrder, costMicros: { not: null } }, select: { currency: true } })]);
  return {
    order: { id: order.id, shopifyOrderId: order.shopifyOrderId, name: order.name, customerName: order.customerName, phone: order.phone },
    ...page,
    // The order's running total, kept with the cost aggregates (pricing/costs.server.ts).
    totalCostMicros: costed ? Number(order.whatsappCostMicros) : null,
    currency: costed?.currency ?? null,
    cod: order.codConfirmation
      ? { status: order.codConfirmation.status, answeredAt: order.codConfirmation.answeredAt?.toISOString() ?? null, writtenToShopify: Boolean(order.codConfirmation.syncedAt) }
      : null,
  };
}

/** Everything WhatsApp said with a contact, every order's messages and those about none, a page at a time; null for another shop's contact. */
export async function contactThread(db: Db, shopId: string, contactId: string, options: { before?: Date; keepNewer?: boolean } = {}) {
  const contact = await db.contact.findFirst({
    where: { id: contactId, shopId },
    include: { orders: { select: { shopifyOrderId: true, name: true, createdAt: true }, orderBy: { createdAt: "desc" }, take: 20 } },
  });
  if (!contact) return null;
  const page = await messagePage(db, { shopId, contactId }, options);
  return { contact, page };
}

/** Staff marked the order's conversation handled: it needs no reply until the customer writes again. */
export async function markOrderHandled(db: Db, shopId: string, shopifyOrderId: string, staff: Staff) {
  const order = await db.order.findUnique({ where: { shopId_shopifyOrderId: { shopId, shopifyOrderId } }, select: { contactId: true } });
  if (order?.contactId) await markConversationHandled(db, shopId, order.contactId, staff);
}

/** The approved utility templates staff may send outside the window, by name. */
export async function replyTemplates(db: Db, shopId: string): Promise<string[]> {
  const rows = await db.template.findMany({ where: { shopId, status: "APPROVED", category: "UTILITY" }, distinct: ["name"], orderBy: { name: "asc" }, select: { name: true } });
  return rows.map((t) => t.name);
}

/** Everything the thread page shows; opening it marks the thread read. */
export async function loadThreadPage(db: Db, shopId: string, shopifyOrderId: string | null, before?: Date) {
  const thread = shopifyOrderId ? await orderThread(db, shopId, shopifyOrderId, { before, keepNewer: true }) : null;
  const order = thread ? await db.order.findUnique({ where: { id: thread.order.id }, include: { contact: true } }) : null;
  // The conversation is read when the customer's latest message is in this thread (not one about another order, or none).
  if (order?.contactId) {
    const latest = await db.message.findFirst({ where: { shopId, contactId: order.contactId, direction: "IN", source: "CUSTOMER" }, orderBy: { createdAt: "desc" }, select: { orderId: true } });
    if (latest?.orderId === order.id) await markConversationViewed(db, shopId, order.contactId);
  }
  const templates = await replyTemplates(db, shopId);
  return {
    thread,
    window: serviceWindow(order?.contact ?? null),
    templates,
    optedOut: order?.contact?.marketingOptedOutAt ? await optOutSource(db, shopId, order.contact.marketingOptOutSource) : null,
  };
}

/** Everything the customer's conversation page shows; opening it marks the conversation read. */
export async function loadConversationPage(db: Db, shopId: string, contactId: string, before?: Date) {
  const found = await contactThread(db, shopId, contactId, { before, keepNewer: true });
  if (!found) return null;
  await markConversationViewed(db, shopId, contactId);
  const { contact, page } = found;
  const [conversation, events, staff] = await Promise.all([
    db.conversation.findUnique({ where: { contactId }, select: { status: true, assigneeId: true } }),
    conversationEvents(db, shopId, contactId),
    staffDirectory(db, shopId),
  ]);
  // Templates fill in an order's fields: offered only when the customer has an order.
  const templates = contact.orders.length ? await replyTemplates(db, shopId) : [];
  return {
    contact: { id: contact.id, name: contact.name, phone: formatPhone(contact.phoneE164) },
    status: conversation?.status ?? "OPEN",
    assigneeId: conversation?.assigneeId ?? null,
    events,
    staff,
    orders: contact.orders.map((o) => ({ shopifyOrderId: o.shopifyOrderId, name: o.name })),
    ...page,
    window: serviceWindow(contact),
    templates,
    optedOut: contact.marketingOptedOutAt ? await optOutSource(db, shopId, contact.marketingOptOutSource) : null,
  };
}

/** Staff quick action: the order's customer gets no more marketing. */
export async function optOutOrderCustomer(db: Db, shopId: string, shopifyOrderId: string, staff: Staff): Promise<boolean> {
  const order = await db.order.findUnique({ where: { shopId_shopifyOrderId: { shopId, shopifyOrderId } } });
  if (!order?.contactId) return false;
  await optOutOfMarketing(db, shopId, order.contactId, staffSource(staff));
  return true;
}

/** The order's WhatsApp contact in this shop, or null (another shop's order, or no phone). */
export async function orderContactId(db: Db, shopId: string, shopifyOrderId: string): Promise<string | null> {
  const order = await db.order.findUnique({ where: { shopId_shopifyOrderId: { shopId, shopifyOrderId } }, select: { contactId: true } });
  return order?.contactId ?? null;
}
