import type { ActionFunctionArgs } from "@remix-run/node";

import { answerRequest, shopifyWebhookEndpoint } from "../jobs/webhook-endpoints.server";

// Every Shopify topic arrives here (shopify.app.toml). Stored before the 200
// (Shopify waits 5 s at most), handled by a worker. server.ts serves this path
// ahead of Remix; the route serves it under the Vite dev server.
export const action = ({ request }: ActionFunctionArgs) => answerRequest(shopifyWebhookEndpoint, request);
