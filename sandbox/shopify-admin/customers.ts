// Customers and segments read back through the Admin simulator's GraphQL:
// `customer(id:)`, `segments`, `segment(id:)` and `customerSegmentMembers`, the
// members chosen by a segment query (segment-query.ts) over each customer's
// record and order facts (the store's orders naming them, plus seeded facts).
import { GraphQLError } from "graphql";

import { connection, type Page } from "./connection";
import { compileSegmentQuery, type MemberFacts, SegmentQueryError } from "./segment-query";
import type { SimCustomer, SimSegment, SimShop } from "./store";

/** Shopify's documented maximum page size of customerSegmentMembers. */
export const MAX_MEMBERS_PAGE = 1000;

const gid = (type: string, id: number | string) => `gid://shopify/${type}/${id}`;
const idFromGid = (id: string, type: string) => {
  const m = new RegExp(`^gid://shopify/${type}/(\\d+)$`).exec(id);
  return m ? Number(m[1]) : undefined;
};

/** Every customer's order facts: the shop's orders that name them (spend leaves cancelled ones out), added to what was seeded. */
function factsOf(shop: SimShop): (customer: SimCustomer) => MemberFacts & { lastOrderId: number | null } {
  const byCustomer = new Map<number, { count: number; cents: number; last: { at: string; id: number } | null }>();
  for (const order of shop.orders.values()) {
    const id = Number((order.rest.customer as { id?: unknown } | undefined)?.id);
    if (!Number.isSafeInteger(id)) continue;
    const sum = byCustomer.get(id) ?? { count: 0, cents: 0, last: null };
    sum.count += 1;
    if (!order.cancelledAt) sum.cents += Math.round(Number(order.rest.total_price ?? 0) * 100);
    if (!sum.last || order.createdAt > sum.last.at) sum.last = { at: order.createdAt, id: order.rest.id };
    byCustomer.set(id, sum);
  }
  return (customer) => {
    const orders = byCustomer.get(customer.id);
    const seededAt = customer.seeded.lastOrderAt;
    const last = orders?.last && (!seededAt || orders.last.at >= seededAt) ? orders.last : null;
    return {
      customer,
      numberOfOrders: customer.seeded.numberOfOrders + (orders?.count ?? 0),
      amountSpentCents: Math.round(Number(customer.seeded.amountSpent) * 100) + (orders?.cents ?? 0),
      lastOrderAt: last?.at ?? seededAt,
      lastOrderId: last?.id ?? null,
    };
  };
}

const money = (cents: number, currencyCode: string) => ({ amount: (cents / 100).toFixed(2), currencyCode });
const displayName = (c: SimCustomer) => [c.firstName, c.lastName].filter(Boolean).join(" ") || c.email || c.phone || "";

/** A customer's SMS consent as the Admin API's CustomerSmsMarketingConsent: its state (NEVER_SUBSCRIBED for NOT_SUBSCRIBED) and when it last changed. */
export function smsMarketingConsent(c: Pick<SimCustomer, "smsState" | "smsUpdatedAt">) {
  return { state: c.smsState === "NOT_SUBSCRIBED" ? "NEVER_SUBSCRIBED" : c.smsState, updatedAt: c.smsUpdatedAt };
}

/** The phone's SMS consent (CustomerSmsMarketingState, and the same as CustomerMarketingConsentState, which says NEVER_SUBSCRIBED) and its WhatsApp consent. */
function phoneNumber(c: SimCustomer) {
  if (!c.phone) return null;
  return {
    phoneNumber: c.phone,
    marketingState: c.smsState,
    marketingUpdatedAt: c.smsUpdatedAt,
    smsMarketingConsent: smsMarketingConsent(c),
    whatsAppMarketingConsent: { state: c.whatsAppState },
  };
}
const emailAddress = (c: SimCustomer) => (c.email ? { emailAddress: c.email, marketingState: "NOT_SUBSCRIBED", validFormat: /^[^@\s]+@[^@\s]+$/.test(c.email) } : null);
const address = (c: SimCustomer) =>
  c.countryCode ? { id: gid("MailingAddress", c.id), countryCodeV2: c.countryCode, countryCode: c.countryCode, firstName: c.firstName, lastName: c.lastName, phone: c.phone } : null;

function memberNode(facts: MemberFacts & { lastOrderId: number | null }, currency: string) {
  const c = facts.customer;
  return {
    __typename: "CustomerSegmentMember",
    // Shopify names a member by the customer's numeric id under its own type.
    id: gid("CustomerSegmentMember", c.id),
    firstName: c.firstName,
    lastName: c.lastName,
    displayName: displayName(c),
    defaultEmailAddress: emailAddress(c),
    defaultPhoneNumber: phoneNumber(c),
    defaultAddress: address(c),
    numberOfOrders: String(facts.numberOfOrders),
    amountSpent: money(facts.amountSpentCents, currency),
    lastOrderId: facts.lastOrderId === null ? null : gid("Order", facts.lastOrderId),
    note: null,
  };
}

const segmentNode = (s: SimSegment) => ({ __typename: "Segment", id: gid("Segment", s.id), name: s.name, query: s.query, creationDate: s.creationDate, lastEditDate: s.lastEditDate });

interface MembersArgs extends Page {
  segmentId?: string;
  query?: string;
  queryId?: string;
  reverse?: boolean;
  timezone?: string;
}

/** Root fields over the shop's customers and segments. */
export function customerResolvers(shop: SimShop) {
  const currency = shop.facts.currencyCode;
  return {
    customer: ({ id }: { id: string }) => {
      const customer = shop.customers.get(idFromGid(id, "Customer") ?? -1);
      if (!customer) return null;
      const facts = factsOf(shop)(customer);
      return {
        __typename: "Customer",
        id,
        legacyResourceId: String(customer.id),
        firstName: customer.firstName,
        lastName: customer.lastName,
        displayName: displayName(customer),
        locale: customer.locale ?? shop.facts.primaryLocale,
        createdAt: customer.createdAt,
        tags: customer.tags,
        defaultEmailAddress: emailAddress(customer),
        defaultPhoneNumber: phoneNumber(customer),
        defaultAddress: address(customer),
        amountSpent: money(facts.amountSpentCents, currency),
        numberOfOrders: String(facts.numberOfOrders),
      };
    },
    segments: (args: Page) =>
      connection(
        [...shop.segments.values()].sort((a, b) => a.id - b.id).map((s) => ({ key: s.id, node: segmentNode(s) })),
        args,
      ),
    segment: ({ id }: { id: string }) => {
      const segment = shop.segments.get(idFromGid(id, "Segment") ?? -1);
      return segment ? segmentNode(segment) : null;
    },
    customerSegmentMembers: (args: MembersArgs) => {
      const size = args.first ?? args.last;
      if (size === undefined || size === null) throw new GraphQLError("you must provide one of first or last");
      if (size > MAX_MEMBERS_PAGE) throw new GraphQLError(`The page size is too large. The maximum page size is ${MAX_MEMBERS_PAGE}.`);
      let query = args.query;
      if (args.segmentId) {
        const segment = shop.segments.get(idFromGid(args.segmentId, "Segment") ?? -1);
        if (!segment) throw new GraphQLError("Segment does not exist");
        query = segment.query;
      } else if (args.queryId) {
        throw new GraphQLError("Segment members query does not exist");
      }
      if (query === undefined || query === null) throw new GraphQLError("A segmentId, query or queryId is required");
      let matches: (f: MemberFacts) => boolean;
      try {
        matches = compileSegmentQuery(query, args.timezone ?? "UTC");
      } catch (error) {
        if (error instanceof SegmentQueryError) throw new GraphQLError(error.message, { extensions: { code: "BAD_REQUEST" } });
        throw error;
      }
      const facts = factsOf(shop);
      const members = [...shop.customers.values()]
        .sort((a, b) => (args.reverse ? b.id - a.id : a.id - b.id))
        .map(facts)
        .filter(matches);
      return {
        ...connection(
          members.map((f) => ({ key: f.customer.id, node: memberNode(f, currency) })),
          args,
        ),
        totalCount: members.length,
      };
    },
  };
}
