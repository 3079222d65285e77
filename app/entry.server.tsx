import { PassThrough } from "node:stream";

import type { EntryContext } from "@remix-run/node";
import { createReadableStreamFromReadable } from "@remix-run/node";
import { RemixServer } from "@remix-run/react";
import { isbot } from "isbot";
import { renderToPipeableStream } from "react-dom/server";

import { config } from "./core/config.server";
import { db, openConnections } from "./core/db.server";
import { startEmbeddedWorker } from "./jobs/embedded-worker.server";
import { storeLeftoverSpools } from "./jobs/intake-spool.server";
import { log } from "./core/log.server";
import { addDocumentResponseHeaders } from "./shopify/shopify.server";

/** server.ts mounts these on Express ahead of Remix (the build exposes this module as `entry.module`). */
export { metaWebhookEndpoint, shopifyWebhookEndpoint } from "./jobs/webhook-endpoints.server";

/**
 * The web process's worker, unless DISPATCH_MODE=off leaves the work to `npm run worker`.
 * server.ts calls this once after start-up (the build exposes this module as `entry.module`);
 * the Vite dev server (`npm run dev`) has no server.ts, so the module starts it itself.
 */
export function startBackgroundJobs(): () => Promise<void> {
  // Webhook receipts a previous process spooled on SQLite and did not store before it ended.
  storeLeftoverSpools(db()).catch((error: unknown) => log.error({ err: error }, "Could not store the webhook receipts spooled before a restart"));
  return config().DISPATCH_MODE === "web" ? startEmbeddedWorker(config().WORKER_NICENESS) : async () => undefined;
}
if (import.meta.env.DEV) startBackgroundJobs();

/** Opens the process's database connections before server.ts listens, so the first webhooks do not wait for them. */
export async function openDatabaseConnections(): Promise<void> {
  await openConnections(db()).catch((error: unknown) => log.warn({ err: error }, "Could not open the database connections before the first request"));
}

const STREAM_TIMEOUT_MS = 5_000;

export default async function handleRequest(request: Request, responseStatusCode: number, responseHeaders: Headers, remixContext: EntryContext) {
  addDocumentResponseHeaders(request, responseHeaders);
  const callbackName = isbot(request.headers.get("user-agent") ?? "") ? "onAllReady" : "onShellReady";

  return new Promise((resolve, reject) => {
    const { pipe, abort } = renderToPipeableStream(<RemixServer context={remixContext} url={request.url} />, {
      [callbackName]: () => {
        const body = new PassThrough();
        responseHeaders.set("Content-Type", "text/html");
        resolve(new Response(createReadableStreamFromReadable(body), { headers: responseHeaders, status: responseStatusCode }));
        pipe(body);
      },
      onShellError: reject,
      onError: (error: unknown) => {
        responseStatusCode = 500;
        log.error({ err: error }, "Rendering a page failed");
      },
    });
    setTimeout(abort, STREAM_TIMEOUT_MS + 1000);
  });
}
