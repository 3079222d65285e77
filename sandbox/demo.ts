// `npm run demo`: builds the app, starts the WhatsApp simulator and the app on
// SQLite, seeds the demo shop and a few orders, and prints where to click. Any
// variable given on the command line (PORT, SIM_PORT, DATABASE_URL, secrets…)
// overrides the sandbox default.
import { execFileSync } from "node:child_process";
import path from "node:path";

import { ConfigError } from "../app/core/config.server";
import { seedDemoActivity } from "./demo-activity";
import { ROOT, type Sandbox, startSandbox } from "./harness";

const SECRET = /SECRET|KEY|TOKEN/;

if (process.env.NODE_ENV === "production") {
  console.error("npm run demo is a local sandbox and refuses to run with NODE_ENV=production.");
  process.exit(1);
}

// ZAP_SKIP_BUILD=1 reuses an existing build (the test suite builds once for all its files).
if (process.env.ZAP_SKIP_BUILD !== "1") {
  console.log("Building the app…");
  execFileSync(process.execPath, [path.join(ROOT, "node_modules", "@remix-run", "dev", "dist", "cli.js"), "vite:build"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production" },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

let sandbox: Sandbox;
try {
  sandbox = await startSandbox({
    env: { ...process.env, PORT: process.env.PORT ?? "3000", SIM_PORT: process.env.SIM_PORT ?? "4010", SHOPIFY_SIM_PORT: process.env.SHOPIFY_SIM_PORT ?? "4020" },
    inheritOutput: true,
  });
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

try {
  await seedDemoActivity(sandbox);
} catch (error) {
  console.warn("The demo orders could not be sent (the app still runs):", error);
}

const shown = Object.entries(sandbox.env)
  .map(([key, value]) => `  ${key}=${SECRET.test(key) && key !== "SHOPIFY_API_KEY" ? (process.env[key] ? "(from your environment)" : value) : value}`)
  .join("\n");

console.log(`
Zap sandbox is running.

  Open the app (as the Shopify admin would embed it; link valid for 12 h):
    ${sandbox.adminUrl("/app", { ttlSeconds: 12 * 3600 })}

  Same page in Spanish / Portuguese: change locale=en to locale=es or locale=pt-BR.

  WhatsApp simulator:  ${sandbox.simUrl}/_sim/messages  (control API: README → Sandbox contract)
  Shopify simulator:   POST ${sandbox.shopify.url}/admin/api/2026-10/graphql.json, POST ${sandbox.shopify.url}/_sim/shopify/orders
  Health:              ${sandbox.appUrl}/healthz
  Shopify webhooks:    POST ${sandbox.appUrl}/webhooks/shopify
  Meta webhooks:       GET|POST ${sandbox.appUrl}/webhooks/whatsapp

Environment used:
${shown}

Press Ctrl+C to stop.`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void sandbox.stop().then(() => process.exit(0));
  });
}
