// `npm run worker`: sends due messages from a process of its own (set
// DISPATCH_MODE=off on the web process). Stops cleanly on SIGTERM; a hard
// kill loses nothing (see app/dispatch.server.ts).
import { configOrExit } from "./app/config.server";

configOrExit();

const { config } = await import("./app/config.server");
const { db } = await import("./app/db.server");
const { startDispatcher } = await import("./app/dispatch.server");
const { graphClient } = await import("./app/whatsapp/client.server");

const dispatcher = startDispatcher({ db: db(), config: config(), graph: graphClient(config()) });
console.log("Zap worker is sending due messages");

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void dispatcher.stop().then(() => process.exit(0));
  });
}
