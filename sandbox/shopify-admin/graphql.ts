// GraphQL for the Admin simulator: requests parsed and validated against
// Shopify's real schema (schema.ts), their calculated cost as Shopify documents
// it, and execution over the simulated store's data (store.ts).
import {
  execute,
  type FieldNode,
  type FragmentDefinitionNode,
  getNamedType,
  getNullableType,
  type GraphQLError,
  type GraphQLObjectType,
  type GraphQLSchema,
  isCompositeType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  parse,
  type SelectionSetNode,
  validate,
  valueFromASTUntyped,
  type DocumentNode,
} from "graphql";

import { randomUUID } from "node:crypto";

import { connection, type Page } from "./connection";
import { customerResolvers, smsMarketingConsent } from "./customers";
import { SMS_STATES, type SimOrder, type SimShop, type SimStore } from "./store";

export type GraphqlOutcome =
  | { kind: "errors"; errors: { message: string; locations?: unknown; extensions?: Record<string, unknown> }[] }
  | { kind: "ready"; document: DocumentNode; operation: OperationDefinitionNode; cost: number };

/** Parses and validates a request; errors are GraphQL errors as Shopify returns them (HTTP 200). */
export function prepare(schema: GraphQLSchema, query: string, variables: Record<string, unknown>, operationName?: string): GraphqlOutcome {
  let document: DocumentNode;
  try {
    document = parse(query);
  } catch (error) {
    const e = error as GraphQLError;
    return { kind: "errors", errors: [{ message: e.message, locations: e.locations, extensions: { code: "parseError" } }] };
  }
  const problems = validate(schema, document);
  if (problems.length > 0) return { kind: "errors", errors: problems.map((e) => ({ message: e.message, locations: e.locations, extensions: { code: "validationError" } })) };
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) return { kind: "errors", errors: [{ message: "An operation name is required when a document holds several operations" }] };
  return { kind: "ready", document, operation, cost: queryCost(schema, document, operation, variables) };
}

/**
 * Connections Shopify pages far beyond 250 and prices per page, not per node:
 * customerSegmentMembers documents "The maximum page size is 1000" (shopify.dev,
 * queries/customerSegmentMembers), which the per-node rule would put over the
 * 1000-point single query maximum for any node but a bare id. Charged as 2 plus
 * one node.
 */
const PAGE_PRICED_CONNECTIONS = new Set(["customerSegmentMembers"]);

/**
 * Shopify's calculated query cost: scalars and enums 0, objects 1, a connection
 * 2 plus `first` (or `last`) times the cost of one node, a mutation 10.
 */
export function queryCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>): number {
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  const argument = (field: FieldNode, name: string): number | undefined => {
    const node = field.arguments?.find((a) => a.name.value === name);
    const value = node ? valueFromASTUntyped(node.value, variables) : undefined;
    return typeof value === "number" ? value : undefined;
  };
  const selectionCost = (type: GraphQLObjectType | undefined, selections: SelectionSetNode): number => {
    let total = 0;
    for (const selection of selections.selections) {
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (fragment) total += selectionCost(schema.getType(fragment.typeCondition.name.value) as GraphQLObjectType, fragment.selectionSet);
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const on = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) as GraphQLObjectType) : type;
        total += selectionCost(on, selection.selectionSet);
        continue;
      }
      const fieldType = type && "getFields" in type ? type.getFields()[selection.name.value]?.type : undefined;
      const named = fieldType ? getNamedType(getNullableType(fieldType)) : undefined;
      if (!named || !isCompositeType(named) || !selection.selectionSet) continue;
      const inner = isObjectType(named) ? named : undefined;
      if (named.name.endsWith("Connection")) {
        const size = argument(selection, "first") ?? argument(selection, "last") ?? 0;
        const edges = inner?.getFields().edges;
        const nodesField = inner?.getFields().nodes ?? (edges ? (getNamedType(edges.type) as GraphQLObjectType).getFields().node : undefined);
        const nodeType = nodesField ? (getNamedType(nodesField.type) as GraphQLObjectType) : undefined;
        let perNode = 0;
        for (const part of selection.selectionSet.selections) {
          if (part.kind !== Kind.FIELD || !part.selectionSet) continue;
          if (part.name.value === "nodes") perNode += 1 + selectionCost(nodeType, part.selectionSet);
          if (part.name.value === "edges") {
            const node = part.selectionSet.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === "node");
            if (node?.selectionSet) perNode += 1 + selectionCost(nodeType, node.selectionSet);
          }
        }
        total += 2 + (PAGE_PRICED_CONNECTIONS.has(selection.name.value) ? 1 : size) * perNode;
      } else {
        total += 1 + selectionCost(inner, selection.selectionSet);
      }
    }
    return total;
  };
  const root = operation.operation === "mutation" ? schema.getMutationType() : schema.getQueryType();
  const cost = selectionCost(root ?? undefined, operation.selectionSet);
  return operation.operation === "mutation" ? 10 + cost : Math.max(1, cost);
}

const gid = (type: string, id: number | string) => `gid://shopify/${type}/${id}`;
const str = (value: unknown) => (typeof value === "string" ? value : null);

function money(amount: unknown, currency: string) {
  const bag = { amount: String(amount ?? "0.00"), currencyCode: currency };
  return { shopMoney: bag, presentmentMoney: bag };
}

function address(value: unknown) {
  if (!value || typeof value !== "object") return null;
  const a = value as Record<string, unknown>;
  return { firstName: str(a.first_name), lastName: str(a.last_name), phone: str(a.phone), city: str(a.city), countryCodeV2: str(a.country_code), address1: str(a.address1), zip: str(a.zip) };
}

/**
 * The order's customer's SMS consent as Shopify reads it: the customer's consent now (the store's customer record),
 * not the one the order was placed with; the order's copy only for a customer the store does not know.
 */
function smsConsentOf(customer: Record<string, unknown>, shop: SimShop) {
  const live = shop.customers.get(Number(customer.id));
  if (live) return smsMarketingConsent(live);
  const copy = customer.sms_marketing_consent && typeof customer.sms_marketing_consent === "object" ? (customer.sms_marketing_consent as Record<string, unknown>) : {};
  const state = str(copy.state)?.toUpperCase();
  return smsMarketingConsent({ smsState: SMS_STATES.find((known) => known === state) ?? "NOT_SUBSCRIBED", smsUpdatedAt: str(copy.consent_updated_at) });
}

/** An order as the Admin API's Order object, from the REST JSON the store keeps. */
export function orderNode(order: SimOrder, shop: SimShop) {
  const rest = order.rest;
  const currency = str(rest.currency) ?? shop.facts.currencyCode;
  const customer = rest.customer && typeof rest.customer === "object" ? (rest.customer as Record<string, unknown>) : null;
  const financial = str(rest.financial_status);
  const fulfillment = str(rest.fulfillment_status);
  const lineItems = Array.isArray(rest.line_items) ? (rest.line_items as Record<string, unknown>[]) : [];
  return {
    __typename: "Order",
    id: gid("Order", rest.id),
    legacyResourceId: String(rest.id),
    name: str(rest.name) ?? `#${rest.id}`,
    email: str(rest.email),
    phone: str(rest.phone),
    createdAt: order.createdAt,
    updatedAt: str(rest.updated_at) ?? order.createdAt,
    processedAt: str(rest.processed_at) ?? order.createdAt,
    cancelledAt: order.cancelledAt,
    cancellation: order.cancelledAt ? { __typename: "OrderCancellation", staffNote: order.cancelStaffNote ?? null } : null,
    closed: false,
    test: false,
    tags: order.tags,
    customerLocale: str(rest.customer_locale),
    currencyCode: currency,
    presentmentCurrencyCode: currency,
    paymentGatewayNames: Array.isArray(rest.payment_gateway_names) ? rest.payment_gateway_names : [],
    displayFinancialStatus: financial ? financial.toUpperCase() : null,
    displayFulfillmentStatus: fulfillment ? fulfillment.toUpperCase() : "UNFULFILLED",
    totalPriceSet: money(rest.total_price, currency),
    statusPageUrl: str(rest.order_status_url) ?? `https://${shop.domain}/orders/${rest.id}`,
    confirmationNumber: str(rest.confirmation_number),
    shippingAddress: address(rest.shipping_address),
    billingAddress: address(rest.billing_address),
    customer: customer && {
      __typename: "Customer",
      id: gid("Customer", String(customer.id)),
      legacyResourceId: String(customer.id),
      firstName: str(customer.first_name),
      lastName: str(customer.last_name),
      displayName: [str(customer.first_name), str(customer.last_name)].filter(Boolean).join(" "),
      locale: str(customer.locale) ?? str(rest.customer_locale) ?? shop.facts.primaryLocale,
      defaultEmailAddress: str(customer.email) ? { emailAddress: str(customer.email) } : null,
      defaultPhoneNumber: str(customer.phone) ? { phoneNumber: str(customer.phone), smsMarketingConsent: smsConsentOf(customer, shop) } : null,
    },
    lineItems: ({ first }: { first?: number }) =>
      connection(
        lineItems.map((item, i) => ({ key: i, node: { __typename: "LineItem", id: gid("LineItem", String(item.id ?? i)), title: str(item.title) ?? "", quantity: Number(item.quantity ?? 1) } })),
        { first },
      ),
  };
}

/** Shopify's search syntax, the part the simulator understands: `created_at:>=…`, `updated_at:<…`; other terms are ignored, as Shopify ignores unknown fields. */
function matchesQuery(order: SimOrder, query: string | undefined): boolean {
  if (!query) return true;
  for (const term of query.split(/\s+(?:AND\s+)?/i)) {
    const m = /^(created_at|updated_at):(>=|<=|>|<)?'?"?([^'"]+)'?"?$/.exec(term);
    if (!m) continue;
    const value = Date.parse(m[3]!);
    const at = Date.parse(order.createdAt);
    if (Number.isNaN(value)) continue;
    const op = m[2] ?? "=";
    if ((op === ">=" && !(at >= value)) || (op === ">" && !(at > value)) || (op === "<=" && !(at <= value)) || (op === "<" && !(at < value))) return false;
  }
  return true;
}

const idFromGid = (id: string, type: string) => {
  const m = new RegExp(`^gid://shopify/${type}/(\\d+)$`).exec(id);
  return m ? Number(m[1]) : undefined;
};

/** What an operation can set going beyond the store's data (the server provides them). */
export interface RunHooks {
  /** A webhook the operation causes, as Shopify sends one after a change (e.g. orders/cancelled). */
  emit(topic: string, body: unknown): void;
  /** Starts a bulk export of `query` (bulkOperationRunQuery); answers the payload. */
  bulkRun(query: string): unknown;
  /** A bulk operation of this shop by id, or null. */
  bulkOperation(id: string): unknown;
}

/** Runs a prepared operation for one shop over the store. */
export async function run(schema: GraphQLSchema, store: SimStore, shop: SimShop, document: DocumentNode, variables: Record<string, unknown>, operationName: string | undefined, hooks: RunHooks) {
  const sorted = (sortKey: string | undefined, reverse: boolean | undefined) => {
    const orders = [...shop.orders.values()];
    orders.sort((a, b) => (sortKey === "CREATED_AT" || sortKey === "PROCESSED_AT" ? a.createdAt.localeCompare(b.createdAt) || a.rest.id - b.rest.id : a.rest.id - b.rest.id));
    return reverse ? orders.reverse() : orders;
  };
  const rootValue = {
    shop: {
      __typename: "Shop",
      id: gid("Shop", 1),
      name: shop.facts.name,
      email: shop.facts.contactEmail,
      contactEmail: shop.facts.contactEmail,
      ianaTimezone: shop.facts.ianaTimezone,
      currencyCode: shop.facts.currencyCode,
      myshopifyDomain: shop.domain,
      shopAddress: { countryCodeV2: shop.facts.countryCode },
      billingAddress: { countryCodeV2: shop.facts.countryCode },
      plan: { publicDisplayName: shop.facts.planName, displayName: shop.facts.planName, partnerDevelopment: shop.facts.partnerDevelopment, shopifyPlus: false },
    },
    shopLocales: () => [{ locale: shop.facts.primaryLocale, primary: true, published: true, name: shop.facts.primaryLocale }],
    order: ({ id }: { id: string }) => {
      const order = shop.orders.get(idFromGid(id, "Order") ?? -1);
      return order ? orderNode(order, shop) : null;
    },
    ...customerResolvers(shop),
    orders: (args: Page & { query?: string; sortKey?: string; reverse?: boolean }) =>
      connection(
        sorted(args.sortKey, args.reverse)
          .filter((o) => matchesQuery(o, args.query))
          .map((o) => ({ key: o.rest.id, node: orderNode(o, shop) })),
        args,
      ),
    bulkOperationRunQuery: ({ query }: { query: string }) => hooks.bulkRun(query),
    bulkOperation: ({ id }: { id: string }) => hooks.bulkOperation(id),
    ordersCount: ({ query, limit }: { query?: string; limit?: number | null }) => {
      const count = [...shop.orders.values()].filter((o) => matchesQuery(o, query)).length;
      return typeof limit === "number" && count > limit ? { count: limit, precision: "AT_LEAST" } : { count, precision: "EXACT" };
    },
    tagsAdd: ({ id, tags }: { id: string; tags: string[] }) => {
      const order = shop.orders.get(idFromGid(id, "Order") ?? -1);
      if (!order) return { node: null, userErrors: [{ field: ["id"], message: "Order does not exist" }] };
      for (const tag of tags) if (!order.tags.includes(tag)) order.tags.push(tag);
      return { node: { __typename: "Order", id }, userErrors: [] };
    },
    orderCancel: ({ orderId, staffNote }: { orderId: string; staffNote?: string | null }) => {
      const order = shop.orders.get(idFromGid(orderId, "Order") ?? -1);
      const error = (code: string, message: string) => ({ job: null, orderCancelUserErrors: [{ code, field: ["orderId"], message }], userErrors: [{ field: ["orderId"], message }] });
      if (!order) return error("NOT_FOUND", "Order does not exist");
      if (order.cancelledAt) return error("INVALID", "Order has already been cancelled");
      order.cancelledAt = new Date().toISOString();
      order.cancelStaffNote = staffNote ?? null;
      order.rest = { ...order.rest, cancelled_at: order.cancelledAt, cancel_reason: "customer" };
      hooks.emit("orders/cancelled", order.rest);
      return { job: { __typename: "Job", id: gid("Job", randomUUID()), done: false }, orderCancelUserErrors: [], userErrors: [] };
    },
  };
  return execute({ schema, document, rootValue, variableValues: variables, operationName, contextValue: store });
}
