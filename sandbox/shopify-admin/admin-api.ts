// POST /admin/api/<version>/graphql.json: the token checked, the request
// validated against the version's schema, its calculated cost spent from the
// shop's bucket (THROTTLED when it runs dry), then run over the store; the
// webhooks a mutation causes follow a moment later.
import { z } from "zod";

import { json, type Reply, type ShopifyContext } from "./http";
import { prepare, run } from "./graphql";
import { adminSchema } from "./schema";

const MAX_QUERY_COST = 1000;

const graphqlBodySchema = z.object({ query: z.string(), variables: z.record(z.unknown()).nullish(), operationName: z.string().nullish() });

export async function graphql(ctx: ShopifyContext, version: string, token: string | undefined, body: unknown): Promise<Reply> {
  const { store, calls, bulk } = ctx;
  const issued = token ? store.tokens.get(token) : undefined;
  if (!issued || (issued.expiresAt !== null && issued.expiresAt < Date.now())) {
    return json(401, { errors: "[API] Invalid API key or access token (unrecognized login or wrong password)" });
  }
  let schema;
  try {
    schema = adminSchema(version);
  } catch {
    return json(404, { errors: "Not Found" });
  }
  const parsed = graphqlBodySchema.safeParse(body);
  if (!parsed.success) return json(400, { errors: { query: "Required parameter missing or invalid" } });
  const variables = parsed.data.variables ?? {};
  const prepared = prepare(schema, parsed.data.query, variables, parsed.data.operationName ?? undefined);
  if (prepared.kind === "errors") return json(200, { errors: prepared.errors });
  const shop = store.shop(issued.shop);
  const operation = prepared.operation.name?.value ?? "anonymous";
  const outage = store.outage;
  if (outage && (!outage.operation || outage.operation === operation)) {
    if (outage.after > 0) outage.after--;
    else {
      if (--outage.calls === 0) store.outage = null;
      return { status: 503, body: "<html><body><h1>503 Service Unavailable</h1></body></html>", contentType: "text/html" };
    }
  }
  const { maximumAvailable, restoreRate } = store.throttle;
  if (prepared.cost > MAX_QUERY_COST) {
    return json(200, {
      errors: [
        {
          message: `Query cost is ${prepared.cost}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`,
          extensions: { code: "MAX_COST_EXCEEDED", cost: prepared.cost, maxCost: MAX_QUERY_COST },
        },
      ],
    });
  }
  const spent = store.spend(shop, prepared.cost);
  const cost = (actual: number | null) => ({
    requestedQueryCost: prepared.cost,
    actualQueryCost: actual,
    throttleStatus: { maximumAvailable, currentlyAvailable: spent.currentlyAvailable, restoreRate },
  });
  calls.push({ shop: shop.domain, operation, cost: prepared.cost, throttled: !spent.ok });
  if (!spent.ok) {
    return json(200, { errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }], extensions: { cost: cost(null) } });
  }
  const caused: { topic: string; body: unknown }[] = [];
  const result = await run(schema, store, shop, prepared.document, variables, parsed.data.operationName ?? undefined, {
    emit: (topic, body) => caused.push({ topic, body }),
    bulkRun: (query) => bulk.start(schema, shop, query),
    bulkOperation: (id) => bulk.find(id, shop.domain),
  });
  // Webhooks follow the change a moment later, as Shopify sends them.
  for (const event of caused) setTimeout(() => void ctx.webhook(shop.domain, event.topic, event.body).catch(() => undefined), 50);
  return json(200, { ...(result.errors ? { errors: result.errors.map((e) => ({ message: e.message, path: e.path })) } : {}), data: result.data ?? null, extensions: { cost: cost(prepared.cost) } });
}
