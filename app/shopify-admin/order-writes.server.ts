// Writes to Shopify orders (the app's only writes): a tag, and a cancellation
// the shop asked for. Both are safe to repeat: Shopify keeps one copy of a tag,
// and an order already cancelled is not cancelled again.
import { AdminGraphqlError, type AdminGraphql } from "./graphql.server";

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
    orderCancel(orderId: $orderId, reason: CUSTOMER, restock: true, refund: false, notifyCustomer: false, staffNote: $staffNote) {
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

const orderGid = (shopifyOrderId: string) => `gid://shopify/Order/${shopifyOrderId}`;

export async function addOrderTag(graphql: AdminGraphql, shopifyOrderId: string, tag: string): Promise<void> {
  const { tagsAdd } = await graphql(TAGS_ADD_MUTATION, { id: orderGid(shopifyOrderId), tags: [tag] });
  if (tagsAdd?.userErrors.length) throw new AdminGraphqlError(tagsAdd.userErrors.map((e) => ({ message: e.message })));
}

export async function cancelOrder(graphql: AdminGraphql, shopifyOrderId: string, staffNote: string): Promise<void> {
  const { orderCancel } = await graphql(ORDER_CANCEL_MUTATION, { orderId: orderGid(shopifyOrderId), staffNote });
  if (orderCancel?.orderCancelUserErrors.length) throw new AdminGraphqlError(orderCancel.orderCancelUserErrors.map((e) => ({ message: e.message, extensions: { code: e.code ?? undefined } })));
}
