// Shopify's customers/redact: everything the app holds about the customer is
// erased, wherever it is: the contact (by phone, as Shopify gives it or read as
// E.164 in the shop's country), the orders named and the customer's other
// orders, their checkouts, every message (bodies, template parameters, status
// events), what other customers' messages carry of them (a shared contact card,
// their phone, email or name in a text), and stored webhook bodies that still mention them (handled bodies are
// already emptied; see jobs/webhook-receipts.server.ts).
import { customerRecords } from "./customer-records.server";
import { candidateTerms, carries, customerTraces } from "./redaction-traces";
import { MESSAGE_LOCK_ORDER } from "../messaging/messages.server";
import { eraseFromLog, locksRows, type Db, type Tx } from "../core/db.server";
import { type Message, Prisma, type Shop } from "../generated/prisma/client";

export interface RedactedCustomer {
  id: number;
  email?: string | null;
  phone?: string | null;
}

export async function redactCustomer(db: Db, shop: Pick<Shop, "id" | "domain" | "country">, customer: RedactedCustomer, orderIds: string[]): Promise<void> {
  const shopId = shop.id;
  await db.$transaction(async (tx) => {
    const { phones, email, contacts, orders, checkouts } = await customerRecords(tx, shop, { shopifyCustomerId: String(customer.id), phone: customer.phone, email: customer.email, orderIds });
    const contactIds = contacts.map((c) => c.id);
    const orderRowIds = orders.map((o) => o.id);
    const checkoutIds = checkouts.map((c) => c.id);
    const theirs = { shopId, OR: [{ contactId: { in: contactIds } }, { orderId: { in: orderRowIds } }, { checkoutId: { in: checkoutIds } }] };
    const isTheirs = (m: Pick<Message, "contactId" | "orderId" | "checkoutId">) =>
      contactIds.includes(m.contactId ?? "") || orderRowIds.includes(m.orderId ?? "") || checkoutIds.includes(m.checkoutId ?? "");
    // Other customers' messages that carry this one: a shared contact card, Flow answers, a text with their phone
    // (in any format), email or name; and rows tied to no customer (a test send filled from their order).
    const traces = customerTraces({
      phones: [...phones, ...contacts.flatMap((c) => (c.phoneE164 ? [c.phoneE164] : []))],
      email,
      names: [...contacts.map((c) => c.name ?? ""), ...orders.map((o) => o.customerName ?? "")],
      orderNames: orders.map((o) => o.name),
    });
    const terms = candidateTerms(traces);
    const unlinked = { contactId: null, orderId: null, checkoutId: null };
    const candidates = await tx.message.findMany({
      where: { shopId, OR: [...terms.map((t) => ({ body: { contains: t } })), { type: { in: ["contacts", "interactive"] } }, unlinked] },
      select: { id: true, body: true, content: true, params: true, contactId: true, orderId: true, checkoutId: true },
    });
    const isUnlinked = (m: Pick<Message, "contactId" | "orderId" | "checkoutId">) => !m.contactId && !m.orderId && !m.checkoutId;
    const carrying = candidates
      .filter((m) => !isTheirs(m) && [m.body ?? "", JSON.stringify(m.content ?? null), JSON.stringify(m.params ?? null)].some((text) => carries(text, traces, isUnlinked(m))))
      .map((m) => m.id);
    if (locksRows(tx)) await lockForErasure(tx, shopId, { contactId: contactIds, orderId: orderRowIds, checkoutId: checkoutIds, id: carrying });
    await tx.message.deleteMany({ where: theirs });
    if (carrying.length) await tx.message.updateMany({ where: { id: { in: carrying } }, data: { body: null, content: Prisma.DbNull, params: Prisma.DbNull } });
    // Staff notes in other customers' conversations that name them.
    if (terms.length) {
      const notes = await tx.conversationEvent.findMany({ where: { shopId, OR: terms.map((t) => ({ body: { contains: t } })) }, select: { id: true, body: true } });
      const naming = notes.filter((note) => carries(note.body ?? "", traces)).map((note) => note.id);
      if (naming.length) await tx.conversationEvent.updateMany({ where: { id: { in: naming } }, data: { body: null } });
    }
    await tx.checkout.deleteMany({ where: { id: { in: checkoutIds } } });
    await tx.order.deleteMany({ where: { id: { in: orderRowIds } } });
    await tx.contact.deleteMany({ where: { id: { in: contactIds } } });
    await tx.dataRequest.deleteMany({ where: { shopId, shopifyCustomerId: String(customer.id) } });
    // Campaign audiences that read them (by Shopify's id, or their phone).
    await tx.campaignRecipient.deleteMany({ where: { shopId, OR: [{ customerId: String(customer.id) }, { phoneE164: { in: phones } }] } });
    // Bodies not handled yet (waiting, rejected, dead) that mention the customer: handling them later would bring
    // the data back. They are emptied and closed (the row keeps its de-duplication key). A receipt not yet tied to a
    // shop counts when it names this one (its domain, or its WhatsApp number).
    const ids = [...new Set([...orderIds, ...orders.map((o) => o.shopifyOrderId)])];
    // A number as a whole JSON value of a member in a stored body (compact JSON): the next member or the object's end follows.
    const wholeNumber = (member: string, value: string | number) => [`"${member}":${value},`, `"${member}":${value}}`];
    const mentions = [...phones, ...phones.map((p) => p.replace(/\D/g, "")), ...(email ? [email] : []), ...ids.flatMap((id) => [...wholeNumber("id", id), ...wholeNumber("order_id", id)])];
    if (!mentions.length) return;
    const account = await tx.whatsAppAccount.findUnique({ where: { shopId }, select: { phoneNumberId: true } });
    // The number's id as a whole JSON value (the string Meta sends, or a number in a body the schema refused):
    // another number's id that merely contains it is another shop's.
    const numberId = account?.phoneNumberId;
    const namesNumber = numberId ? [JSON.stringify(numberId), ...wholeNumber("phone_number_id", numberId)].map((text) => ({ payload: { contains: text } })) : [];
    const namesShop = [{ payload: { contains: `"shop":${JSON.stringify(shop.domain)}` } }, ...namesNumber];
    await tx.webhookReceipt.updateMany({
      // Not this request itself (or a repeat of it): its body is emptied when it is handled.
      where: {
        payload: { not: "" },
        topic: { not: "CUSTOMERS_REDACT" },
        AND: [{ OR: [{ shopId }, { shopId: null, OR: namesShop }] }, { OR: mentions.map((text) => ({ payload: { contains: text } })) }],
      },
      data: { payload: "", status: "IGNORED", error: "Erased by customers/redact", lockedUntil: null },
    });
  });
  await eraseFromLog(db);
}

/**
 * Locks the messages about to change in MESSAGE_LOCK_ORDER, as status batches
 * lock theirs: a statement that deletes or changes several would lock them in
 * the order its plan reads them, and could hold one a status batch waits for
 * while waiting for one the batch holds. They are named by the columns that
 * tie them to the customer, not listed one by one: a customer may have more
 * messages than a statement takes parameters.
 */
async function lockForErasure(tx: Tx, shopId: string, named: Record<"contactId" | "orderId" | "checkoutId" | "id", string[]>): Promise<void> {
  const conditions = Object.entries(named).flatMap(([column, ids]) => (ids.length ? [Prisma.sql`${Prisma.raw(`"${column}"`)} IN (${Prisma.join(ids)})`] : []));
  if (!conditions.length) return;
  await tx.$queryRaw`SELECT "id" FROM "Message" WHERE "shopId" = ${shopId} AND (${Prisma.join(conditions, " OR ")}) ${MESSAGE_LOCK_ORDER} FOR UPDATE`;
}
