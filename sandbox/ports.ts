// Ports for the sandbox's servers, free now and claimed across processes: the test suite starts sandboxes
// in two processes at once, and the benchmarks start several servers of their own.
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

import { isAlive } from "../app/jobs/intake-spool.server";

// Below Linux's ephemeral range (32768–60999): a port the kernel hands out for port 0 can be handed out again,
// or taken by an outgoing connection (to PostgreSQL, say), in the seconds before the app listens on it.
const PORTS = { from: 20_000, to: 32_000 };
const handedOut = new Set<number>();
// Test files run in separate processes at once, and a port checked free in one is still free to the other until
// an app listens on it. A port handed out is therefore also claimed in a directory every process on this machine
// shares: a file named after the port, created only if absent, holding the claimant's pid.
export const PORT_CLAIMS = path.join(tmpdir(), "zap-sandbox-ports");

/** Claims `port` for this process; false if another living process holds it. A dead claimant's file is removed, the port left for a later pick. */
export function claimPort(port: number): boolean {
  mkdirSync(PORT_CLAIMS, { recursive: true });
  const file = path.join(PORT_CLAIMS, String(port));
  try {
    writeFileSync(file, String(process.pid), { flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    try {
      const owner = Number(readFileSync(file, "utf8"));
      if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) unlinkSync(file);
    } catch (cleared) {
      // Another process cleared the same dead claim first.
      if ((cleared as NodeJS.ErrnoException).code !== "ENOENT") throw cleared;
    }
    return false;
  }
  if (handedOut.size === 0) process.once("exit", releaseClaims);
  handedOut.add(port);
  return true;
}

function releaseClaims(): void {
  for (const port of handedOut) {
    try {
      unlinkSync(path.join(PORT_CLAIMS, String(port)));
    } catch {
      // Already gone: a later pick found this process dead and removed it.
    }
  }
}

/** A port free now, picked at random below the ephemeral range and claimed across processes, so two sandboxes starting together do not collide. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    if (attempt > 200) throw new Error(`No free port between ${PORTS.from} and ${PORTS.to}`);
    const port = PORTS.from + Math.floor(Math.random() * (PORTS.to - PORTS.from));
    if (handedOut.has(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.unref();
      server.once("error", () => resolve(false));
      server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
    });
    if (free && claimPort(port)) return port;
  }
}
