import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";

import { adminOnly } from "../shopify/admin-cors.server";
import { db } from "../core/db.server";
import { parseJsonBody, readLimitedBody } from "../core/http-body.server";
import { orderReplyContext, parseReplyRequest, shopHasOrder } from "../messaging/order-reply.server";
import { type ReplyRefusal, sendStaffReply } from "../messaging/replies.server";
import { appDeps } from "../services.server";
import { requireShop } from "../shopify/request.server";
import { actingStaff } from "../shopify/staff.server";
import { shopifyOrderIdOf } from "../messaging/threads.server";
import { foreignDetail } from "../core/reasons";

// /api/orders/:orderId/reply — for the admin order-page action. GET: the
// order's customer, whether the 24 h window is open and the templates staff may
// send. POST (JSON `{ kind, text | templateName, requestId }`): the reply, sent
// as the thread page sends it, by the staff member of the session token. The
// shop comes from the token, so another shop's order is not found. Answers
// with CORS for the admin; OPTIONS preflights are answered by authenticate.admin.

/** A 4,096-character message in any script, as JSON, fits with room to spare. */
const MAX_BODY_BYTES = 32 * 1024;
const NOT_FOUND = { ok: false, field: "order", code: "notFound" };
const BAD_INPUT = new Set<ReplyRefusal>(["empty", "tooLong"]);

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { cors, shop } = await requireShop(request);
  const shopifyOrderId = shopifyOrderIdOf(params.orderId ?? "");
  const context = shopifyOrderId ? await orderReplyContext(db(), shop.id, shopifyOrderId) : null;
  const response = context ? Response.json(context, { headers: { "cache-control": "no-store" } }) : Response.json(NOT_FOUND, { status: 404 });
  return adminOnly(request, cors(response));
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, cors, shop } = await requireShop(request);
  const answer = (body: unknown, status: number) => adminOnly(request, cors(Response.json(body, { status })));
  if (request.method !== "POST") return adminOnly(request, cors(new Response(null, { status: 405 })));
  const shopifyOrderId = shopifyOrderIdOf(params.orderId ?? "");
  if (!shopifyOrderId || !(await shopHasOrder(db(), shop.id, shopifyOrderId))) return answer(NOT_FOUND, 404);
  const read = await readLimitedBody(request, MAX_BODY_BYTES);
  if (!read.ok) return adminOnly(request, cors(read.response));
  const json = parseJsonBody(read.body.toString("utf8"));
  const reply = parseReplyRequest(json.ok ? json.value : undefined);
  if (!reply.ok) return answer(reply, 400);
  const staff = await actingStaff(db(), shop.id, session);
  const result = await sendStaffReply(appDeps(), shop.id, { shopifyOrderId }, staff, reply.input, reply.requestId);
  // Bad input is the caller's to fix (400); a refusal of well-formed input (the window, the template, WhatsApp) is 422.
  // The extension words the code; WhatsApp's own words, if any, go along as the detail.
  if (result.ok) return answer(result, 200);
  return answer({ ok: false, field: result.field, code: result.code, detail: foreignDetail(result.cause) }, BAD_INPUT.has(result.code) ? 400 : 422);
};
