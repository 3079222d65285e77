// `npm run demo`: builds the app, starts the WhatsApp simulator and the app on
// SQLite, seeds the demo shop, prints where to click, then plays 90 days of
// the store's history through the app with progress lines. Any variable given
// on the command line (PORT, SIM_PORT, DATABASE_URL, secrets…) overrides the
// sandbox default.
import { execFileSync } from "node:child_process";
import path from "node:path";

import { ConfigError } from "../app/core/config.server";
import { seedDemoHistory } from "./demo-history";
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

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    stopping = true;
    void sandbox.stop().then(() => process.exit(0));
  });
}

// The database outlives the demo (DATABASE_URL): a second start keeps the history it has.
const known = await sandbox.db.order.count({ where: { shop: { domain: sandbox.shopDomain } } });
if (known > 0) console.log(`\nThe demo shop already has ${known} orders: its history stays as it is (delete the database for a new one).`);
else console.log("\nFilling in 90 days of history (orders, messages, replies, costs) through the app; the pages fill as it goes.");
try {
  const seeded =
    known > 0
      ? null
      : await seedDemoHistory(sandbox, {
          onProgress: (done, total, day) => {
            if (done % 10 === 0 || done === total) console.log(`History: ${done}/${total} days (up to ${day})`);
          },
        });
  if (seeded) console.log(`History done: ${seeded.orders} orders, ${seeded.messages} messages.`);
} catch (error) {
  if (!stopping) console.warn("The demo history could not be completed (the app still runs):", error);
}
