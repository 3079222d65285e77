// Replying from the admin order page (the order-reply-action extension): what
// its reply box needs to know about the order's customer, and the JSON a reply
// arrives as. Sending follows the thread page's rules (replies.server.ts).
import { z } from "zod";

import type { Db } from "../core/db.server";
import type { ReplyInput } from "./replies.server";
import { replyTemplates, serviceWindow, type ServiceWindow } from "./threads.server";

export interface OrderReplyContext {
  order: { name: string };
  customerName: string | null;
  /** False when the order's customer has no WhatsApp number to reply to. */
  canReply: boolean;
  /** Inside the 24 h window free text; outside it one of `templates`. */
  window: ServiceWindow;
  templates: string[];
}

/** The reply box of one of the shop's orders; null when the shop has no such order. */
export async function orderReplyContext(db: Db, shopId: string, shopifyOrderId: string): Promise<OrderReplyContext | null> {
  const order = await db.order.findUnique({ where: { shopId_shopifyOrderId: { shopId, shopifyOrderId } }, include: { contact: true } });
  if (!order) return null;
  return {
    order: { name: order.name },
    customerName: order.customerName ?? order.contact?.name ?? null,
    canReply: Boolean(order.contact?.phoneE164),
    window: serviceWindow(order.contact),
    templates: await replyTemplates(db, shopId),
  };
}

const requestId = z.string().regex(/^[\w-]{8,64}$/, "a one-time id of 8 to 64 letters, digits, _ or -");

const replyRequestSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("text"), requestId, text: z.string() }),
  z.object({ kind: z.literal("template"), requestId, templateName: z.string().min(1, "choose a template") }),
]);

export type ReplyRequest = { ok: true; requestId: string; input: ReplyInput } | { ok: false; field: string; code: "invalid"; reason: string };

/** A reply as the extension posts it: `{ kind: "text", text, requestId }` or `{ kind: "template", templateName, requestId }`. */
export function parseReplyRequest(body: unknown): ReplyRequest {
  const parsed = replyRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join(".") || "body";
    return { ok: false, field, code: "invalid", reason: `${field}: ${issue.message}` };
  }
  const { requestId: id, ...input } = parsed.data;
  return { ok: true, requestId: id, input };
}

/** Whether the shop has this order: another shop's order id is not found. */
export async function shopHasOrder(db: Db, shopId: string, shopifyOrderId: string): Promise<boolean> {
  return Boolean(await db.order.findUnique({ where: { shopId_shopifyOrderId: { shopId, shopifyOrderId } }, select: { id: true } }));
}
