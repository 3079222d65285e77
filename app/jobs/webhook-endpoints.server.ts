// The two webhook endpoints, independent of the HTTP framework: a delivery is
// its headers and its body's chunks, an answer a status (and a short text).
// server.ts serves them straight from Node's request on Express, ahead of
// Remix, so the busiest requests the app gets build no web Request or
// Response; the Remix routes (the Vite dev server) adapt a Request. Each does
// only the intake: read the bounded body, verify, store, announce, answer.
import { config } from "../core/config.server";
import { db } from "../core/db.server";
import { collectBounded, declaredTooLarge, TOO_LARGE_HEADERS, tooLargeText, WEBHOOK_MAX_BYTES } from "../core/http-body.server";
import { onSpooledReceiptStored } from "./intake-spool.server";
import { announceReceipt } from "./queue.server";
import { receiveShopifyWebhook } from "../shopify/webhooks.server";
import { receiveMetaWebhook } from "../whatsapp/webhooks.server";

// A receipt spooled while SQLite was locked is announced when it reaches the table.
onSpooledReceiptStored(announceReceipt);

export interface WebhookDelivery {
  /** A request header by its lower-case name; null when absent. */
  header(name: string): string | null;
  /** The body's chunks, read at most once; null for a request without a body. */
  chunks: AsyncIterable<Uint8Array> | null;
}

/** The answer; a 413 is sent with TOO_LARGE_HEADERS. */
export type WebhookAnswer = { status: 200 | 401 } | { status: 413; text: string };

/** The bounded body, or the 413 that refuses it (by its Content-Length before reading anything). */
async function bodyOf(delivery: WebhookDelivery): Promise<{ body: Buffer } | { refused: WebhookAnswer }> {
  const refused = { refused: { status: 413, text: tooLargeText(WEBHOOK_MAX_BYTES) } } as const;
  if (declaredTooLarge(delivery.header("content-length"), WEBHOOK_MAX_BYTES)) return refused;
  const body = delivery.chunks ? await collectBounded(delivery.chunks, WEBHOOK_MAX_BYTES) : Buffer.alloc(0);
  return body ? { body } : refused;
}

/** POST /webhooks/shopify: every Shopify topic. A failure to store throws (500), so Shopify delivers it again. */
export async function shopifyWebhookEndpoint(delivery: WebhookDelivery): Promise<WebhookAnswer> {
  const read = await bodyOf(delivery);
  if ("refused" in read) return read.refused;
  const intake = await receiveShopifyWebhook(db(), read.body, delivery.header, config().SHOPIFY_API_SECRET);
  if (intake.kind === "unauthorized") return { status: 401 };
  if (intake.kind === "stored") announceReceipt(intake.receiptId, "SHOPIFY");
  return { status: 200 };
}

/** POST /webhooks/whatsapp: Meta's signed change notifications. */
export async function metaWebhookEndpoint(delivery: WebhookDelivery): Promise<WebhookAnswer> {
  const read = await bodyOf(delivery);
  if ("refused" in read) return read.refused;
  const outcome = await receiveMetaWebhook(db(), read.body, delivery.header("x-hub-signature-256"), config().META_APP_SECRET);
  for (const receiptId of outcome.receiptIds) announceReceipt(receiptId, "META");
  return { status: outcome.status };
}

/** An endpoint as a Remix action: the Request in, a Response out. */
export async function answerRequest(endpoint: (delivery: WebhookDelivery) => Promise<WebhookAnswer>, request: Request): Promise<Response> {
  const answer = await endpoint({ header: (name) => request.headers.get(name), chunks: request.body });
  if (answer.status !== 413) return new Response(null, { status: answer.status });
  await request.body?.cancel().catch(() => undefined);
  return new Response(answer.text, { status: 413, headers: TOO_LARGE_HEADERS });
}
