// What a template reply would say before staff send it: each template's body
// filled with the order's values the send would use (the same order, language
// and fields as replies.server.ts), an empty value shown as [field].
import { defaultMapping, languageFor, templateFor } from "./automations.server";
import type { Db } from "../core/db.server";
import { storedOrderFields } from "../shopify/orders.server";
import type { ReplyTarget } from "./replies.server";
import { renderPreview, templateBody } from "../whatsapp/template-text";

/** Each offered template's filled text, by name; empty when the target has no order. */
export async function replyPreviews(db: Db, shopId: string, target: ReplyTarget, names: string[]): Promise<Record<string, string>> {
  if (!names.length) return {};
  const shop = await db.shop.findUniqueOrThrow({ where: { id: shopId } });
  const order =
    "shopifyOrderId" in target
      ? await db.order.findUnique({ where: { shopId_shopifyOrderId: { shopId, shopifyOrderId: target.shopifyOrderId } }, include: { contact: true } })
      : await db.order.findFirst({ where: { shopId, contactId: target.contactId }, orderBy: { createdAt: "desc" }, include: { contact: true } });
  if (!order) return {};
  const fields = { store_name: shop.name ?? shop.domain, ...storedOrderFields(order, shop.locale) };
  const language = languageFor(order.locale ?? order.contact?.locale, shop.locale);
  const previews: Record<string, string> = {};
  for (const name of names) {
    const { template } = await templateFor(db, shopId, name, language);
    if (template) previews[name] = renderPreview(templateBody(template.components), defaultMapping(name), fields);
  }
  return previews;
}
