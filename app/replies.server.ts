// Staff replies from the thread page. Free text is allowed only inside the
// 24-hour customer service window (the Cloud API refuses it outside, 131047);
// outside it, staff send an approved template with the order's fields. Every
// reply is a message row first, attributed to the staff member (their Shopify
// user id and name), then sent at once.
import { defaultMapping, languageFor, resolveParameters, templateFor } from "./automations.server";
import { insertOnce } from "./db-errors.server";
import { claimNow, type DispatchDeps, sendClaimed } from "./dispatch.server";
import { processLimiter } from "./send-pacing.server";
import { STATUS_RANK } from "./domain";
import { storedOrderFields } from "./orders.server";
import type { Staff } from "./staff.server";
import { serviceWindow, touchConversation } from "./threads.server";

export type ReplyInput = { kind: "text"; text: string } | { kind: "template"; templateName: string };

export type ReplyResult = { ok: true; status: string } | { ok: false; field: "text" | "templateName" | "order"; reason: string };

export async function sendStaffReply(deps: DispatchDeps, shopId: string, shopifyOrderId: string, staff: Staff, input: ReplyInput, requestId: string): Promise<ReplyResult> {
  const { db } = deps;
  const order = await db.order.findUnique({ where: { shopId_shopifyOrderId: { shopId, shopifyOrderId } }, include: { contact: true, shop: true } });
  if (!order?.contact?.phoneE164) return { ok: false, field: "order", reason: "This order has no WhatsApp number to reply to" };
  const contact = order.contact;
  const base = {
    shopId,
    direction: "OUT",
    source: "STAFF",
    contactId: contact.id,
    orderId: order.id,
    recipientPhone: contact.phoneE164,
    market: contact.market,
    staffUserId: staff.id,
    staffName: staff.name,
    idempotencyKey: `STAFF:${requestId}`,
    status: "QUEUED",
    statusRank: STATUS_RANK.QUEUED,
  };
  let row;
  if (input.kind === "text") {
    const text = input.text.trim();
    if (!text) return { ok: false, field: "text", reason: "Write a message" };
    if (text.length > 4096) return { ok: false, field: "text", reason: "WhatsApp messages are at most 4,096 characters" };
    if (!serviceWindow(contact).open) {
      return { ok: false, field: "text", reason: "The customer has not written in the last 24 hours: WhatsApp only allows an approved template now" };
    }
    row = await insertOnce(() => db.message.create({ data: { ...base, type: "text", body: text, params: { text } } }));
  } else {
    const { template, held } = await templateFor(db, shopId, input.templateName, languageFor(order.locale ?? contact.locale, order.shop.locale));
    if (!template) return { ok: false, field: "templateName", reason: held ?? `Template ${input.templateName} is not approved` };
    const values = resolveParameters(defaultMapping(input.templateName), { store_name: order.shop.name ?? order.shop.domain, ...storedOrderFields(order, order.shop.locale) });
    if (!values.ok) return { ok: false, field: "templateName", reason: values.reason };
    row = await insertOnce(() =>
      db.message.create({ data: { ...base, type: "template", templateId: template.id, templateName: template.name, templateLanguage: template.language, params: { body: values.values } } }),
    );
  }
  // A double-submitted form lands on the same row and is not sent twice.
  const existing = row ?? (await db.message.findFirstOrThrow({ where: { shopId, idempotencyKey: base.idempotencyKey } }));
  await touchConversation(db, order.id, existing.createdAt);
  const claimed = await claimNow(db, existing.id, deps.config.DISPATCH_LOCK_MS);
  if (claimed) await sendClaimed(deps, processLimiter, claimed);
  const after = await db.message.findUniqueOrThrow({ where: { id: existing.id } });
  if (after.status === "FAILED") return { ok: false, field: input.kind === "text" ? "text" : "templateName", reason: after.errorTitle ?? "WhatsApp refused the message" };
  return { ok: true, status: after.status };
}
