// Shopify webhook deliveries as Shopify makes them: HMAC-signed with the app's
// API secret, with the headers the app reads. The sandbox drives the app with these.
import { createHmac, randomUUID } from "node:crypto";

export function shopifyHmac(body: string, secret: string): string {
  return createHmac("sha256", secret).update(body, "utf8").digest("base64");
}

export async function postShopifyWebhook(appUrl: string, secret: string, input: { topic: string; shop: string; body: string; eventId?: string; webhookId?: string; hmac?: string }): Promise<Response> {
  return fetch(`${appUrl}/webhooks/shopify`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-shopify-topic": input.topic,
      "x-shopify-shop-domain": input.shop,
      "x-shopify-hmac-sha256": input.hmac ?? shopifyHmac(input.body, secret),
      "x-shopify-api-version": "2026-10",
      "x-shopify-webhook-id": input.webhookId ?? randomUUID(),
      "x-shopify-event-id": input.eventId ?? randomUUID(),
      "x-shopify-triggered-at": new Date().toISOString(),
    },
    body: input.body,
  });
}
