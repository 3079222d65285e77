import type { ActionFunctionArgs } from "@remix-run/node";

import { db } from "../db.server";
import { signupDeps } from "../services.server";
import { authenticate } from "../shopify.server";
import { acceptShopifyWebhook, processInBackground, recordMalformedShopifyWebhook } from "../shopify-webhooks.server";

// Every Shopify topic arrives here (shopify.app.toml); dispatch is on X-Shopify-Topic.
export const action = async ({ request }: ActionFunctionArgs) => {
  const rawBody = await request.clone().text();
  let delivery;
  try {
    delivery = await authenticate.webhook(request);
  } catch (error) {
    if (error instanceof Response) return error; // 401 bad HMAC, 400/405 not a webhook
    // HMAC was valid (it is checked first) but the body is not JSON.
    await recordMalformedShopifyWebhook(db(), request.headers, rawBody);
    return new Response(null, { status: 200 });
  }
  // Stored before the 200, handled right after it: Shopify waits 5 s at most.
  const receiptId = await acceptShopifyWebhook(db(), {
    shop: delivery.shop,
    topic: delivery.topic,
    webhookId: delivery.webhookId,
    eventId: "eventId" in delivery ? delivery.eventId : undefined,
    payload: delivery.payload,
  });
  if (receiptId) processInBackground(signupDeps(), receiptId);
  return new Response(null, { status: 200 });
};
