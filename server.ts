// Serves the built app (npm run build, which compiles this file to build/node/server.js). The configuration is validated before
// anything else is loaded, so a missing or malformed variable stops start-up
// with a message that names it.
import { randomUUID } from "node:crypto";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";

import { compressedAssets } from "./app/core/compressed-assets.server";
import { configOrExit } from "./app/core/config.server";
import { APP_BODY_MAX_BYTES, declaredTooLarge, TOO_LARGE_HEADERS, tooLargeText } from "./app/core/http-body.server";
import type { WebhookAnswer, WebhookDelivery } from "./app/jobs/webhook-endpoints.server";

configOrExit();

const sandbox = process.env.ZAP_SANDBOX === "1";
if (sandbox && process.env.NODE_ENV === "production") {
  console.error("ZAP_SANDBOX=1 is refused when NODE_ENV=production: the sandbox signs its own admin sessions.");
  process.exit(1);
}

// Run from its build (build/node/server.js), it starts the built worker beside it, not worker.ts through tsx.
if (import.meta.url.endsWith(".js")) process.env.ZAP_WORKER_ENTRY ??= fileURLToPath(new URL("./worker.js", import.meta.url));

const port = Number(process.env.PORT ?? 3000);
// The sandbox listens on loopback only; production binds every interface unless HOST says otherwise.
const host = sandbox ? "127.0.0.1" : (process.env.HOST ?? "0.0.0.0");
const buildDir = path.resolve(process.env.ZAP_BUILD_DIR ?? "build");

const build = (await import(pathToFileURL(path.join(buildDir, "server", "index.js")).href)) as ServerBuild;

const { log, requestContext } = await import("./app/core/log.server");

const app = express();
app.disable("x-powered-by");
// Every request gets an id (the caller's X-Request-Id, or a new one), returned in the
// response and carried by every log line written while it is handled.
app.use((req, res, next) => {
  const given = req.get("x-request-id");
  const requestId = given && /^[\w.-]{1,100}$/.test(given) ? given : randomUUID();
  res.setHeader("x-request-id", requestId);
  const started = performance.now();
  res.on("finish", () => {
    if (req.path.startsWith("/assets/")) return;
    const ms = Math.round(performance.now() - started);
    // Every request at debug; at the default level only failures and slow answers.
    const level = res.statusCode >= 500 || ms > 1000 ? "warn" : "debug";
    requestContext.run({ requestId }, () => log[level]({ method: req.method, path: req.path, status: res.statusCode, ms }, "request"));
  });
  requestContext.run({ requestId }, next);
});
// Webhooks skip Remix: the same endpoint functions as the routes, served from Node's request as it
// is (no web Request or Response is built for them).
type Endpoint = (delivery: WebhookDelivery) => Promise<WebhookAnswer>;
const endpoints = build.entry.module as { shopifyWebhookEndpoint?: Endpoint; metaWebhookEndpoint?: Endpoint };
const serve =
  (endpoint: Endpoint): express.RequestHandler =>
  (req, res) => {
    const header = (name: string) => {
      const value = req.headers[name];
      return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
    };
    // An oversized body stops being read but is not destroyed, so the 413 still reaches the caller before the connection closes.
    endpoint({ header, chunks: req.iterator({ destroyOnReturn: false }) })
      .then((answer) => {
        // Status and headers set before end(), so the answer carries its Content-Length (not chunked).
        res.statusCode = answer.status;
        if (answer.status !== 413) return void res.end();
        for (const [name, value] of Object.entries(TOO_LARGE_HEADERS)) res.setHeader(name, value);
        res.end(answer.text);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, "Webhook intake failed");
        if (!res.headersSent) res.status(500).end();
      });
  };
if (endpoints.shopifyWebhookEndpoint) app.post("/webhooks/shopify", serve(endpoints.shopifyWebhookEndpoint));
if (endpoints.metaWebhookEndpoint) app.post("/webhooks/whatsapp", serve(endpoints.metaWebhookEndpoint));
// Compressed for browsers that take brotli or gzip, plain otherwise; the same caching either way.
const plainVaries = { setHeaders: (res: express.Response) => res.setHeader("Vary", "Accept-Encoding") };
app.use("/assets", compressedAssets(path.join(buildDir, "client", "assets"), "public, max-age=31536000, immutable"));
app.use("/assets", express.static(path.join(buildDir, "client", "assets"), { immutable: true, maxAge: "1y", ...plainVaries }));
app.use(compressedAssets(path.join(buildDir, "client"), "public, max-age=3600"));
app.use(express.static(path.join(buildDir, "client"), { maxAge: "1h", ...plainVaries }));
// Every other body is bounded before Remix reads it (an action's formData() reads it whole, into memory): a declared
// length over the cap is refused unread, and so is a body that declares none (chunked: browsers and App Bridge send
// forms and JSON with a length).
app.use((req, res, next) => {
  const length = req.headers["content-length"];
  if (length === undefined && req.headers["transfer-encoding"] === undefined) return next();
  if (length === undefined || declaredTooLarge(length, APP_BODY_MAX_BYTES)) {
    res.writeHead(length === undefined ? 411 : 413, TOO_LARGE_HEADERS).end(length === undefined ? "A request body needs a Content-Length" : tooLargeText(APP_BODY_MAX_BYTES));
    return;
  }
  next();
});
app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));

const entry = build.entry.module as { openDatabaseConnections?: () => Promise<void>; startBackgroundJobs?: () => () => Promise<void> };
await entry.openDatabaseConnections?.();
const server = app.listen(port, host, () => {
  log.info({ url: `http://${host}:${port}` }, "Zap is listening");
});
// Callers keep connections open between webhooks (a load balancer, Shopify, Meta). Node closes an
// idle one after 5 s by default, which races a request already on its way (ECONNRESET, a 502 at a
// load balancer whose idle timeout is longer): idle connections stay open past the usual 60 s.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
const stopJobs = entry.startBackgroundJobs?.();

// SIGTERM: stop taking requests, let the worker finish its in-flight sends, then exit.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    server.close();
    void (stopJobs?.() ?? Promise.resolve()).then(() => process.exit(0));
  });
}
