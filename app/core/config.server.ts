// The app's configuration: every environment variable the app reads, validated
// once with zod. A missing or malformed value stops start-up with a message that
// names the variable (see server.ts).
import { z } from "zod";

const hex32 = /^[0-9a-fA-F]{64}$/;
const base64Of32 = /^[A-Za-z0-9+/]{43}=$/;

/**
 * Pricing assumptions Meta has not settled (see docs §6.6): from this date (in
 * the WABA's timezone) service messages and utility templates inside the
 * customer service window are charged at the utility rate when a status
 * carries no pricing of its own. Unset: free, as Meta's pricing page says.
 */
export const pricingPolicyShape = {
  PRICING_SERVICE_CHARGED_FROM: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "must be a date like 2026-10-01")
    .optional(),
};

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  SHOPIFY_API_KEY: z.string().min(1),
  SHOPIFY_API_SECRET: z.string().min(1),
  SHOPIFY_APP_URL: z.string().url(),
  SCOPES: z
    .string()
    .min(1)
    .refine((v) => v.split(",").every((s) => /^[a-z_]+$/.test(s.trim())), "must be comma-separated scope names"),
  DATABASE_URL: z
    .string()
    .regex(/^(file:|postgres(ql)?:\/\/)/, "must start with file: (SQLite) or postgresql://")
    .default("file:./prisma/dev.db"),
  ENCRYPTION_KEY: z.string().refine((v) => hex32.test(v) || base64Of32.test(v), "must be 32 bytes as 64 hex characters or base64 (openssl rand -hex 32)"),
  META_APP_ID: z.string().regex(/^\d+$/, "must be the numeric Meta app id"),
  META_APP_SECRET: z.string().min(1),
  META_CONFIG_ID: z.string().regex(/^\d+$/, "must be the numeric Embedded Signup configuration id"),
  META_WEBHOOK_VERIFY_TOKEN: z.string().min(8, "must be at least 8 characters"),
  WHATSAPP_GRAPH_URL: z.string().url().default("https://graph.facebook.com"),
  WHATSAPP_GRAPH_VERSION: z
    .string()
    .regex(/^v\d+\.\d+$/, 'must look like "v25.0"')
    .default("v25.0"),
  // Embedded Signup: Meta's JS SDK and OAuth dialog (the sandbox serves stand-ins).
  FACEBOOK_SDK_URL: z.string().url().default("https://connect.facebook.net/en_US/sdk.js"),
  FACEBOOK_DIALOG_URL: z.string().url().default("https://www.facebook.com"),
  // PostgreSQL connections each process keeps open (opened at start-up, never closed for being
  // idle): a burst of webhooks after a quiet minute does not wait for new connections. Size
  // max_connections for every process's pool.
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  // Coexistence: Meta may disconnect a number whose phone app is not opened for
  // this long (BSPs report 13 days; not on a Meta page, so configurable).
  PHONE_APP_INACTIVITY_DAYS: z.coerce.number().int().min(1).max(90).default(13),
  // Background work (webhooks, sending): "web" makes the web process start a worker
  // process of its own; "off" leaves it to `npm run worker` processes.
  DISPATCH_MODE: z.enum(["web", "off"]).default("web"),
  // The web process's worker runs at this niceness (0–19), so answering webhooks goes first when
  // both want the CPU; 0 when other programs on the machine would starve a niced worker.
  WORKER_NICENESS: z.coerce.number().int().min(0).max(19).default(10),
  // Optional Redis: intake announces receipts on a BullMQ queue that every worker
  // process consumes, and per-number pacing is shared by all of them.
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/[^\s]+$/, "must look like redis://host:6379 (or rediss:// for TLS)")
    .refine((v) => {
      try {
        return Boolean(new URL(v).hostname);
      } catch {
        return false;
      }
    }, "must be a valid redis:// URL")
    .optional(),
  // Messages/s per number; default 80 (20 for Coexistence numbers) as Meta sets them.
  WHATSAPP_RATE_PER_SECOND: z.coerce.number().positive().optional(),
  DISPATCH_LOCK_MS: z.coerce.number().int().min(1000).default(60_000),
  // After a claim's lock runs out, this long more before the send is looked at: a row
  // never handed to Meta is queued again; one that was is UNCONFIRMED (never resent blind).
  DISPATCH_RECOVERY_GRACE_MS: z.coerce.number().int().min(0).default(300_000),
  // How long an UNCONFIRMED send waits for Meta's status (Meta retries webhooks for
  // days) before the merchant is asked to send it again or let it go.
  DISPATCH_UNCONFIRMED_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(0)
    .default(24 * 60 * 60 * 1000),
  // Then: "ask" lists it on the home page for the merchant; "resend" queues it again.
  DISPATCH_UNCONFIRMED_ACTION: z.enum(["ask", "resend"]).default("ask"),
  SHOP_CUSTOM_DOMAIN: z.string().optional(),
  // The order backfill on connect pages through the Admin API up to this many orders, and
  // exports them with a bulk operation (JSONL) above it.
  BACKFILL_BULK_ABOVE: z.coerce.number().int().min(0).default(10_000),
  // Where the shops' Admin API answers. Unset (production): each shop's own
  // https://{shop}/admin/…; the sandbox points it at its Shopify simulator.
  SHOPIFY_ADMIN_URL: z.string().url().optional(),
  ...pricingPolicyShape,
  // Set by `npm run demo`: the app talks to the local simulator.
  ZAP_SANDBOX: z
    .enum(["0", "1"])
    .default("0")
    .transform((v) => v === "1"),
});

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** In production the Admin API is each shop's own: SHOPIFY_ADMIN_URL may only name a stand-in on this machine. */
const checkedSchema = schema.superRefine((config, context) => {
  if (config.NODE_ENV === "production" && config.SHOPIFY_ADMIN_URL && !LOOPBACK.has(new URL(config.SHOPIFY_ADMIN_URL).hostname)) {
    context.addIssue({
      code: "custom",
      path: ["SHOPIFY_ADMIN_URL"],
      message: "must be unset in production (each shop's own https://{shop}/admin answers); only a local stand-in on 127.0.0.1 is allowed",
    });
  }
});

export type AppConfig = z.infer<typeof schema> & { scopes: string[]; encryptionKey: Buffer };

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; problem: string }[]) {
    super("Invalid configuration:\n" + problems.map((p) => `  ${p.variable}: ${p.problem}`).join("\n") + "\nSee .env.example for every variable.");
    this.name = "ConfigError";
  }
}

export function parseConfig(env: Record<string, string | undefined>): AppConfig {
  const blanksRemoved = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const result = checkedSchema.safeParse(blanksRemoved);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => ({
        variable: String(issue.path[0] ?? "?"),
        problem: issue.code === "invalid_type" && issue.received === "undefined" ? "is required but not set" : issue.message,
      })),
    );
  }
  const data = result.data;
  const encryptionKey = hex32.test(data.ENCRYPTION_KEY) ? Buffer.from(data.ENCRYPTION_KEY, "hex") : Buffer.from(data.ENCRYPTION_KEY, "base64");
  return { ...data, scopes: data.SCOPES.split(",").map((s) => s.trim()), encryptionKey };
}

let cached: AppConfig | undefined;

/** The process configuration, parsed from process.env on first use. */
export function config(): AppConfig {
  cached ??= parseConfig(process.env);
  return cached;
}

/** For process entry points: validate the environment, or print what is wrong and exit non-zero. */
export function configOrExit(env: Record<string, string | undefined> = process.env): AppConfig {
  try {
    return parseConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}
