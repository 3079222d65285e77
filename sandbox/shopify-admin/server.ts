// A Shopify Admin API simulator: `POST /admin/api/<version>/graphql.json`
// validated against Shopify's real schema and executed over a simulated store
// (calculated query cost, THROTTLED when the bucket runs dry, 401 for a token
// it did not issue), the OAuth token endpoint (token exchange and refresh, as
// the Shopify library calls it: offline tokens, and online tokens that name the
// staff member behind the session token's `sub`), and a control API under /_sim/shopify/ that
// places orders (delivering the signed `orders/create` webhook to the app, as a
// store does), changes shop facts, adds staff, seeds customers and segments,
// throttles and revokes. In memory. The endpoints live in admin-api.ts,
// oauth.ts and control.ts; this file routes and serves them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { z } from "zod";

import { postShopifyWebhook } from "../shopify-webhooks";
import { graphql } from "./admin-api";
import { createBulkOperations } from "./bulk";
import { control } from "./control";
import { json, type Reply, type ShopifyContext } from "./http";
import { accessToken } from "./oauth";
import { type SimShopFacts, type SimStaff, SimStore } from "./store";

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

async function route(ctx: ShopifyContext, method: string, path: string[], token: string | undefined, body: unknown): Promise<Reply> {
  if (method === "POST" && path[0] === "admin" && path[1] === "api" && path[3] === "graphql.json" && path.length === 4) return graphql(ctx, path[2]!, token, body);
  if (method === "POST" && path.join("/") === "admin/oauth/access_token") return accessToken(ctx, (body ?? {}) as Record<string, unknown>);
  if (path[0] === "_sim" && path[1] === "shopify") {
    if (method === "GET" && (path[2] === "calls" || path[2] === "bulk")) return control(ctx, path.slice(2), {});
    if (method === "POST") return control(ctx, path.slice(2), (body ?? {}) as Record<string, unknown>);
  }
  return json(404, { errors: "Not Found" });
}

async function handle(ctx: ShopifyContext, incoming: IncomingMessage, outgoing: ServerResponse) {
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
      reply = await route(ctx, incoming.method ?? "GET", url.pathname.split("/").filter(Boolean), typeof token === "string" ? token : undefined, raw ? JSON.parse(raw) : {});
    } catch (error) {
      reply =
        error instanceof SyntaxError
          ? json(400, { errors: "The request body is not valid JSON" })
          : error instanceof z.ZodError
            ? json(422, { errors: error.issues })
            : json(500, { errors: String(error) });
    }
  }
  outgoing.writeHead(reply.status, { "content-type": reply.contentType ?? "application/json" });
  outgoing.end(reply.contentType ? String(reply.body) : JSON.stringify(reply.body));
}

export async function startShopifySimulator(options: ShopifySimulatorOptions): Promise<ShopifySimulator> {
  const store = new SimStore();
  let selfUrl = "";
  let appUrl = options.appUrl;
  for (const seeded of options.shops ?? []) {
    const shop = store.shop(seeded.domain);
    shop.facts = { ...shop.facts, ...seeded.facts };
    for (const member of seeded.staff ?? []) shop.staff.set(String(member.id), member);
    if (seeded.accessToken) store.tokens.set(seeded.accessToken, { shop: seeded.domain, scope: seeded.scope ?? "", expiresAt: null });
  }
  const ctx: ShopifyContext = {
    options,
    store,
    calls: [],
    bulk: createBulkOperations(store, () => selfUrl),
    webhook: async (shop, topic, body) => {
      if (!appUrl) return { delivered: false };
      const response = await postShopifyWebhook(appUrl, options.apiSecret, { topic, shop, body: JSON.stringify(body) });
      return { delivered: response.ok };
    },
  };
  const server: Server = createServer((incoming, outgoing) => void handle(ctx, incoming, outgoing));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  selfUrl = `http://${options.host ?? "127.0.0.1"}:${port}`;
  return {
    url: selfUrl,
    store,
    calls: ctx.calls,
    setAppUrl: (url) => {
      appUrl = url;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
