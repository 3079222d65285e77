// The web process's own worker (DISPATCH_MODE=web, the default): a child
// process running worker.ts (built: build/node/worker.js), so that handling webhooks, sending and cost
// bookkeeping never run on the event loop that answers requests. Intake wakes
// it over the IPC channel when it stores a receipt; it restarts if it dies,
// and it exits when the web process does (its IPC channel closes).
import { type ChildProcess, fork } from "node:child_process";
import { setPriority } from "node:os";
import path from "node:path";

import { log } from "../core/log.server";

const RESTART_AFTER_MS = 1000;

interface EmbeddedWorker {
  child: ChildProcess | null;
  stopping: boolean;
}

// On globalThis, so a dev-server reload keeps the one worker it started.
const holder = globalThis as unknown as { zapEmbeddedWorker?: EmbeddedWorker };

export function startEmbeddedWorker(niceness: number, entry = path.resolve(process.env.ZAP_WORKER_ENTRY ?? "worker.ts")): () => Promise<void> {
  const existing = holder.zapEmbeddedWorker;
  const worker: EmbeddedWorker = existing ?? { child: null, stopping: false };
  holder.zapEmbeddedWorker = worker;
  const spawnChild = () => {
    // worker.ts itself (the dev server) needs tsx's loader; the built worker (beside a built server) is plain Node.
    const execArgv = entry.endsWith(".ts") ? ["--import", "tsx"] : [];
    const child = fork(entry, [], { execArgv, env: { ...process.env, ZAP_PROCESS: "worker", ZAP_EMBEDDED_WORKER: "1" }, stdio: "inherit" });
    worker.child = child;
    // When both want the CPU, answering webhooks (Shopify waits 5 s at most) goes first.
    if (child.pid) setPriority(child.pid, niceness);
    child.on("exit", (code, signal) => {
      if (worker.child === child) worker.child = null;
      if (worker.stopping) return;
      log.warn({ code, signal }, "The embedded worker stopped; starting it again");
      setTimeout(spawnChild, RESTART_AFTER_MS).unref();
    });
  };
  if (!existing) spawnChild();
  return async () => {
    worker.stopping = true;
    const child = worker.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  };
}

/** New work was stored: the embedded worker looks now rather than at its next poll. */
export function wakeWorker(): void {
  const child = holder.zapEmbeddedWorker?.child;
  if (child?.connected) child.send("wake", (error) => error && log.debug({ err: error }, "Could not wake the embedded worker"));
}
