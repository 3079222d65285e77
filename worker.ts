// `npm run worker`: all background work (webhook receipts, sending, pricing
// reconciliation) in a process of its own; run any number against one
// database with DISPATCH_MODE=off on the web processes. The web process starts
// one itself by default (app/jobs/embedded-worker.server.ts). With REDIS_URL the
// workers take receipts from a BullMQ queue and share each number's pace
// through Redis. SIGTERM stops taking work (queue jobs, receipts, sends) and
// waits for what is in flight; a hard kill loses nothing.
import { configOrExit } from "./app/core/config.server";

configOrExit();

const { config } = await import("./app/core/config.server");
const { db, markWorkerProcess, openConnections } = await import("./app/core/db.server");
const { log } = await import("./app/core/log.server");
const { startWorker } = await import("./app/jobs/worker.server");
const { graphClient } = await import("./app/whatsapp/client.server");

markWorkerProcess();
// Opened beside the first jobs, not before: the stop handlers below are registered at once.
openConnections(db()).catch((error: unknown) => log.warn({ err: error }, "Could not open the database connections ahead of the first jobs"));
const worker = startWorker({ db: db(), config: config(), graph: graphClient(config()) });
log.info({ queue: config().REDIS_URL ? "redis" : "poll" }, "Zap worker is handling webhooks and sending due messages");

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  log.info("Zap worker is stopping: finishing the work in flight");
  void worker.stop().then(() => {
    log.info("Zap worker stopped");
    process.exit(0);
  });
};
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, stop);
// Started by a web process: woken when it stores a receipt, gone when it is.
process.on("message", (message) => message === "wake" && worker.wake());
process.on("disconnect", stop);
