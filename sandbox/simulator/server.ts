// A WhatsApp Cloud API simulator: an HTTP server that answers the Graph API
// calls the app makes with Meta's documented shapes and error codes, and sends
// signed webhooks back (statuses, inbound messages, echoes, template reviews).
// Its /_sim/ API lets tests and people play the customer and the merchant's
// phone. Everything is in memory; a restart starts a fresh world. The routes
// live by resource (oauth, accounts, templates, messages, analytics, control);
// router.ts dispatches to them.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { SimClock } from "./clock";
import { GraphApiError, graphError, type Json, type Reply, type SimContext } from "./graph";
import { route } from "./router";
import { createWorld, type SimSettings, type World } from "./state";
import { WebhookSender } from "./webhooks";

export interface SimulatorOptions {
  port?: number;
  host?: string;
  appId?: string;
  appSecret: string;
  /** The app's Meta webhook endpoint, e.g. http://127.0.0.1:3000/webhooks/whatsapp */
  webhookUrl?: string;
  settings?: Partial<SimSettings>;
}

export interface Simulator {
  url: string;
  world: World;
  settings: SimSettings;
  clock: SimClock;
  webhooks: WebhookSender;
  setWebhookUrl(url: string | undefined): void;
  close(): Promise<void>;
}

const DEFAULT_SETTINGS: SimSettings = {
  ratePerSecond: 80,
  statusDelayMs: 50,
  sendRead: true,
  templateReviewMs: 500,
  reengagementError: "sync",
  signupOrder: "event-first",
  webhookRetryDelaysMs: [200, 1000, 3000],
  redeliverStatuses: false,
};

async function handle(ctx: SimContext, incoming: IncomingMessage, outgoing: ServerResponse) {
  const url = new URL(incoming.url ?? "/", "http://simulator");
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  let body: Json = {};
  let reply: Reply;
  try {
    body = raw ? (JSON.parse(raw) as Json) : {};
    const auth = incoming.headers.authorization;
    reply = await route(ctx, {
      method: incoming.method ?? "GET",
      path: url.pathname.split("/").filter(Boolean),
      query: url.searchParams,
      body,
      token: auth?.startsWith("Bearer ") ? auth.slice(7) : (url.searchParams.get("access_token") ?? undefined),
      origin: `http://${incoming.headers.host ?? "127.0.0.1"}`,
    });
  } catch (error) {
    reply = error instanceof SyntaxError ? graphError(new GraphApiError(100, "(#100) The request body is not valid JSON", "", 400)) : { status: 500, body: { error: String(error) } };
  }
  if (reply.dropConnection) {
    incoming.socket.destroy();
    return;
  }
  outgoing.writeHead(reply.status ?? 200, {
    "content-type": reply.contentType ?? "application/json",
    // Pages load the SDK stand-in with crossorigin="anonymous", as Meta's snippet does.
    ...(reply.contentType?.startsWith("text/javascript") ? { "access-control-allow-origin": "*" } : {}),
  });
  outgoing.end(Buffer.isBuffer(reply.body) ? reply.body : reply.contentType ? String(reply.body) : JSON.stringify(reply.body));
}

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const world = createWorld();
  const settings: SimSettings = { ...DEFAULT_SETTINGS, ...options.settings };
  let webhookUrl = options.webhookUrl;
  const clock = new SimClock();
  const webhooks = new WebhookSender(
    world,
    () => ({ url: webhookUrl, appSecret: options.appSecret }),
    () => settings.webhookRetryDelaysMs,
    () => clock.now(),
  );
  const ctx: SimContext = { world, settings, clock, webhooks, appId: options.appId, appSecret: options.appSecret };
  const server: Server = createServer((incoming, outgoing) => {
    void handle(ctx, incoming, outgoing);
  });
  // Idle connections stay open a minute, as behind Meta's load balancers; Node's 5 s
  // default makes clients race the server's close when they reuse a socket.
  server.keepAliveTimeout = 60_000;
  // The headers timeout above the keep-alive one, as the app's server (server.ts) has them.
  server.headersTimeout = 61_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    world,
    settings,
    clock,
    webhooks,
    setWebhookUrl: (url) => {
      webhookUrl = url;
    },
    close: async () => {
      webhooks.stop();
      await webhooks.idle();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
