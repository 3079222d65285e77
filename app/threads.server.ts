// Conversation threads: everything WhatsApp said about an order, oldest first,
// as the app page and the admin order-page block show it. Every read is scoped
// by the shop of the caller's session.
import { z } from "zod";

import { optOutOfMarketing } from "./consent.server";
import type { Db } from "./db.server";
import { CUSTOMER_SERVICE_WINDOW_MS } from "./domain";
import { type Contact, Prisma } from "./generated/prisma/client";
import { actorName, type Staff, staffSource } from "./staff.server";
import { fillTemplate, templateBody } from "./template-text";
import { type MessageContent, storedContent } from "./whatsapp/message-content";

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
  error: string | null;
  occurredAt: string;
  pricingCategory: string | null;
  costMicros: number | null;
  currency: string | null;
  /** A staff reply's author: their name when they sent it. */
  staffName: string | null;
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

/**
 * One page of an order's conversation: the newest messages before `before`
 * (or the newest of all); with `keepNewer`, also every message from `before`
 * on, so a page that pages back keeps the newest in view.
 */
export async function orderThread(db: Db, shopId: string, shopifyOrderId: string, options: { before?: Date; keepNewer?: boolean } = {}): Promise<OrderThread | null> {
  const { before, keepNewer = false } = options;
  const order = await db.order.findUnique({ where: { shopId_shopifyOrderId: { shopId, shopifyOrderId } }, include: { codConfirmation: true } });
  if (!order) return null;
  // Imported chat history not tied to one order (none was placed yet) shows in each of the contact's orders.
  const unlinkedHistory = order.contactId ? [{ contactId: order.contactId, orderId: null, source: "HISTORY" }] : [];
  const ofOrder = { shopId, OR: [{ orderId: order.id }, ...unlinkedHistory] };
  const newest = await db.message.findMany({
    where: { ...ofOrder, occurredAt: { lt: before } },
    orderBy: [{ occurredAt: "desc" }, { createdAt: "desc" }],
    take: THREAD_PAGE_SIZE,
    select: { occurredAt: true },
  });
  // WhatsApp timestamps have one-second resolution, the app's own sends have
  // milliseconds: within one second, the order messages reached the app wins.
  // So a page starts on a whole second, and no second is split between pages.
  const second = (d: Date) => Math.floor(d.getTime() / 1000);
  const start = newest.length === THREAD_PAGE_SIZE ? new Date(second(newest.at(-1)!.occurredAt) * 1000) : null;
  const [rows, earlier, messageCount, costed] = await Promise.all([
    db.message.findMany({
      where: { ...ofOrder, occurredAt: { gte: start ?? undefined, lt: keepNewer ? undefined : before } },
      orderBy: [{ occurredAt: "asc" }, { createdAt: "asc" }, { id: "asc" }],
      include: { template: { select: { components: true } } },
    }),
    start ? db.message.findFirst({ where: { ...ofOrder, occurredAt: { lt: start } }, select: { id: true } }) : null,
    db.message.count({ where: ofOrder }),
    db.message.findFirst({ where: { ...ofOrder, costMicros: { not: null } }, select: { currency: true } }),
  ]);
  rows.sort((a, b) => second(a.occurredAt) - second(b.occurredAt) || a.createdAt.getTime() - b.createdAt.getTime());
  const messages: ThreadMessage[] = rows.map((m) => ({
    id: m.id,
    direction: m.direction as "IN" | "OUT",
    source: m.source,
    type: m.type,
    templateName: m.templateName,
    text: m.template ? fillTemplate(templateBody(m.template.components), paramsSchema.parse(m.params ?? {}).body) : m.body,
    content: storedContent(m.content),
    reaction: m.reaction,
    edited: Boolean(m.editedAt),
    deleted: Boolean(m.deletedAt),
    status: m.status,
    error: m.skipReason ?? m.errorTitle,
    occurredAt: m.occurredAt.toISOString(),
    pricingCategory: m.pricingCategory,
    costMicros: m.costMicros,
    currency: m.currency,
    staffName: m.staffName ?? (m.staffUserId ? `#${m.staffUserId}` : null),
  }));
  return {
    order: { id: order.id, shopifyOrderId: order.shopifyOrderId, name: order.name, customerName: order.customerName, phone: order.phone },
    messages,
    hasEarlier: Boolean(earlier),
    earlierCursor: earlier && start ? start.toISOString() : null,
    messageCount,
    // The order's running total, kept with the cost aggregates (pricing/costs.server.ts).
    totalCostMicros: costed ? Number(order.whatsappCostMicros) : null,
    currency: costed?.currency ?? null,
    cod: order.codConfirmation
      ? { status: order.codConfirmation.status, answeredAt: order.codConfirmation.answeredAt?.toISOString() ?? null, writtenToShopify: Boolean(order.codConfirmation.syncedAt) }
      : null,
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
  lastMessage: { direction: string; source: string; type: string; text: string | null; templateName: string | null; deleted: boolean; at: string } | null;
  unread: boolean;
  needsReply: boolean;
}

/** The latest conversations the list filters from. */
const CONVERSATIONS_SCANNED = 200;

/** A LIKE pattern for text containing `text`: `%`, `_` (and the escape character) stand for themselves. */
function containing(text: string): string {
  return `%${text.replace(/[!%_]/g, "!$&")}%`;
}

/**
 * Ids of the orders with a conversation whose number or customer name contains
 * `query` (any case), or whose phone contains its digits, latest first.
 * Prisma's `contains` hands `%` and `_` to LIKE as wildcards and has no ESCAPE,
 * so this is SQL of its own, the same on SQLite and PostgreSQL.
 */
async function searchConversations(db: Db, shopId: string, query: string, take: number): Promise<string[]> {
  const pattern = containing(query);
  const digits = query.replace(/\D/g, "");
  const phone = digits.length >= 4 ? Prisma.sql`OR "phone" LIKE ${containing(digits)} ESCAPE '!'` : Prisma.empty;
  const rows = await db.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "Order"
    WHERE "shopId" = ${shopId} AND "lastMessageAt" IS NOT NULL
      AND (lower("name") LIKE lower(CAST(${pattern} AS TEXT)) ESCAPE '!' OR lower("customerName") LIKE lower(CAST(${pattern} AS TEXT)) ESCAPE '!' ${phone})
    ORDER BY "lastMessageAt" DESC
    LIMIT ${take}`;
  return rows.map((row) => row.id);
}

/**
 * Orders with a conversation, latest first. Unread: the customer wrote after
 * staff last opened the thread. Needs reply: the last word is the customer's
 * and nobody marked the thread handled since.
 */
export async function listConversations(db: Db, shopId: string, options: { query?: string; filter?: ConversationFilter; take?: number } = {}): Promise<ConversationRow[]> {
  const query = options.query?.trim();
  const orders = await db.order.findMany({
    where: { shopId, lastMessageAt: { not: null }, ...(query ? { id: { in: await searchConversations(db, shopId, query, CONVERSATIONS_SCANNED) } } : {}) },
    orderBy: { lastMessageAt: "desc" },
    take: CONVERSATIONS_SCANNED,
    include: {
      messages: { where: { status: { notIn: ["SKIPPED", "CANCELLED"] } }, orderBy: [{ occurredAt: "desc" }, { createdAt: "desc" }], take: 1 },
    },
  });
  // Compared with staff actions by when the app received them: WhatsApp's own
  // timestamps are whole seconds, staff actions are not. Imported history is old news: never unread.
  const lastInbound = await db.message.groupBy({
    by: ["orderId"],
    where: { shopId, direction: "IN", source: { not: "HISTORY" }, orderId: { in: orders.map((o) => o.id) } },
    _max: { createdAt: true },
  });
  const inboundAt = new Map(lastInbound.map((row) => [row.orderId, row._max.createdAt]));
  const rows = orders.map((order): ConversationRow => {
    const last = order.messages[0];
    const customerAt = inboundAt.get(order.id) ?? null;
    return {
      shopifyOrderId: order.shopifyOrderId,
      name: order.name,
      customerName: order.customerName,
      phone: order.phone,
      lastMessage: last
        ? { direction: last.direction, source: last.source, type: last.type, text: last.body, templateName: last.templateName, deleted: Boolean(last.deletedAt), at: last.occurredAt.toISOString() }
        : null,
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

export async function markThreadHandled(db: Db, shopId: string, shopifyOrderId: string, staff: Staff) {
  await db.order.updateMany({ where: { shopId, shopifyOrderId }, data: { threadHandledAt: new Date(), threadHandledBy: staff.id } });
}

/** Everything the thread page shows; opening it marks the thread read. */
export async function loadThreadPage(db: Db, shopId: string, shopifyOrderId: string | null, before?: Date) {
  const thread = shopifyOrderId ? await orderThread(db, shopId, shopifyOrderId, { before, keepNewer: true }) : null;
  const order = thread ? await db.order.findUnique({ where: { id: thread.order.id }, include: { contact: true } }) : null;
  if (order) await markThreadViewed(db, shopId, order.id);
  const templates = await db.template.findMany({ where: { shopId, status: "APPROVED", category: "UTILITY" }, distinct: ["name"], orderBy: { name: "asc" }, select: { name: true } });
  return {
    thread,
    window: serviceWindow(order?.contact ?? null),
    templates: templates.map((t) => t.name),
    optedOut: order?.contact?.marketingOptedOutAt ? await actorName(db, shopId, order.contact.marketingOptOutSource ?? "") : null,
  };
}

/** Staff quick action: the order's customer gets no more marketing. */
export async function optOutOrderCustomer(db: Db, shopId: string, shopifyOrderId: string, staff: Staff): Promise<boolean> {
  const order = await db.order.findUnique({ where: { shopId_shopifyOrderId: { shopId, shopifyOrderId } } });
  if (!order?.contactId) return false;
  await optOutOfMarketing(db, shopId, order.contactId, staffSource(staff));
  return true;
}
