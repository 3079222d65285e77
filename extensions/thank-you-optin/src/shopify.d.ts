// The `shopify` global the checkout gives this extension target, declared for
// its module as the Shopify CLI generates it (the package's own global is the
// surface-wide ShopifyGlobal, without the target's APIs).
import "@shopify/ui-extensions";
import type { Api } from "@shopify/ui-extensions/purchase.thank-you.block.render";

declare module "./OptIn.tsx" {
  const shopify: Api;
}

declare global {
  // Replaced at build time by the app's URL (Shopify CLI and extensions/build.ts).
  const process: { env: { APP_URL?: string } };
}
