import type { ActionFunctionArgs } from "@remix-run/node";

import { config } from "../core/config.server";
import { db } from "../core/db.server";
import { parseJsonBody, readLimitedBody } from "../core/http-body.server";
import { authenticate } from "../shopify/shopify.server";
import { recordThankYouOptIn, shopOfCheckoutToken, thankYouOptInSchema } from "../messaging/thank-you-consent.server";

// POST /api/checkout/whatsapp-consent — the thank-you page block's opt-in. The
// checkout session token (Authorization: Bearer) names the shop; the body names
// the order and the words shown. Answers with CORS for the checkout's sandboxed
// extension; OPTIONS preflights are answered by authenticate.public.checkout.
export const action = async ({ request }: ActionFunctionArgs) => {
  const { sessionToken, cors } = await authenticate.public.checkout(request);
  if (request.method !== "POST") return cors(new Response(null, { status: 405 }));
  const read = await readLimitedBody(request, 4096);
  if (!read.ok) return cors(read.response);
  const body = parseJsonBody(read.body.toString("utf8"));
  if (!body.ok) return cors(Response.json({ error: `Not JSON: ${body.reason}` }, { status: 400 }));
  const input = thankYouOptInSchema.safeParse(body.value);
  if (!input.success) return cors(Response.json({ error: input.error.issues[0]!.message }, { status: 400 }));
  const result = await recordThankYouOptIn({ db: db(), config: config() }, shopOfCheckoutToken(sessionToken.dest), input.data);
  const status = result === "OPTED_IN" ? 200 : result === "UNKNOWN_ORDER" ? 404 : 422;
  return cors(Response.json({ result }, { status }));
};
