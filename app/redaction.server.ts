// Shopify's customers/redact: everything the app holds about the customer is
// erased, wherever it is: the contact (by phone, as Shopify gives it or read as
// E.164 in the shop's country), the orders named and the customer's other
// orders, their checkouts, every message (bodies, template parameters, status
// events), and stored webhook bodies that still mention them (handled bodies are
// already emptied; see webhook-receipts.server.ts).
import type { CountryCode } from "libphonenumber-js";

import { normalisePhone } from "./contacts.server";
import type { Db } from "./db.server";
import type { Shop } from "./generated/prisma/client";

export interface RedactedCustomer {
  id: number;
  email?: string | null;
  phone?: string | null;
}

export async function redactCustomer(db: Db, shop: Pick<Shop, "id" | "domain" | "country">, customer: RedactedCustomer, orderIds: string[]): Promise<void> {
  const shopId = shop.id;
  const phones = [...new Set([customer.phone, customer.phone ? normalisePhone(customer.phone, (shop.country ?? undefined) as CountryCode | undefined)?.e164 : null].filter((p): p is string => Boolean(p)))];
  const email = customer.email ?? null;
  await db.$transaction(async (tx) => {
    const contacts = await tx.contact.findMany({
      where: { shopId, OR: [{ phoneE164: { in: phones } }, { orders: { some: { shopifyOrderId: { in: orderIds } } } }, ...(email ? [{ orders: { some: { email } } }] : [])] },
      select: { id: true },
    });
    const contactIds = contacts.map((c) => c.id);
    const orders = await tx.order.findMany({
      where: { shopId, OR: [{ shopifyOrderId: { in: orderIds } }, { contactId: { in: contactIds } }, ...(email ? [{ email }] : []), ...(phones.length ? [{ phone: { in: phones } }] : [])] },
      select: { id: true, shopifyOrderId: true },
    });
    const checkouts = await tx.checkout.findMany({
      where: { shopId, OR: [{ contactId: { in: contactIds } }, ...(email ? [{ email }] : []), ...(phones.length ? [{ phone: { in: phones } }] : [])] },
      select: { id: true },
    });
    const orderRowIds = orders.map((o) => o.id);
    const checkoutIds = checkouts.map((c) => c.id);
    await tx.message.deleteMany({ where: { shopId, OR: [{ contactId: { in: contactIds } }, { orderId: { in: orderRowIds } }, { checkoutId: { in: checkoutIds } }] } });
    await tx.checkout.deleteMany({ where: { id: { in: checkoutIds } } });
    await tx.order.deleteMany({ where: { id: { in: orderRowIds } } });
    await tx.contact.deleteMany({ where: { id: { in: contactIds } } });
    await tx.dataRequest.deleteMany({ where: { shopId, shopifyCustomerId: String(customer.id) } });
    // Bodies not handled yet (waiting, rejected, dead) that mention the customer: handling them later would bring
    // the data back. They are emptied and closed (the row keeps its de-duplication key). A receipt not yet tied to a
    // shop counts when it names this one (its domain, or its WhatsApp number).
    const ids = [...new Set([...orderIds, ...orders.map((o) => o.shopifyOrderId)])];
    const mentions = [...phones, ...phones.map((p) => p.replace(/\D/g, "")), ...(email ? [email] : []), ...ids.flatMap((id) => [`"id":${id},`, `"id":${id}}`, `"order_id":${id},`, `"order_id":${id}}`])];
    if (!mentions.length) return;
    const account = await tx.whatsAppAccount.findUnique({ where: { shopId }, select: { phoneNumberId: true } });
    const namesShop = [{ payload: { contains: `"shop":${JSON.stringify(shop.domain)}` } }, ...(account?.phoneNumberId ? [{ payload: { contains: account.phoneNumberId } }] : [])];
    await tx.webhookReceipt.updateMany({
      // Not this request itself (or a repeat of it): its body is emptied when it is handled.
      where: { payload: { not: "" }, topic: { not: "CUSTOMERS_REDACT" }, AND: [{ OR: [{ shopId }, { shopId: null, OR: namesShop }] }, { OR: mentions.map((text) => ({ payload: { contains: text } })) }] },
      data: { payload: "", status: "IGNORED", error: "Erased by customers/redact", lockedUntil: null },
    });
  });
}
