// The local sandbox: the WhatsApp simulator and the built app as a real child
// process, on a migrated SQLite database with the demo shop seeded. `npm run
// demo` and the end-to-end tests both start it here. Sandbox-only shortcuts
// (self-signed admin session tokens) refuse to run with NODE_ENV=production,
// and everything listens on loopback only.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { type AppConfig, parseConfig } from "../app/core/config.server";
import { createDb, type Db } from "../app/core/db.server";
import { pendingSpools } from "../app/jobs/intake-spool.server";
import { sqliteFilePath } from "../app/core/database-url";
import { deployMigrations } from "../prisma/migrate";
import { freePort } from "./ports";
import { DEMO_SHOP, sandboxOfflineToken, seedDemoShop } from "./seed";
import { startShopifySimulator, type ShopifySimulator } from "./shopify-admin/server";
import { DEMO_SHOP_FACTS, DEMO_SHOP_STAFF } from "./shopify-admin/store";
import { signSessionToken } from "./session-token";
import { startSimulator, type Simulator } from "./simulator/server";
import type { SimSettings } from "./simulator/state";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const SANDBOX_VARIABLES = [
  "NODE_ENV",
  "ZAP_SANDBOX",
  "PORT",
  "SIM_PORT",
  "SHOPIFY_SIM_PORT",
  "SHOPIFY_API_KEY",
  "SHOPIFY_API_SECRET",
  "SHOPIFY_APP_URL",
  "SCOPES",
  "DATABASE_URL",
  "DATABASE_POOL_SIZE",
  "ENCRYPTION_KEY",
  "META_APP_ID",
  "META_APP_SECRET",
  "META_CONFIG_ID",
  "META_WEBHOOK_VERIFY_TOKEN",
  "SHOPIFY_ADMIN_URL",
  "WHATSAPP_GRAPH_URL",
  "WHATSAPP_GRAPH_VERSION",
  "FACEBOOK_SDK_URL",
  "FACEBOOK_DIALOG_URL",
  "DISPATCH_MODE",
  "WORKER_NICENESS",
  "WHATSAPP_RATE_PER_SECOND",
  "DISPATCH_LOCK_MS",
  "DISPATCH_RECOVERY_GRACE_MS",
  "DISPATCH_UNCONFIRMED_WINDOW_MS",
  "DISPATCH_UNCONFIRMED_ACTION",
  "REDIS_URL",
  "BACKFILL_BULK_ABOVE",
] as const;
/** Variables with no sandbox default: passed on only when given. */
type OptionalVariable = "WHATSAPP_RATE_PER_SECOND" | "DISPATCH_UNCONFIRMED_WINDOW_MS" | "DISPATCH_UNCONFIRMED_ACTION" | "REDIS_URL" | "BACKFILL_BULK_ABOVE";
export type SandboxEnv = Record<Exclude<(typeof SANDBOX_VARIABLES)[number], OptionalVariable>, string> & Partial<Record<OptionalVariable, string>>;

/** Sandbox values for every variable; anything set in `overrides` wins. */
export function sandboxEnv(overrides: Record<string, string | undefined>, ports: { app: number; sim: number; shopify: number }): SandboxEnv {
  const defaults: SandboxEnv = {
    NODE_ENV: "development",
    ZAP_SANDBOX: "1",
    PORT: String(ports.app),
    SIM_PORT: String(ports.sim),
    SHOPIFY_SIM_PORT: String(ports.shopify),
    SHOPIFY_ADMIN_URL: `http://127.0.0.1:${ports.shopify}`,
    SHOPIFY_API_KEY: "zap-sandbox-api-key",
    SHOPIFY_API_SECRET: "sandbox-shopify-api-secret",
    SHOPIFY_APP_URL: `http://localhost:${ports.app}`,
    SCOPES: "read_orders,write_orders,read_customers,read_fulfillments,read_checkouts",
    DATABASE_URL: "file:./.sandbox/demo.db",
    // PostgreSQL: the test suite runs two files at a time, each with a web process, its worker and
    // sometimes worker processes of its own; 10 kept connections each would crowd max_connections.
    DATABASE_POOL_SIZE: "3",
    // A fixed key for sandbox data only; production needs its own (openssl rand -hex 32).
    ENCRYPTION_KEY: "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
    META_APP_ID: "100000000000001",
    META_APP_SECRET: "sandbox-meta-app-secret",
    META_CONFIG_ID: "200000000000002",
    META_WEBHOOK_VERIFY_TOKEN: "sandbox-verify-token",
    WHATSAPP_GRAPH_URL: `http://127.0.0.1:${ports.sim}`,
    WHATSAPP_GRAPH_VERSION: "v25.0",
    FACEBOOK_SDK_URL: `http://127.0.0.1:${ports.sim}/_sim/fb-sdk.js`,
    FACEBOOK_DIALOG_URL: `http://127.0.0.1:${ports.sim}`,
    DISPATCH_MODE: "web",
    // Sandboxes run side by side (the test suite runs two files at a time): a niced worker would
    // starve behind the other sandbox's processes.
    WORKER_NICENESS: "0",
    DISPATCH_LOCK_MS: "60000",
    DISPATCH_RECOVERY_GRACE_MS: "300000",
  };
  const given = Object.fromEntries(SANDBOX_VARIABLES.filter((key) => overrides[key] !== undefined).map((key) => [key, overrides[key]]));
  return { ...defaults, ...given };
}

/** Where the built app is: `build/`, or ZAP_BUILD_DIR (server.ts and vite.config.ts read it too). */
export function buildDir(): string {
  return path.resolve(ROOT, process.env.ZAP_BUILD_DIR ?? "build");
}

const STOP_GRACE_MS = 30_000;

/** The running children of `pid` (Linux /proc; none elsewhere). A child that has exited but is not reaped yet (Z) is not one. */
export function childPids(pid: number): number[] {
  if (!existsSync("/proc")) return [];
  return readdirSync("/proc")
    .filter((entry) => {
      if (!/^\d+$/.test(entry)) return false;
      try {
        // The fields after the command name (which may hold spaces, in parentheses): state, then the parent's id.
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const [state, parent] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return state !== "Z" && Number(parent) === pid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** SIGKILL for a process and its children. */
function killWithChildren(target: ChildProcess): void {
  if (!target.pid) return;
  for (const pid of [...childPids(target.pid), target.pid]) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

export async function waitForHttp(url: string, timeoutMs = 30_000, isAlive: () => boolean = () => true): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    if (!isAlive()) throw new Error(`The app process exited before ${url} answered`);
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The Shopify Admin simulator holding the demo shop (its facts, its staff, and the offline token a sandbox install stores). */
export function startDemoShopify(config: AppConfig, options: { port: number; appUrl: string }): Promise<ShopifySimulator> {
  return startShopifySimulator({
    port: options.port,
    apiKey: config.SHOPIFY_API_KEY,
    apiSecret: config.SHOPIFY_API_SECRET,
    scopes: config.scopes.join(","),
    appUrl: options.appUrl,
    shops: [{ domain: DEMO_SHOP, facts: DEMO_SHOP_FACTS, accessToken: sandboxOfflineToken(DEMO_SHOP), scope: config.scopes.join(","), staff: DEMO_SHOP_STAFF }],
    // Token exchange issues expiring offline tokens, as Shopify does for apps that ask for them.
    offlineTokenSeconds: 3600,
  });
}

export interface SandboxOptions {
  /** Variables as the person or test set them (PORT, SIM_PORT, DATABASE_URL, secrets…). */
  env?: Record<string, string | undefined>;
  simSettings?: Partial<SimSettings>;
  /** Print the app's output (the demo does; tests keep it quiet). */
  inheritOutput?: boolean;
  /** Seed the demo shop (default true). */
  seed?: boolean;
  /** Run the app as `npm run dev` (the Vite dev server) instead of the built `server.ts`. */
  dev?: boolean;
}

export interface Sandbox {
  appUrl: string;
  simUrl: string;
  sim: Simulator;
  /** The Shopify Admin API simulator (SHOPIFY_SIM_PORT) holding the demo shop. */
  shopify: ShopifySimulator;
  env: SandboxEnv;
  config: AppConfig;
  db: Db;
  shopDomain: string;
  /** A fresh admin session token for the shop, signed with the app's API secret; `userId` is the staff member it is for (`sub`, default 1: the demo shop's owner). */
  sessionToken(shop?: string, userId?: number): string;
  /** The URL Shopify's admin would load in its iframe for this app path, for staff member `userId` (default 1). */
  adminUrl(appPath?: string, options?: { shop?: string; locale?: string; ttlSeconds?: number; userId?: number }): string;
  /** The app child process (tests kill and restart it). */
  app(): ChildProcess;
  /** Everything the app process printed since the sandbox started (empty with inheritOutput). */
  appOutput(): string;
  /**
   * Resolves once the simulator has delivered every queued webhook and the
   * app's worker has handled every receipt stored so far (intake answers
   * before handling, so tests that check effects wait for this).
   */
  settled(timeoutMs?: number): Promise<void>;
  restartApp(): Promise<void>;
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const given = options.env ?? {};
  if ((given.NODE_ENV ?? process.env.NODE_ENV) === "production") {
    throw new Error("The sandbox signs its own admin session tokens and refuses to run with NODE_ENV=production.");
  }
  if (!options.dev && !(existsSync(path.join(buildDir(), "server", "index.js")) && existsSync(path.join(buildDir(), "node", "server.js")))) {
    throw new Error("The app is not built: run `npm run build` first.");
  }
  const ports = {
    app: Number(given.PORT ?? 0) || (await freePort()),
    sim: Number(given.SIM_PORT ?? 0) || (await freePort()),
    shopify: Number(given.SHOPIFY_SIM_PORT ?? 0) || (await freePort()),
  };
  const env = sandboxEnv(given, ports);
  const config = parseConfig(env);
  if (config.DATABASE_URL.startsWith("file:")) mkdirSync(path.dirname(sqliteFilePath(config.DATABASE_URL)), { recursive: true });
  await deployMigrations(config.DATABASE_URL);
  const db = createDb(config.DATABASE_URL);

  const appUrl = `http://127.0.0.1:${ports.app}`;
  const sim = await startSimulator({
    port: ports.sim,
    appId: config.META_APP_ID,
    appSecret: config.META_APP_SECRET,
    webhookUrl: `${appUrl}/webhooks/whatsapp`,
    settings: options.simSettings,
  });
  const shopify = await startDemoShopify(config, { port: ports.shopify, appUrl });

  let child: ChildProcess | undefined;
  let allOutput = "";
  const signal = (target: ChildProcess, name: NodeJS.Signals) => {
    try {
      if (options.dev && target.pid) process.kill(-target.pid, name);
      else target.kill(name);
    } catch {
      // already gone
    }
  };
  const startApp = async () => {
    // `npm run dev` migrates first, which needs the SQLite file to itself; this client reconnects on its next query.
    if (options.dev) await db.$disconnect();
    const [command, args] = options.dev
      ? ["npm", ["run", "dev", "--", "--host", "127.0.0.1", "--port", String(ports.app), "--strictPort"]]
      : [process.execPath, [path.join(buildDir(), "node", "server.js")]];
    const spawned = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env } as NodeJS.ProcessEnv,
      stdio: options.inheritOutput ? "inherit" : ["ignore", "pipe", "pipe"],
      // npm → Vite: a process group of their own, so stopping reaches them all.
      detached: Boolean(options.dev),
    });
    let output = "";
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      allOutput += chunk.toString();
    };
    spawned.stdout?.on("data", collect);
    spawned.stderr?.on("data", collect);
    child = spawned;
    try {
      await waitForHttp(`${appUrl}/healthz`, options.dev ? 120_000 : 30_000, () => spawned.exitCode === null);
    } catch (error) {
      signal(spawned, "SIGKILL");
      throw new Error(`${(error as Error).message}\n--- app output ---\n${output}`);
    }
  };

  try {
    if (options.seed !== false) await seedDemoShop(db, config);
    await startApp();
  } catch (error) {
    await sim.close();
    await shopify.close();
    await db.$disconnect();
    throw error;
  }

  const sessionToken = (shop = DEMO_SHOP, ttlSeconds = 60, userId = 1) =>
    signSessionToken({ shop, apiKey: config.SHOPIFY_API_KEY, apiSecret: config.SHOPIFY_API_SECRET, ttlSeconds, userId: String(userId) });

  return {
    appUrl,
    simUrl: sim.url,
    sim,
    shopify,
    env,
    config,
    db,
    shopDomain: DEMO_SHOP,
    sessionToken: (shop, userId) => sessionToken(shop, undefined, userId),
    adminUrl: (appPath = "/app", { shop = DEMO_SHOP, locale = "en", ttlSeconds = 3600, userId = 1 } = {}) => {
      const host = Buffer.from(`admin.shopify.com/store/${shop.replace(".myshopify.com", "")}`).toString("base64url");
      const query = new URLSearchParams({ embedded: "1", shop, host, locale, id_token: sessionToken(shop, ttlSeconds, userId) });
      return `http://localhost:${ports.app}${appPath}?${query}`;
    },
    app: () => child!,
    appOutput: () => allOutput,
    // Longer than a receipt claim (60 s): one held by a killed process is taken again after it.
    settled: async (timeoutMs = 90_000) => {
      const deadline = Date.now() + timeoutMs;
      const unhandled = () => db.webhookReceipt.count({ where: { status: "RECEIVED", error: null, nextAttemptAt: { lte: new Date() } } });
      // Receipts answered while SQLite was locked wait in a spool beside the database (app/jobs/intake-spool.server.ts).
      const spooled = () => {
        if (!config.DATABASE_URL.startsWith("file:")) return 0;
        const file = sqliteFilePath(config.DATABASE_URL);
        return pendingSpools(path.dirname(file), file).length;
      };
      for (let quiet = 0; quiet < 2;) {
        // Meta's retries of a webhook the app did not take can run for minutes (tests set that schedule): waited for until the deadline only.
        let timer: NodeJS.Timeout | undefined;
        const delivered = await Promise.race([sim.webhooks.idle().then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()))))]);
        clearTimeout(timer);
        if (!delivered) throw new Error(`Webhooks still being delivered after ${timeoutMs} ms`);
        if (spooled() === 0 && (await unhandled()) === 0) quiet++;
        else quiet = 0;
        if (Date.now() > deadline) throw new Error(`Webhook receipts still unhandled after ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    restartApp: async () => {
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child!.once("exit", resolve));
        signal(child, "SIGTERM");
        await exited;
      }
      await startApp();
    },
    stop: async () => {
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child!.once("exit", resolve));
        signal(child, "SIGTERM");
        // A worker still draining a busy machine's backlog is not waited for long: killed, it loses nothing.
        const timer = setTimeout(() => {
          killWithChildren(child!);
          signal(child!, "SIGKILL");
        }, STOP_GRACE_MS);
        await exited;
        clearTimeout(timer);
      }
      await sim.close();
      await shopify.close();
      await db.$disconnect();
    },
  };
}
