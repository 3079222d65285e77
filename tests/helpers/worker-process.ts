// Worker processes (worker.ts) for tests that run the production topology:
// started against a sandbox's environment, their output kept for assertions,
// and stopped (or killed) at the end.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

import { buildDir, childPids, ROOT } from "../../sandbox/harness";

export interface WorkerProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
}

export class WorkerFleet {
  readonly workers: WorkerProcess[] = [];

  constructor(private readonly env: () => Record<string, string | undefined>) {}

  start(extraEnv: Record<string, string> = {}): WorkerProcess {
    // The built worker (global-setup builds the app), as `npm run worker` runs it.
    const child = spawn(process.execPath, [path.join(buildDir(), "node", "worker.js")], {
      cwd: ROOT,
      env: { ...process.env, ...this.env(), ...extraEnv } as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const worker = { child, output: () => output };
    this.workers.push(worker);
    return worker;
  }

  /** Sends `signal` to the worker and waits for it to exit. */
  static async stop(child: ChildProcess, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill(signal);
    await exited;
  }

  async stopAll(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
    await Promise.all(this.workers.map(({ child }) => WorkerFleet.stop(child, signal)));
  }
}

/**
 * The running children of `pid` that run the worker (worker.ts, or built: worker.js): the web process's embedded
 * worker, for a test to kill. Other children are not it (tsx's loader can start an esbuild service beside it).
 */
export function workerPids(pid: number): number[] {
  return childPids(pid).filter((child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, "utf8")
        .split("\0")
        .some((arg) => arg.endsWith("worker.ts") || arg.endsWith("worker.js"));
    } catch {
      return false;
    }
  });
}
