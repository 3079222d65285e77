// Builds the app once per test run: end-to-end tests start the real server
// from build/. ZAP_SKIP_BUILD=1 reuses an existing build while iterating.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";

import { buildDir, ROOT } from "../sandbox/harness";

export default function setup() {
  // Each run gets its own database folder, so runs side by side never delete each
  // other's databases; folders of runs older than a day are cleared.
  const dbRoot = path.join(ROOT, "tests", "artifacts", "db");
  mkdirSync(dbRoot, { recursive: true });
  for (const entry of readdirSync(dbRoot)) {
    const full = path.join(dbRoot, entry);
    if (Date.now() - statSync(full).mtimeMs > 24 * 60 * 60 * 1000) rmSync(full, { recursive: true, force: true });
  }
  process.env.ZAP_TEST_DB_DIR = mkdtempSync(path.join(dbRoot, "run-"));
  if (process.env.ZAP_SKIP_BUILD === "1" && existsSync(path.join(buildDir(), "server", "index.js"))) return;
  execFileSync(process.execPath, [path.join(ROOT, "node_modules", "@remix-run", "dev", "dist", "cli.js"), "vite:build"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production" },
    stdio: ["ignore", "ignore", "inherit"],
  });
}
