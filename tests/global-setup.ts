// Builds the app once per test run: end-to-end tests start the real server
// from build/. ZAP_SKIP_BUILD=1 reuses an existing build while iterating.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import path from "node:path";

import { buildDir, ROOT } from "../sandbox/harness";
import { dropTestDatabases, newTestRunTag, POSTGRES_URL } from "./helpers/postgres";

export default async function setup() {
  // Each run gets its own database folder, so runs side by side never delete each
  // other's databases; folders of runs older than a day are cleared.
  const dbRoot = path.join(ROOT, "tests", "artifacts", "db");
  mkdirSync(dbRoot, { recursive: true });
  for (const entry of readdirSync(dbRoot)) {
    const full = path.join(dbRoot, entry);
    if (Date.now() - statSync(full).mtimeMs > 24 * 60 * 60 * 1000) rmSync(full, { recursive: true, force: true });
  }
  process.env.ZAP_TEST_DB_DIR = mkdtempSync(path.join(dbRoot, "run-"));
  // PostgreSQL test databases (TEST_DATABASE=postgresql, and the migration
  // tests) carry this run's tag and are dropped when the run ends; those of
  // runs interrupted more than a day ago are dropped now.
  const tag = newTestRunTag();
  process.env.ZAP_TEST_PG_RUN = tag;
  await dropQuietly({ olderThanMs: 24 * 60 * 60 * 1000 });

  if (process.env.ZAP_SKIP_BUILD !== "1" || !existsSync(path.join(buildDir(), "server", "index.js"))) {
    execFileSync(process.execPath, [path.join(ROOT, "node_modules", "@remix-run", "dev", "dist", "cli.js"), "vite:build"], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "production" },
      stdio: ["ignore", "ignore", "inherit"],
    });
  }
  return () => dropQuietly({ tag });
}

/** Clearing old test databases never fails a run (the server may be gone by then). */
async function dropQuietly(which: Parameters<typeof dropTestDatabases>[0]): Promise<void> {
  if (!POSTGRES_URL) return;
  await dropTestDatabases(which).catch((error: unknown) => console.warn(`Could not drop test databases: ${(error as Error).message}`));
}
