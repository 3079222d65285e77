// What the app holds about one Shopify customer, as compliance requests name
// them (customer id, phone, email, order ids): their contacts (by Shopify's
// customer id, by the phone as given or read as E.164 in the shop's country, or
// through the orders), their orders and their
// checkouts. customers/data_request exports these; customers/redact erases them.
import type { CountryCode } from "libphonenumber-js";

import { normalisePhone, whatsappSpellings } from "../messaging/contacts.server";
import type { Tx } from "../core/db.server";
import type { Shop } from "../generated/prisma/client";

export interface CustomerNamed {
  /** Shopify's customer id: a contact recorded from a consent webhook may be known by it alone (its phone changed since, or not given). */
  shopifyCustomerId?: string | null;
  phone?: string | null;
  email?: string | null;
  orderIds: string[];
}

export async function customerRecords(db: Tx, shop: Pick<Shop, "id" | "country">, customer: CustomerNamed) {
  const shopId = shop.id;
  const { orderIds } = customer;
  const read = customer.phone ? normalisePhone(customer.phone, (shop.country ?? undefined) as CountryCode | undefined)?.e164 : null;
  // The same WhatsApp account may be spelled another way on a contact (Brazil's ninth digit): those are theirs too.
  const phones = [...new Set([customer.phone, ...(read ? whatsappSpellings(read) : [])].filter((p): p is string => Boolean(p)))];
  const email = customer.email ?? null;
  const byEmail = email ? [{ email }] : [];
  const byPhone = phones.length ? [{ phone: { in: phones } }] : [];
  const contacts = await db.contact.findMany({
    where: {
      shopId,
      OR: [
        { phoneE164: { in: phones } },
        ...(customer.shopifyCustomerId ? [{ shopifyCustomerId: customer.shopifyCustomerId }] : []),
        { orders: { some: { shopifyOrderId: { in: orderIds } } } },
        ...(email ? [{ orders: { some: { email } } }] : []),
      ],
    },
  });
  const contactIds = contacts.map((c) => c.id);
  const orders = await db.order.findMany({ where: { shopId, OR: [{ shopifyOrderId: { in: orderIds } }, { contactId: { in: contactIds } }, ...byEmail, ...byPhone] }, orderBy: { createdAt: "asc" } });
  const checkouts = await db.checkout.findMany({ where: { shopId, OR: [{ contactId: { in: contactIds } }, ...byEmail, ...byPhone] }, orderBy: { createdAt: "asc" } });
  return { phones, email, contacts, orders, checkouts };
}
