// The `shopify` global the admin gives this extension target (Shopify CLI generates the same).
import type { Api } from "@shopify/ui-extensions/admin.order-details.action.render";

declare global {
  const shopify: Api;
}
