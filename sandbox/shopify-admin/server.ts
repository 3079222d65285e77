// A Shopify Admin API simulator: `POST /admin/api/<version>/graphql.json`
// validated against Shopify's real schema and executed over a simulated store
// (calculated query cost, THROTTLED when the bucket runs dry, 401 for a token
// it did not issue), the OAuth token endpoint (token exchange and refresh, as
// the Shopify library calls it: offline tokens, and online tokens that name the
// staff member behind the session token's `sub`), and a control API under /_sim/shopify/ that
// places orders (delivering the signed `orders/create` webhook to the app, as a
// store does), changes shop facts, adds staff, seeds customers and segments,
// throttles and revokes. In memory.
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { z } from "zod";

import { postShopifyWebhook } from "../shopify-webhooks";
import { prepare, run } from "./graphql";
import { adminSchema } from "./schema";
import { compileSegmentQuery, SegmentQueryError } from "./segment-query";
import { SMS_STATES, type SimShopFacts, type SimStaff, SimStore, WHATSAPP_STATES } from "./store";

export interface ShopifySimulatorOptions {
  port?: number;
  host?: string;
  /** The app's client id and secret: token exchange checks them, webhooks are signed with the secret. */
  apiKey: string;
  apiSecret: string;
  /** The app's origin: webhooks go to `${appUrl}/webhooks/shopify`. */
  appUrl?: string;
  /** Shops that exist from the start, each with an offline token already issued (a finished install). */
  shops?: { domain: string; facts?: Partial<SimShopFacts>; accessToken?: string; scope?: string; staff?: SimStaff[] }[];
  /** The scopes the app asks for (`SCOPES`), granted by token exchange as an install grants them. */
  scopes: string;
  /** Lifetime of offline tokens from token exchange (expiring offline tokens); null: they never expire. */
  offlineTokenSeconds?: number | null;
}

export interface ShopifySimulator {
  url: string;
  store: SimStore;
  /** Every Admin API call answered, in order (tests read what the app asked and what it cost). */
  calls: { shop: string; operation: string; cost: number; throttled: boolean }[];
  setAppUrl(url: string): void;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
/** The control API takes more: tests seed thousands of customers at once. */
const MAX_CONTROL_BODY_BYTES = 32 * 1024 * 1024;
/** Online access tokens last a day (Shopify answers `expires_in: 86399`); they never come with a refresh token. */
const ONLINE_TOKEN_SECONDS = 86_399;
const MAX_QUERY_COST = 1000;
/** A bulk export runs this long after it is started. */
const BULK_DELAY_MS = 300;

type Reply = { status: number; body: unknown; contentType?: string };
const json = (status: number, body: unknown): Reply => ({ status, body });
/** A control request that does not validate: 400, each problem naming its field. */
const invalid = (error: z.ZodError): Reply => json(400, { errors: error.issues.map((issue) => ({ field: issue.path.join("."), message: issue.message })) });

const placeOrderSchema = z.object({
  shop: z.string().optional(),
  order: z.record(z.unknown()).optional(),
  /** false: the store has the order but its orders/create webhook is not delivered (lost, or still to come). */
  webhook: z.boolean().default(true),
});
const factsSchema = z.object({
  shop: z.string(),
  facts: z
    .object({ name: z.string(), contactEmail: z.string(), ianaTimezone: z.string(), currencyCode: z.string(), countryCode: z.string().length(2), primaryLocale: z.string(), planName: z.string(), partnerDevelopment: z.boolean() })
    .partial(),
  /** Deliver `shop/update` to the app, as Shopify does when the merchant saves settings. */
  notify: z.boolean().default(true),
});
/** The merchant tags a customer in the admin (POST /_sim/shopify/customers). */
const customerTagsSchema = z.object({ shop: z.string(), id: z.number().int().positive(), tags: z.array(z.string()) }).strict();
const customerSchema = z
  .object({
    id: z.number().int().positive(),
    firstName: z.string().nullish(),
    lastName: z.string().nullish(),
    email: z.string().nullish(),
    /** As typed: national format or invalid is kept. */
    phone: z.string().nullish(),
    countryCode: z.string().regex(/^[A-Z]{2}$/, "an ISO country code such as BR").nullish(),
    locale: z.string().min(2).nullish(),
    tags: z.array(z.string()).default([]),
    smsMarketingState: z.enum(SMS_STATES).default("NOT_SUBSCRIBED"),
    whatsAppMarketingState: z.enum(WHATSAPP_STATES).default("NEVER_SUBSCRIBED"),
    createdAt: z.string().datetime({ offset: true }).optional(),
    /** Order facts of orders the store does not hold; its orders naming the customer add to them. */
    numberOfOrders: z.number().int().nonnegative().default(0),
    amountSpent: z.string().regex(/^\d+(\.\d{1,2})?$/, "a decimal amount such as 120.50").default("0.00"),
    lastOrderAt: z.string().datetime({ offset: true }).nullish(),
  })
  .strict();
/** Many customers created or replaced at once. */
const customersSchema = z.object({ shop: z.string(), customers: z.array(customerSchema).min(1) }).strict();
const segmentSchema = z.object({ shop: z.string(), name: z.string().min(1), query: z.string().min(1) }).strict();

const staffSchema = z.object({
  shop: z.string(),
  /** The user id: the `sub` of this person's admin session tokens. */
  id: z.number().int().positive(),
  firstName: z.string(),
  lastName: z.string().default(""),
  email: z.string().email().optional(),
  accountOwner: z.boolean().default(false),
  collaborator: z.boolean().default(false),
  locale: z.string().default("en"),
  /** What this person's permissions allow of the app's scopes; absent: all of them. */
  scopes: z.array(z.string()).optional(),
});
const throttleSchema = z.object({ maximumAvailable: z.number().positive(), restoreRate: z.number().positive() });
const graphqlBodySchema = z.object({ query: z.string(), variables: z.record(z.unknown()).nullish(), operationName: z.string().nullish() });

function verifySessionToken(token: string, apiKey: string, secret: string): { shop: string; sub: string } | null {
  const [header, payload, signature] = token.split(".");
  if (!header || !payload || !signature) return null;
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { dest?: string; aud?: string; exp?: number; sub?: string };
  if (claims.aud !== apiKey || !claims.exp || claims.exp * 1000 < Date.now()) return null;
  // An admin session token's `sub` is the user's numeric id.
  if (!claims.dest || !claims.sub || !/^\d+$/.test(claims.sub)) return null;
  return { shop: new URL(claims.dest).hostname, sub: claims.sub };
}

export async function startShopifySimulator(options: ShopifySimulatorOptions): Promise<ShopifySimulator> {
  const store = new SimStore();
  let selfUrl = "";
  let bulkSeq = 0;
  const calls: ShopifySimulator["calls"] = [];
  let appUrl = options.appUrl;
  const offlineTokenSeconds = options.offlineTokenSeconds === undefined ? null : options.offlineTokenSeconds;
  for (const seeded of options.shops ?? []) {
    const shop = store.shop(seeded.domain);
    shop.facts = { ...shop.facts, ...seeded.facts };
    for (const member of seeded.staff ?? []) shop.staff.set(String(member.id), member);
    if (seeded.accessToken) store.tokens.set(seeded.accessToken, { shop: seeded.domain, scope: seeded.scope ?? "", expiresAt: null });
  }

  const webhook = async (shop: string, topic: string, body: unknown) => {
    if (!appUrl) return { delivered: false };
    const response = await postShopifyWebhook(appUrl, options.apiSecret, { topic, shop, body: JSON.stringify(body) });
    return { delivered: response.ok };
  };

  /** Bulk exports: run a moment after they are started, their JSONL served under /_sim/shopify/bulk/. */
  const bulk = new Map<string, { id: string; shop: string; status: "CREATED" | "RUNNING" | "COMPLETED" | "FAILED"; lines: string[]; createdAt: string }>();
  const bulkView = (op: { id: string; status: string; lines: string[]; createdAt: string }) => ({
    __typename: "BulkOperation",
    id: op.id,
    status: op.status,
    errorCode: op.status === "FAILED" ? "INTERNAL_SERVER_ERROR" : null,
    objectCount: String(op.lines.length),
    rootObjectCount: String(op.lines.length),
    createdAt: op.createdAt,
    url: op.status === "COMPLETED" && op.lines.length > 0 ? `${selfUrl}/_sim/shopify/bulk/${encodeURIComponent(op.id)}.jsonl` : null,
  });
  function startBulk(schema: ReturnType<typeof adminSchema>, shop: ReturnType<SimStore["shop"]>, query: string) {
    const prepared = prepare(schema, query, {});
    if (prepared.kind === "errors") return { bulkOperation: null, userErrors: prepared.errors.map((e) => ({ code: "INVALID", field: ["query"], message: e.message })) };
    const op = { id: `gid://shopify/BulkOperation/${++bulkSeq}`, shop: shop.domain, status: "CREATED" as const, lines: [] as string[], createdAt: new Date().toISOString() };
    bulk.set(op.id, op);
    setTimeout(() => {
      bulk.set(op.id, { ...op, status: "RUNNING" });
      run(schema, store, shop, prepared.document, {}, undefined, { emit: () => undefined, bulkRun: () => null, bulkOperation: () => null })
        .then((result) => {
          const root = Object.values(result.data ?? {})[0] as { edges?: { node: unknown }[] } | undefined;
          bulk.set(op.id, { ...op, status: "COMPLETED", lines: (root?.edges ?? []).map((edge) => JSON.stringify(edge.node)) });
        })
        .catch(() => bulk.set(op.id, { ...op, status: "FAILED" }));
    }, BULK_DELAY_MS);
    return { bulkOperation: bulkView(op), userErrors: [] };
  }

  async function graphql(version: string, token: string | undefined, body: unknown): Promise<Reply> {
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
    const { maximumAvailable, restoreRate } = store.throttle;
    if (prepared.cost > MAX_QUERY_COST) {
      return json(200, { errors: [{ message: `Query cost is ${prepared.cost}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`, extensions: { code: "MAX_COST_EXCEEDED", cost: prepared.cost, maxCost: MAX_QUERY_COST } }] });
    }
    const spent = store.spend(shop, prepared.cost);
    const cost = (actual: number | null) => ({ requestedQueryCost: prepared.cost, actualQueryCost: actual, throttleStatus: { maximumAvailable, currentlyAvailable: spent.currentlyAvailable, restoreRate } });
    calls.push({ shop: shop.domain, operation, cost: prepared.cost, throttled: !spent.ok });
    if (!spent.ok) {
      return json(200, { errors: [{ message: "Throttled", extensions: { code: "THROTTLED", documentation: "https://shopify.dev/api/usage/rate-limits" } }], extensions: { cost: cost(null) } });
    }
    const caused: { topic: string; body: unknown }[] = [];
    const result = await run(schema, store, shop, prepared.document, variables, parsed.data.operationName ?? undefined, {
      emit: (topic, body) => caused.push({ topic, body }),
      bulkRun: (query) => startBulk(schema, shop, query),
      bulkOperation: (id) => {
        const op = bulk.get(id);
        return op && op.shop === shop.domain ? bulkView(op) : null;
      },
    });
    // Webhooks follow the change a moment later, as Shopify sends them.
    for (const event of caused) setTimeout(() => void webhook(shop.domain, event.topic, event.body).catch(() => undefined), 50);
    return json(200, { ...(result.errors ? { errors: result.errors.map((e) => ({ message: e.message, path: e.path })) } : {}), data: result.data ?? null, extensions: { cost: cost(prepared.cost) } });
  }

  function accessToken(body: Record<string, unknown>): Reply {
    if (body.client_id !== options.apiKey || body.client_secret !== options.apiSecret) {
      return json(400, { error: "invalid_client", error_description: "Client authentication failed" });
    }
    const expiring = body.expiring === "1" && offlineTokenSeconds !== null;
    const grant = (shop: string, scope: string) => {
      const { accessToken, refreshToken } = store.issueToken(shop, scope, expiring ? offlineTokenSeconds : null);
      return json(200, {
        access_token: accessToken,
        scope,
        ...(refreshToken ? { expires_in: offlineTokenSeconds, refresh_token: refreshToken, refresh_token_expires_in: 90 * 24 * 3600 } : {}),
      });
    };
    // Online tokens: the app's scopes, limited to what the person may do (associated_user_scope), for a day.
    const onlineGrant = (shop: string, sub: string): Reply => {
      const { scopes, ...user } = store.staffMember(shop, sub);
      const userScope = scopes ? options.scopes.split(",").filter((scope) => scopes.includes(scope)).join(",") : options.scopes;
      const { accessToken } = store.issueToken(shop, userScope, ONLINE_TOKEN_SECONDS, { refreshable: false });
      return json(200, { access_token: accessToken, scope: options.scopes, expires_in: ONLINE_TOKEN_SECONDS, associated_user_scope: userScope, associated_user: user });
    };
    if (body.grant_type === "urn:ietf:params:oauth:grant-type:token-exchange") {
      const subject = typeof body.subject_token === "string" ? verifySessionToken(body.subject_token, options.apiKey, options.apiSecret) : null;
      if (!subject) return json(400, { error: "invalid_subject_token", error_description: "The session token is invalid or expired" });
      store.shop(subject.shop);
      if (body.requested_token_type === "urn:shopify:params:oauth:token-type:offline-access-token") return grant(subject.shop, options.scopes);
      if (body.requested_token_type === "urn:shopify:params:oauth:token-type:online-access-token") return onlineGrant(subject.shop, subject.sub);
      return json(400, { error: "invalid_request", error_description: "Unknown requested_token_type" });
    }
    if (body.grant_type === "refresh_token") {
      const known = typeof body.refresh_token === "string" ? store.refreshTokens.get(body.refresh_token) : undefined;
      if (!known) return json(400, { error: "invalid_grant", error_description: "The refresh token is invalid" });
      store.refreshTokens.delete(body.refresh_token as string);
      return grant(known.shop, known.scope);
    }
    return json(400, { error: "unsupported_grant_type" });
  }

  async function control(path: string[], body: Record<string, unknown>): Promise<Reply> {
    const [what] = path;
    if (what === "orders") {
      const wrapped = "order" in body;
      const input = placeOrderSchema.parse(wrapped ? body : { shop: body.shop });
      const shop = input.shop ?? options.shops?.[0]?.domain ?? "demo-store.myshopify.com";
      // The body is the order itself (REST JSON), or { shop, order, webhook }.
      const rest = input.order ?? Object.fromEntries(Object.entries(body).filter(([key]) => key !== "shop"));
      const order = store.placeOrder(shop, rest);
      if (input.webhook) await webhook(shop, "orders/create", order.rest);
      return json(200, { id: order.rest.id });
    }
    if (what === "shop") {
      const input = factsSchema.parse(body);
      const shop = store.shop(input.shop);
      shop.facts = { ...shop.facts, ...input.facts };
      if (input.notify) await webhook(input.shop, "shop/update", { name: shop.facts.name, iana_timezone: shop.facts.ianaTimezone, currency: shop.facts.currencyCode, primary_locale: shop.facts.primaryLocale, myshopify_domain: input.shop });
      return json(200, { facts: shop.facts });
    }
    if (what === "staff") {
      const input = staffSchema.parse(body);
      const handle = input.shop.replace(/\.myshopify\.com$/, "");
      const member: SimStaff = {
        id: input.id,
        first_name: input.firstName,
        last_name: input.lastName,
        email: input.email ?? `staff-${input.id}@${handle}.example`,
        email_verified: true,
        account_owner: input.accountOwner,
        locale: input.locale,
        collaborator: input.collaborator,
        scopes: input.scopes ?? null,
      };
      store.shop(input.shop).staff.set(String(input.id), member);
      return json(200, { staff: member });
    }
    if (what === "customers" && "customers" in body) {
      const input = customersSchema.safeParse(body);
      if (!input.success) return invalid(input.error);
      const customers = store.shop(input.data.shop).customers;
      for (const c of input.data.customers) {
        customers.set(c.id, {
          ...store.blankCustomer(c.id, c.createdAt),
          firstName: c.firstName ?? null,
          lastName: c.lastName ?? null,
          email: c.email ?? null,
          phone: c.phone ?? null,
          countryCode: c.countryCode ?? null,
          locale: c.locale ?? null,
          tags: c.tags,
          smsState: c.smsMarketingState,
          whatsAppState: c.whatsAppMarketingState,
          seeded: { numberOfOrders: c.numberOfOrders, amountSpent: c.amountSpent, lastOrderAt: c.lastOrderAt ?? null },
        });
      }
      return json(200, { count: input.data.customers.length });
    }
    if (what === "customers") {
      const input = customerTagsSchema.safeParse(body);
      if (!input.success) return invalid(input.error);
      const { shop, id, tags } = input.data;
      const customers = store.shop(shop).customers;
      customers.set(id, { ...(customers.get(id) ?? store.blankCustomer(id)), tags });
      return json(200, { id, tags });
    }
    if (what === "segments") {
      const input = segmentSchema.safeParse(body);
      if (!input.success) return invalid(input.error);
      const shop = store.shop(input.data.shop);
      if ([...shop.segments.values()].some((s) => s.name === input.data.name)) return json(400, { errors: [{ field: "name", message: "Name has already been taken" }] });
      try {
        compileSegmentQuery(input.data.query);
      } catch (error) {
        if (error instanceof SegmentQueryError) return json(400, { errors: [{ field: "query", message: error.message }] });
        throw error;
      }
      const segment = store.addSegment(shop.domain, input.data.name, input.data.query);
      return json(200, { id: `gid://shopify/Segment/${segment.id}` });
    }
    if (what === "throttle") {
      store.throttle = throttleSchema.parse(body);
      for (const shop of store.shops.values()) shop.bucket = { available: store.throttle.maximumAvailable, at: Date.now() };
      return json(200, store.throttle);
    }
    if (what === "revoke") {
      store.revoke(z.object({ shop: z.string() }).parse(body).shop);
      return json(200, { revoked: true });
    }
    if (what === "calls") return json(200, { calls });
    if (what === "bulk") {
      const op = bulk.get(decodeURIComponent(path[1] ?? "").replace(/\.jsonl$/, ""));
      return op?.status === "COMPLETED" ? { status: 200, body: op.lines.join("\n") + "\n", contentType: "application/jsonl" } : json(404, { errors: "Not Found" });
    }
    return json(404, { error: `Unknown control endpoint /_sim/shopify/${path.join("/")}` });
  }

  async function route(method: string, path: string[], token: string | undefined, body: unknown): Promise<Reply> {
    if (method === "POST" && path[0] === "admin" && path[1] === "api" && path[3] === "graphql.json" && path.length === 4) return graphql(path[2]!, token, body);
    if (method === "POST" && path.join("/") === "admin/oauth/access_token") return accessToken((body ?? {}) as Record<string, unknown>);
    if (path[0] === "_sim" && path[1] === "shopify") {
      if (method === "GET" && (path[2] === "calls" || path[2] === "bulk")) return control(path.slice(2), {});
      if (method === "POST") return control(path.slice(2), (body ?? {}) as Record<string, unknown>);
    }
    return json(404, { errors: "Not Found" });
  }

  async function handle(incoming: IncomingMessage, outgoing: ServerResponse) {
    const url = new URL(incoming.url ?? "/", "http://simulator");
    let reply: Reply;
    if (Number(incoming.headers["content-length"] ?? 0) > (url.pathname.startsWith("/_sim/") ? MAX_CONTROL_BODY_BYTES : MAX_BODY_BYTES)) {
      reply = json(413, { errors: "Request entity too large" });
    } else {
      const chunks: Buffer[] = [];
      for await (const chunk of incoming) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks).toString("utf8");
      try {
        const token = incoming.headers["x-shopify-access-token"];
        reply = await route(incoming.method ?? "GET", url.pathname.split("/").filter(Boolean), typeof token === "string" ? token : undefined, raw ? JSON.parse(raw) : {});
      } catch (error) {
        reply = error instanceof SyntaxError ? json(400, { errors: "The request body is not valid JSON" }) : error instanceof z.ZodError ? json(422, { errors: error.issues }) : json(500, { errors: String(error) });
      }
    }
    outgoing.writeHead(reply.status, { "content-type": reply.contentType ?? "application/json" });
    outgoing.end(reply.contentType ? String(reply.body) : JSON.stringify(reply.body));
  }

  const server: Server = createServer((incoming, outgoing) => void handle(incoming, outgoing));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  selfUrl = `http://${options.host ?? "127.0.0.1"}:${port}`;
  return {
    url: selfUrl,
    store,
    calls,
    setAppUrl: (url) => {
      appUrl = url;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

