import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";

import { config } from "../config.server";
import { db } from "../db.server";
import { readLimitedBody, WEBHOOK_MAX_BYTES } from "../http-body.server";
import { wakeWorker } from "../jobs/embedded-worker.server";
import { verifySubscription } from "../whatsapp/subscription.server";
import { receiveMetaWebhook } from "../whatsapp/webhooks.server";

// GET: Meta's subscription check. POST: signed change notifications.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const result = verifySubscription(new URL(request.url).searchParams, config().META_WEBHOOK_VERIFY_TOKEN);
  return new Response(result.body, { status: result.status, headers: { "content-type": "text/plain" } });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const body = await readLimitedBody(request, WEBHOOK_MAX_BYTES);
  if (!body.ok) return body.response;
  const outcome = await receiveMetaWebhook(db(), body.body, request.headers.get("x-hub-signature-256"), config().META_APP_SECRET);
  if (outcome.received > 0) wakeWorker();
  return new Response(null, { status: outcome.status });
};
