// The two webhook endpoints as plain Request → Response functions: the Remix
// routes call them, and server.ts mounts them on Express ahead of Remix, so the
// busiest requests the app gets skip the page framework. Each does only the
// intake: read the bounded body, verify, store, announce, answer.
import { config } from "../core/config.server";
import { db } from "../core/db.server";
import { readLimitedBody, WEBHOOK_MAX_BYTES } from "../core/http-body.server";
import { onSpooledReceiptStored } from "./intake-spool.server";
import { announceReceipt } from "./queue.server";
import { receiveShopifyWebhook } from "../shopify/webhooks.server";
import { receiveMetaWebhook } from "../whatsapp/webhooks.server";

// A receipt spooled while SQLite was locked is announced when it reaches the table.
onSpooledReceiptStored(announceReceipt);

/** POST /webhooks/shopify: every Shopify topic. A failure to store throws (500), so Shopify delivers it again. */
export async function shopifyWebhookEndpoint(request: Request): Promise<Response> {
  const body = await readLimitedBody(request, WEBHOOK_MAX_BYTES);
  if (!body.ok) return body.response;
  const intake = await receiveShopifyWebhook(db(), body.body, request.headers, config().SHOPIFY_API_SECRET);
  if (intake.kind === "unauthorized") return new Response(null, { status: 401 });
  if (intake.kind === "stored") announceReceipt(intake.receiptId, "SHOPIFY");
  return new Response(null, { status: 200 });
}

/** POST /webhooks/whatsapp: Meta's signed change notifications. */
export async function metaWebhookEndpoint(request: Request): Promise<Response> {
  const body = await readLimitedBody(request, WEBHOOK_MAX_BYTES);
  if (!body.ok) return body.response;
  const outcome = await receiveMetaWebhook(db(), body.body, request.headers.get("x-hub-signature-256"), config().META_APP_SECRET);
  for (const receiptId of outcome.receiptIds) announceReceipt(receiptId, "META");
  return new Response(null, { status: outcome.status });
}
