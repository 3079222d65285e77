import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";

import { adminOnly } from "../shopify/admin-cors.server";
import { db } from "../core/db.server";
import { authenticate } from "../shopify/shopify.server";
import { requireShop } from "../shopify/request.server";
import { orderThread, shopifyOrderIdOf, threadCursorSchema } from "../messaging/threads.server";

// GET /api/orders/:orderId/thread?before= — for the admin order-page block:
// the newest messages, and with `before` (a page's `earlierCursor`) the page
// before. The extension's fetch carries the admin session token; the shop
// comes from it, so another shop's order is simply not found. Answers with
// CORS for the admin.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { cors, shop } = await requireShop(request);
  const cursor = threadCursorSchema.safeParse({ before: new URL(request.url).searchParams.get("before") ?? undefined });
  if (!cursor.success) return adminOnly(request, cors(Response.json({ error: "before: not a cursor from earlierCursor" }, { status: 400 })));
  const shopifyOrderId = shopifyOrderIdOf(params.orderId ?? "");
  const thread = shopifyOrderId ? await orderThread(db(), shop.id, shopifyOrderId, { before: cursor.data.before }) : null;
  // The shop's timezone: the block shows the messages' times as the app's pages do, not in the browser's zone.
  const response = thread ? Response.json({ ...thread, timezone: shop.timezone }, { headers: { "cache-control": "no-store" } }) : Response.json({ error: "Order not found" }, { status: 404 });
  return adminOnly(request, cors(response));
};

// CORS preflight (OPTIONS) reaches the action; authenticate.admin answers it.
export const action = async ({ request }: ActionFunctionArgs) => {
  await authenticate.admin(request);
  return new Response(null, { status: 405 });
};
