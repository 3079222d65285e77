// Signed requests as Shopify and Meta send them, and small HTTP helpers.
import type { Db } from "../../app/core/db.server";
import { pendingSpools } from "../../app/jobs/intake-spool.server";

import { postShopifyWebhook as postToApp } from "../../sandbox/shopify-webhooks";
import { metaSignature } from "../../sandbox/simulator/signing";
import { testDbDir } from "./db";

export const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";

export { shopifyHmac } from "../../sandbox/shopify-webhooks";

/**
 * On SQLite, a webhook answered while another process held the write lock
 * waits in a spool beside the database until the lock is free
 * (app/jobs/intake-spool.server.ts): a test reads the stored rows once the
 * test databases' spools are empty.
 */
export async function spoolsStored(timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (pendingSpools(testDbDir()).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** Posts a signed Shopify webhook as Shopify does; resolves once what it stored can be read. */
export async function postShopifyWebhook(...args: Parameters<typeof postToApp>): Promise<Response> {
  const response = await postToApp(...args);
  await spoolsStored();
  return response;
}

/** Posts a Shopify webhook and waits until the app has handled it (handling runs after the 200). */
export async function deliverShopifyWebhook(
  db: Db,
  appUrl: string,
  secret: string,
  input: { topic: string; shop: string; body: string; eventId?: string },
): Promise<{ status: number; receiptStatus: string | undefined }> {
  const eventId = input.eventId ?? crypto.randomUUID();
  const response = await postShopifyWebhook(appUrl, secret, { ...input, eventId });
  // The app answers first and handles the delivery after; on a loaded machine that can take seconds.
  const deadline = Date.now() + 30_000;
  let receipt = await db.webhookReceipt.findUnique({ where: { source_dedupeKey: { source: "SHOPIFY", dedupeKey: eventId } } });
  while (response.status === 200 && receipt?.status === "RECEIVED" && !receipt.error && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    receipt = await db.webhookReceipt.findUnique({ where: { source_dedupeKey: { source: "SHOPIFY", dedupeKey: eventId } } });
  }
  return { status: response.status, receiptStatus: receipt?.status };
}

export async function postMetaWebhook(appUrl: string, secret: string, body: string, signature = metaSignature(body, secret)): Promise<Response> {
  const response = await fetch(`${appUrl}/webhooks/whatsapp`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-hub-signature-256": signature },
    body,
  });
  await spoolsStored();
  return response;
}

export function metaEnvelope(wabaId: string, field: string, value: Record<string, unknown>): string {
  return JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: wabaId, time: Math.floor(Date.now() / 1000), changes: [{ field, value }] }] });
}

export async function simJson<T>(simUrl: string, path: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const response = await fetch(`${simUrl}/_sim/${path}`, {
    method: init?.method ?? "GET",
    headers: init?.body ? { "content-type": "application/json" } : undefined,
    body: init?.body ? JSON.stringify(init.body) : undefined,
  });
  return (await response.json()) as T;
}
