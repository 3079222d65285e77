// Bundles the order-page block offline with esbuild (the Shopify CLI needs
// Shopify's network to build); prints the size against Shopify's 64 KB limit.
import { statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

export const EXTENSION_DIR = path.dirname(fileURLToPath(import.meta.url));
export const BUNDLE = path.join(EXTENSION_DIR, "dist", "order-thread.js");
export const LIMIT_BYTES = 64 * 1024;

export async function buildExtension(): Promise<number> {
  await build({
    entryPoints: [path.join(EXTENSION_DIR, "src", "BlockExtension.tsx")],
    outfile: BUNDLE,
    bundle: true,
    format: "esm",
    minify: true,
    target: "es2020",
    jsx: "automatic",
    jsxImportSource: "preact",
    logLevel: "silent",
  });
  return statSync(BUNDLE).size;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const bytes = await buildExtension();
  console.log(`extension bundle: ${(bytes / 1024).toFixed(1)} KB (limit ${LIMIT_BYTES / 1024} KB)`);
  if (bytes >= LIMIT_BYTES) process.exit(1);
}
