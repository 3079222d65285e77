// What the VIP rule reads of a Shopify customer: their tags and lifetime spend,
// from the Admin API (webhooks stopped carrying customer tags in 2025-01, and
// never carried the spend). Read by the worker for customers waiting for an
// answer in shops that set a VIP rule, at most once a day each; a VIP whose
// facts arrive after their message is handed to a person then.
import { z } from "zod";

import type { AppConfig } from "../../core/config.server";
import { handOverVip } from "../../messaging/conversations.server";
import { log } from "../../core/log.server";
import { backgroundAdmin } from "./client.server";
import { type AdminGraphql, AdminAuthError } from "./graphql.server";
import type { AppDeps } from "../../core/deps";

export const CUSTOMER_FACTS_QUERY = `#graphql
  query CustomerFacts($id: ID!) {
    customer(id: $id) {
      tags
      amountSpent {
        amount
        currencyCode
      }
    }
  }
`;

const DAY_MS = 24 * 60 * 60 * 1000;
/** A read that failed is tried again after this, not at every loop. */
const RETRY_MS = 60 * 60 * 1000;

const amountSchema = z.string().regex(/^\d+(\.\d+)?$/);

/** "1234.5" → 1234500000 millionths. */
function micros(amount: string): bigint {
  const [whole = "0", fraction = ""] = amountSchema.parse(amount).split(".");
  return BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, "0").slice(0, 6));
}

export interface CustomerFacts {
  tags: string[];
  amountSpentMicros: bigint | null;
}

/** The customer's tags and lifetime spend in the shop's currency; null when Shopify has no such customer. */
export async function fetchCustomerFacts(graphql: AdminGraphql, shopifyCustomerId: string): Promise<CustomerFacts | null> {
  const data = await graphql(CUSTOMER_FACTS_QUERY, { id: `gid://shopify/Customer/${shopifyCustomerId}` });
  if (!data.customer) return null;
  return { tags: data.customer.tags, amountSpentMicros: micros(String(data.customer.amountSpent.amount)) };
}

type Deps = Pick<AppDeps, "db"> & { config: Pick<AppConfig, "SHOPIFY_ADMIN_URL"> };

/**
 * One pass: in each shop with a VIP rule, the customers of the last day's
 * conversations still waiting for a reply whose facts are a day old (or
 * never read) are read again, and a VIP among them is handed to a person.
 */
export async function refreshDueCustomerFacts(deps: Deps, now = new Date(), take = 50): Promise<number> {
  const { db } = deps;
  const shops = await db.shop.findMany({
    where: { uninstalledAt: null, adminAuthLostAt: null, OR: [{ vipCustomerTag: { not: null } }, { vipSpendMicros: { not: null } }] },
    select: { id: true, domain: true, vipCustomerTag: true, vipSpendMicros: true },
  });
  let read = 0;
  const stale = { OR: [{ customerFactsAt: null }, { customerFactsAt: { lt: new Date(now.getTime() - DAY_MS) } }] };
  for (const shop of shops) {
    const due = await db.conversation.findMany({
      where: {
        shopId: shop.id,
        needsReply: true,
        lastMessageAt: { gte: new Date(now.getTime() - DAY_MS) },
        contact: { shopifyCustomerId: { not: null }, ...stale },
      },
      select: { contactId: true, contact: { select: { shopifyCustomerId: true } } },
      take,
    });
    if (!due.length) continue;
    let graphql: AdminGraphql;
    try {
      graphql = await backgroundAdmin(db, deps.config, shop.domain);
    } catch (error) {
      if (error instanceof AdminAuthError) continue;
      throw error;
    }
    for (const { contactId, contact } of due) {
      // Claimed first (another worker may be on the same customer): should the read fail, it is due again in an hour.
      const claimed = await db.contact.updateMany({ where: { id: contactId, shopId: shop.id, ...stale }, data: { customerFactsAt: new Date(now.getTime() - DAY_MS + RETRY_MS) } });
      if (!claimed.count) continue;
      try {
        const facts = await fetchCustomerFacts(graphql, contact.shopifyCustomerId!);
        await db.contact.updateMany({
          where: { id: contactId, shopId: shop.id },
          data: { customerTags: facts?.tags ?? [], amountSpentMicros: facts?.amountSpentMicros ?? null, customerFactsAt: now },
        });
        read++;
        await handOverVip(db, shop, contactId);
      } catch (error) {
        if (error instanceof AdminAuthError) break;
        log.warn({ shop: shop.domain, err: error }, "Could not read a customer's tags and spend from Shopify; trying again in an hour");
      }
    }
  }
  return read;
}
