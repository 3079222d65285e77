// Conversation threads: everything WhatsApp said about an order, oldest first,
// as the app page and the admin order-page block show it. Every read is scoped
// by the shop of the caller's session.
import { z } from "zod";

import type { Db } from "./db.server";
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
