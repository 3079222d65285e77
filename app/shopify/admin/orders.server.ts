// Orders read from the Admin API, for events about an order the app has not
// seen (a fulfillment before its order) and for backfills: the GraphQL Order
// turned into the REST shape Shopify's order webhooks carry, so one code path
// (orders.server.ts) records orders from either source.
import { type OrderPayload, orderPayloadSchema } from "../orders.server";
import type { AppOrderFragment } from "../../generated/shopify-admin/admin.generated";
import type { AdminGraphql } from "./graphql.server";

/** The order fields the app records (orders.server.ts reads them in webhook shape). */
const APP_ORDER_FIELDS = `#graphql
  fragment AppOrder on Order {
    legacyResourceId
    name
    createdAt
    email
    phone
    processedAt
    cancelledAt
    customerLocale
    currencyCode
    displayFinancialStatus
    displayFulfillmentStatus
    paymentGatewayNames
    statusPageUrl
    confirmationNumber
    totalPriceSet {
      shopMoney {
        amount
      }
    }
    customer {
      legacyResourceId
      firstName
      lastName
      locale
      defaultEmailAddress {
        emailAddress
      }
      defaultPhoneNumber {
        phoneNumber
        smsMarketingConsent {
          state
          updatedAt
        }
      }
    }
    shippingAddress {
      firstName
      lastName
      phone
      countryCodeV2
    }
    billingAddress {
      firstName
      lastName
      phone
      countryCodeV2
    }
  }
` as const;

/** One order by id: read-after-write consistent, unlike search, so an order created a moment ago is there. */
export const ORDER_QUERY = `#graphql
  query OrderForWebhook($id: ID!) {
    order(id: $id) {
      ...AppOrder
    }
  }
  ${APP_ORDER_FIELDS}
` as const;

/** The order fields of APP_ORDER_FIELDS without the fragment around them, for a bulk query (which takes a plain query). */
const APP_ORDER_SELECTION = APP_ORDER_FIELDS.slice(APP_ORDER_FIELDS.indexOf("{") + 1, APP_ORDER_FIELDS.lastIndexOf("}"));

/** The bulk export of every order a search matches: one JSONL line per order, with the app's fields. */
export function bulkOrdersQuery(search: string): string {
  return `{ orders(query: ${JSON.stringify(search)}, sortKey: CREATED_AT) { edges { node { ${APP_ORDER_SELECTION} } } } }`;
}

export const BULK_RUN_MUTATION = `#graphql
  mutation BulkOrdersRun($query: String!) {
    bulkOperationRunQuery(query: $query, groupObjects: false) {
      bulkOperation {
        id
        status
      }
      userErrors {
        code
        field
        message
      }
    }
  }
`;

export const BULK_STATUS_QUERY = `#graphql
  query BulkOrdersStatus($id: ID!) {
    bulkOperation(id: $id) {
      status
      errorCode
      objectCount
      url
    }
  }
`;

/** How many orders a search matches (the backfill's progress bar). */
export const ORDERS_COUNT_QUERY = `#graphql
  query OrdersCount($query: String!) {
    ordersCount(query: $query, limit: null) {
      count
    }
  }
`;

/** A page of orders created since a date, oldest first (the backfill). */
export const ORDERS_PAGE_QUERY = `#graphql
  query OrdersSince($first: Int!, $after: String, $query: String!) {
    orders(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {
      nodes {
        ...AppOrder
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${APP_ORDER_FIELDS}
` as const;

type AdminAddress = AppOrderFragment["shippingAddress"];

const address = (a: AdminAddress) => a && { first_name: a.firstName ?? null, last_name: a.lastName ?? null, phone: a.phone ?? null, country_code: a.countryCodeV2 ?? null };
const lower = (value: string | null | undefined) => (value ? value.toLowerCase() : null);

/** A GraphQL Order in the shape of Shopify's order webhooks (the fields the app reads). */
export function orderPayloadFromAdmin(order: AppOrderFragment): OrderPayload {
  const customer = order.customer;
  return orderPayloadSchema.parse({
    id: Number(order.legacyResourceId),
    name: order.name,
    email: order.email ?? null,
    phone: order.phone ?? null,
    processed_at: order.processedAt,
    created_at: order.createdAt,
    cancelled_at: order.cancelledAt ?? null,
    customer_locale: order.customerLocale ?? null,
    currency: order.currencyCode,
    financial_status: lower(order.displayFinancialStatus),
    fulfillment_status: order.displayFulfillmentStatus === "UNFULFILLED" ? null : lower(order.displayFulfillmentStatus),
    payment_gateway_names: order.paymentGatewayNames,
    order_status_url: order.statusPageUrl,
    confirmation_number: order.confirmationNumber ?? null,
    total_price: order.totalPriceSet.shopMoney.amount,
    customer: customer && {
      id: Number(customer.legacyResourceId),
      first_name: customer.firstName ?? null,
      last_name: customer.lastName ?? null,
      locale: customer.locale,
      email: customer.defaultEmailAddress?.emailAddress ?? null,
      phone: customer.defaultPhoneNumber?.phoneNumber ?? null,
      // The consent as it is now, with when it last changed (none if it never did): not as it was when the order was placed.
      sms_marketing_consent: customer.defaultPhoneNumber
        ? { state: lower(customer.defaultPhoneNumber.smsMarketingConsent.state), consent_updated_at: customer.defaultPhoneNumber.smsMarketingConsent.updatedAt ?? null }
        : null,
    },
    shipping_address: address(order.shippingAddress),
    billing_address: address(order.billingAddress),
  });
}

/** Shopify's global id of an order, from the numeric id webhooks carry. */
export const orderGid = (shopifyOrderId: string | number) => `gid://shopify/Order/${shopifyOrderId}`;

/** The order as Shopify has it now, or null when Shopify has no such order (deleted, or never there). */
export async function fetchOrder(graphql: AdminGraphql, shopifyOrderId: string | number): Promise<OrderPayload | null> {
  const { order } = await graphql(ORDER_QUERY, { id: orderGid(shopifyOrderId) });
  return order ? orderPayloadFromAdmin(order) : null;
}
