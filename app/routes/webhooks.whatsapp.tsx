import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";

import { config } from "../core/config.server";
import { verifySubscription } from "../whatsapp/subscription.server";
import { answerRequest, metaWebhookEndpoint } from "../jobs/webhook-endpoints.server";

// GET: Meta's subscription check. POST: signed change notifications (server.ts
// serves POST ahead of Remix; the route serves it under the Vite dev server).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const result = verifySubscription(new URL(request.url).searchParams, config().META_WEBHOOK_VERIFY_TOKEN);
  return new Response(result.body, { status: result.status, headers: { "content-type": "text/plain" } });
};

export const action = ({ request }: ActionFunctionArgs) => answerRequest(metaWebhookEndpoint, request);
