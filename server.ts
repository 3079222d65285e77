// Serves the built app (npm run build). The configuration is validated before
// anything else is loaded, so a missing or malformed variable stops start-up
// with a message that names it.
import path from "node:path";
import { pathToFileURL } from "node:url";

import { createRequestHandler } from "@remix-run/express";
import type { ServerBuild } from "@remix-run/node";
import express from "express";

import { configOrExit } from "./app/config.server";

configOrExit();

const sandbox = process.env.ZAP_SANDBOX === "1";
if (sandbox && process.env.NODE_ENV === "production") {
  console.error("ZAP_SANDBOX=1 is refused when NODE_ENV=production: the sandbox signs its own admin sessions.");
  process.exit(1);
}

const port = Number(process.env.PORT ?? 3000);
// The sandbox listens on loopback only; production binds every interface unless HOST says otherwise.
const host = sandbox ? "127.0.0.1" : (process.env.HOST ?? "0.0.0.0");
const buildDir = path.resolve(process.env.ZAP_BUILD_DIR ?? "build");

const build = (await import(pathToFileURL(path.join(buildDir, "server", "index.js")).href)) as ServerBuild;

const app = express();
app.disable("x-powered-by");
app.use("/assets", express.static(path.join(buildDir, "client", "assets"), { immutable: true, maxAge: "1y" }));
app.use(express.static(path.join(buildDir, "client"), { maxAge: "1h" }));
app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));

const server = app.listen(port, host, () => {
  console.log(`Zap is listening on http://${host}:${port}`);
});
const entry = build.entry.module as { startBackgroundJobs?: () => () => void };
const stopJobs = entry.startBackgroundJobs?.();

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    stopJobs?.();
    server.close(() => process.exit(0));
  });
}
