// Staff replies from the thread page. Free text is allowed only inside the
// 24-hour customer service window (the Cloud API refuses it outside, 131047);
// outside it, staff send an approved template with the order's fields. Every
// reply is a message row first, attributed to the staff member (their Shopify
// user id and name), then sent at once.
import { defaultMapping, languageFor, resolveParameters, templateFor } from "./automations.server";
import { insertOnce } from "../core/db-errors.server";
import { claimedByItsRequest, claimNow } from "./claims.server";
import { sendClaimed } from "./dispatch.server";
import { processLimiter } from "./send-pacing.server";
import { reason } from "../core/reasons";
import { storedOrderFields } from "../shopify/orders.server";
import { recordEvent, touchConversation } from "./conversations.server";
import type { Staff } from "../shopify/staff.server";
import { serviceWindow } from "./threads.server";
import type { AppDeps } from "../core/deps";

export type ReplyInput = { kind: "text"; text: string } | { kind: "template"; templateName: string };

/** The reply a thread page's form asks for: an approved template by name, or free text. */
export function replyInputOf(form: FormData): ReplyInput {
  return form.get("intent") === "template" ? { kind: "template", templateName: String(form.get("templateName") ?? "") } : { kind: "text", text: String(form.get("text") ?? "") };
}

/** A form's one-time request id (a double submit lands on the same row), or null when it is not one. */
export function requestIdOf(form: FormData): string | null {
  const id = String(form.get("requestId") ?? "");
  return /^[\w-]{8,64}$/.test(id) ? id : null;
}

/** Why a reply was refused, a code its host words in the merchant's language (the thread pages, the order-page action). */
export type ReplyRefusal = "noRecipient" | "empty" | "tooLong" | "windowClosed" | "noOrder" | "templateUnavailable" | "templateFields" | "refused";

/** `cause`: what more there is to say, as a stored reason (app/core/reasons.ts) or WhatsApp's own error title. */
export type ReplyResult = { ok: true; status: string } | { ok: false; field: "text" | "templateName" | "order"; code: ReplyRefusal; cause?: string };

/** What the reply answers: an order's thread, or a customer's conversation (about their latest order, if any). */
export type ReplyTarget = { shopifyOrderId: string } | { contactId: string };

async function recipientOf(db: AppDeps["db"], shopId: string, target: ReplyTarget) {
  const shop = await db.shop.findUniqueOrThrow({ where: { id: shopId } });
  if ("shopifyOrderId" in target) {
    const order = await db.order.findUnique({ where: { shopId_shopifyOrderId: { shopId, shopifyOrderId: target.shopifyOrderId } }, include: { contact: true } });
    return { shop, order, contact: order?.contact ?? null };
  }
  const contact = await db.contact.findFirst({ where: { id: target.contactId, shopId } });
  const order = contact ? await db.order.findFirst({ where: { shopId, contactId: contact.id }, orderBy: { createdAt: "desc" }, include: { contact: true } }) : null;
  return { shop, order, contact };
}

export async function sendStaffReply(deps: AppDeps, shopId: string, target: ReplyTarget, staff: Staff, input: ReplyInput, requestId: string): Promise<ReplyResult> {
  const { db } = deps;
  const { shop, order, contact } = await recipientOf(db, shopId, target);
  if (!contact?.phoneE164) return { ok: false, field: "order", code: "noRecipient" };
  const base = {
    shopId,
    direction: "OUT",
    source: "STAFF",
    contactId: contact.id,
    orderId: order?.id ?? null,
    recipientPhone: contact.phoneE164,
    market: contact.market,
    staffUserId: staff.id,
    staffName: staff.name,
    idempotencyKey: `STAFF:${requestId}`,
    ...claimedByItsRequest(deps.config.DISPATCH_LOCK_MS),
  };
  let row;
  if (input.kind === "text") {
    const text = input.text.trim();
    if (!text) return { ok: false, field: "text", code: "empty" };
    if (text.length > 4096) return { ok: false, field: "text", code: "tooLong" };
    if (!serviceWindow(contact).open) return { ok: false, field: "text", code: "windowClosed" };
    row = await insertOnce(() => db.message.create({ data: { ...base, type: "text", body: text, params: { text } } }));
  } else {
    // The templates staff may send fill in an order's fields.
    if (!order) return { ok: false, field: "templateName", code: "noOrder" };
    const { template, held } = await templateFor(db, shopId, input.templateName, languageFor(order.locale ?? contact.locale, shop.locale));
    if (!template) return { ok: false, field: "templateName", code: "templateUnavailable", cause: held ?? reason("TEMPLATE_NOT_APPROVED", { template: input.templateName }) };
    const values = resolveParameters(defaultMapping(input.templateName), { store_name: shop.name ?? shop.domain, ...storedOrderFields(order, shop.locale) });
    if (!values.ok) return { ok: false, field: "templateName", code: "templateFields", cause: values.reason };
    row = await insertOnce(() =>
      db.message.create({ data: { ...base, type: "template", templateId: template.id, templateName: template.name, templateLanguage: template.language, params: { body: values.values } } }),
    );
  }
  // A double-submitted form lands on the same row and is not sent twice.
  const existing = row ?? (await db.message.findFirstOrThrow({ where: { shopId, idempotencyKey: base.idempotencyKey } }));
  if (row) await recordEvent(db, shopId, contact.id, "REPLIED", { type: "STAFF", id: staff.id });
  // A double submit's row is sent by its first request, or again only if a send put it back in the queue.
  const claimed = row ?? (await claimNow(db, existing.id, deps.config.DISPATCH_LOCK_MS));
  if (claimed) await sendClaimed(deps, processLimiter, claimed);
  const after = await db.message.findUniqueOrThrow({ where: { id: existing.id } });
  // After the send: a reply WhatsApp refused is in the conversation but answers nothing.
  await touchConversation(db, after);
  if (after.status === "FAILED") return { ok: false, field: input.kind === "text" ? "text" : "templateName", code: "refused", cause: after.errorTitle ?? undefined };
  return { ok: true, status: after.status };
}
