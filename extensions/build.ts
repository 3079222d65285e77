// Bundles the app's UI extensions offline with esbuild (the Shopify CLI needs
// Shopify's network to build) and prints each size against Shopify's 64 KB
// limit. The thank-you block calls the app by its URL: `process.env.APP_URL`
// as the Shopify CLI defines it, taken here from APP_URL or else from
// shopify.app.toml's application_url.
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

const EXTENSIONS_DIR = path.dirname(fileURLToPath(import.meta.url));
export const LIMIT_BYTES = 64 * 1024;

export const EXTENSIONS = {
  "order-thread": "src/BlockExtension.tsx",
  "order-reply-action": "src/ActionExtension.tsx",
  "thank-you-optin": "src/OptIn.tsx",
} as const;

export type ExtensionName = keyof typeof EXTENSIONS;

function appUrl(): string {
  if (process.env.APP_URL) return process.env.APP_URL;
  const toml = readFileSync(path.join(EXTENSIONS_DIR, "..", "shopify.app.toml"), "utf8");
  const url = /^application_url\s*=\s*"([^"]+)"/m.exec(toml)?.[1];
  if (!url) throw new Error("shopify.app.toml has no application_url; set APP_URL");
  return url;
}

/** Builds one extension into extensions/<name>/dist; its size in bytes. */
export async function buildExtension(name: ExtensionName): Promise<number> {
  const outfile = path.join(EXTENSIONS_DIR, name, "dist", `${name}.js`);
  await build({
    entryPoints: [path.join(EXTENSIONS_DIR, name, EXTENSIONS[name])],
    outfile,
    bundle: true,
    format: "esm",
    minify: true,
    target: "es2020",
    jsx: "automatic",
    jsxImportSource: "preact",
    define: { "process.env.APP_URL": JSON.stringify(appUrl()) },
    logLevel: "silent",
  });
  return statSync(outfile).size;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  let ok = true;
  for (const name of Object.keys(EXTENSIONS) as ExtensionName[]) {
    const bytes = await buildExtension(name);
    console.log(`${name} bundle: ${(bytes / 1024).toFixed(1)} KB (limit ${LIMIT_BYTES / 1024} KB)`);
    ok &&= bytes < LIMIT_BYTES;
  }
  if (!ok) process.exit(1);
}
