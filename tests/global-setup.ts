// Builds the app once per test run: end-to-end tests start the real server
// from build/. ZAP_SKIP_BUILD=1 reuses an existing build while iterating.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";

import { buildDir, ROOT } from "../sandbox/harness";

export default function setup() {
  const artifacts = path.join(ROOT, "tests", "artifacts");
  rmSync(path.join(artifacts, "db"), { recursive: true, force: true });
  mkdirSync(path.join(artifacts, "db"), { recursive: true });
  if (process.env.ZAP_SKIP_BUILD === "1" && existsSync(path.join(buildDir(), "server", "index.js"))) return;
  execFileSync(process.execPath, [path.join(ROOT, "node_modules", "@remix-run", "dev", "dist", "cli.js"), "vite:build"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production" },
    stdio: ["ignore", "ignore", "inherit"],
  });
}
