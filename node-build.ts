// The two Node entry points, server.ts and worker.ts, compiled beside the Remix
// build (build/node/server.js and worker.js) when `npm run build` runs, so that
// `npm start`, `npm run worker` and the web process's own worker start on plain
// Node: through tsx's loader, every module the app loads (the Remix build and its
// packages included) went through the loader's hooks, and a start cost about
// twice the CPU. Packages stay imports (node_modules is there at run time).
import path from "node:path";

import { build } from "esbuild";

export async function buildNodeEntries(root: string, buildDirectory: string): Promise<void> {
  await build({
    entryPoints: ["server.ts", "worker.ts"].map((file) => path.join(root, file)),
    outdir: path.join(buildDirectory, "node"),
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    sourcemap: true,
    logLevel: "warning",
  });
}
