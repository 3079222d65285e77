import type { ActionFunctionArgs } from "@remix-run/node";

import { config } from "../config.server";
import { db } from "../db.server";
import { readLimitedBody, WEBHOOK_MAX_BYTES } from "../http-body.server";
import { wakeWorker } from "../jobs/embedded-worker.server";
import { receiveShopifyWebhook } from "../shopify-webhooks.server";

// Every Shopify topic arrives here (shopify.app.toml). Stored before the 200
// (Shopify waits 5 s at most), handled by a worker; a failure to store
// answers 500, so Shopify delivers it again.
export const action = async ({ request }: ActionFunctionArgs) => {
  const body = await readLimitedBody(request, WEBHOOK_MAX_BYTES);
  if (!body.ok) return body.response;
  const intake = await receiveShopifyWebhook(db(), body.body, request.headers, config().SHOPIFY_API_SECRET);
  if (intake.kind === "unauthorized") return new Response(null, { status: 401 });
  if (intake.kind === "stored") wakeWorker();
  return new Response(null, { status: 200 });
};
