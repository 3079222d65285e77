import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig, loadEnv } from "vite";
import tsconfigPaths from "vite-tsconfig-paths";

import { buildNodeEntries } from "./node-build";

declare module "@remix-run/node" {
  interface Future {
    v3_singleFetch: true;
  }
}

export default defineConfig(({ mode }) => {
  // `remix vite:dev` reads .env for the server (variables already set win,
  // so the Shopify CLI's own values are kept).
  for (const [key, value] of Object.entries(loadEnv(mode, process.cwd(), ""))) process.env[key] ??= value;
  return {
    plugins: [
      remix({
        // ZAP_BUILD_DIR lets parallel checkouts of the tests build side by side (server.ts reads it too).
        buildDirectory: process.env.ZAP_BUILD_DIR ?? "build",
        ignoredRouteFiles: ["**/.*", "**/*.test.*"],
        // server.ts and worker.ts compiled beside the build: `npm start` runs on plain Node.
        buildEnd: ({ remixConfig }) => buildNodeEntries(process.cwd(), remixConfig.buildDirectory),
        future: {
          v3_fetcherPersist: true,
          v3_relativeSplatPath: true,
          v3_throwAbortReason: true,
          v3_lazyRouteDiscovery: true,
          v3_singleFetch: true,
        },
      }),
      tsconfigPaths(),
    ],
    build: { assetsInlineLimit: 0 },
    // The Shopify CLI hands the dev server its port in PORT.
    server: { port: Number(process.env.PORT ?? 3000) },
    // Polaris Viz ships CommonJS that requires ESM-only d3 modules: bundle it for the server.
    ssr: { noExternal: ["@shopify/polaris-viz", "@shopify/polaris-viz-core"] },
    optimizeDeps: { include: ["@shopify/app-bridge-react", "@shopify/polaris"] },
  };
});
