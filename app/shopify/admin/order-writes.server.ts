// Writes to Shopify orders (the app's only writes): a tag, and a cancellation
// the shop asked for (nothing to refund: the order was to be paid on delivery).
// Adding a tag twice keeps one copy; the caller cancels only orders it does not
// know as cancelled, and a refusal (already cancelled in Shopify) is an error it
// records.
import { AdminGraphqlError, type AdminGraphql } from "./graphql.server";
import { orderGid } from "./orders.server";

export const TAGS_ADD_MUTATION = `#graphql
  mutation OrderTagsAdd($id: ID!, $tags: [String!]!) {
    tagsAdd(id: $id, tags: $tags) {
      userErrors {
        field
        message
      }
    }
  }
`;

export const ORDER_CANCEL_MUTATION = `#graphql
  mutation OrderCancel($orderId: ID!, $staffNote: String) {
    orderCancel(orderId: $orderId, reason: CUSTOMER, restock: true, notifyCustomer: false, staffNote: $staffNote) {
      job {
        id
      }
      orderCancelUserErrors {
        code
        field
        message
      }
    }
  }
`;

export async function addOrderTag(graphql: AdminGraphql, shopifyOrderId: string, tag: string): Promise<void> {
  const { tagsAdd } = await graphql(TAGS_ADD_MUTATION, { id: orderGid(shopifyOrderId), tags: [tag] });
  if (tagsAdd?.userErrors.length) throw new AdminGraphqlError(tagsAdd.userErrors.map((e) => ({ message: e.message })));
}

export async function cancelOrder(graphql: AdminGraphql, shopifyOrderId: string, staffNote: string): Promise<void> {
  const { orderCancel } = await graphql(ORDER_CANCEL_MUTATION, { orderId: orderGid(shopifyOrderId), staffNote });
  if (orderCancel?.orderCancelUserErrors.length) throw new AdminGraphqlError(orderCancel.orderCancelUserErrors.map((e) => ({ message: e.message, extensions: { code: e.code ?? undefined } })));
}
