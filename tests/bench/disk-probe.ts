// How long this machine's disk takes to make a small write durable, measured
// beside a load (bench:scale's intake stage). A PostgreSQL commit waits for a
// flush like this one (fdatasync of its write-ahead log), and the web processes
// answer a webhook only after its receipt's commit. The probe writes 8 KB into
// a preallocated file and flushes it every PROBE_EVERY_MS, in a process of its
// own: a blocking fdatasync in the benchmark's process would stall its event loop.
import { fork } from "node:child_process";
import { closeSync, fdatasyncSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { percentile } from "./intake";

const PROBE_EVERY_MS = 50;
const BLOCK = Buffer.alloc(8192, 1);
const FILE_BYTES = 4 * 2 ** 20;

export interface DiskProbeResult {
  flushes: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Flushes that took over 100 ms: each held every commit waiting behind it as long. */
  over100Ms: number;
}

/**
 * Starts the probe in a child process and resolves once it is flushing;
 * stop() ends it and resolves with what it measured. The child removes its
 * file and exits when stopped or when this process goes away.
 */
export async function startDiskProbe(dir = os.tmpdir()): Promise<{ stop: () => Promise<DiskProbeResult> }> {
  const child = fork(fileURLToPath(import.meta.url), [dir], { execArgv: ["--import", "tsx"], stdio: "inherit" });
  const nextMessage = () =>
    new Promise<unknown>((resolve, reject) => {
      const exited = (code: number | null) => reject(new Error(`the disk probe exited (${code}) before its answer`));
      child.once("exit", exited);
      child.once("message", (message) => {
        child.off("exit", exited);
        resolve(message);
      });
    });
  await nextMessage();
  return {
    stop: () => {
      const result = nextMessage() as Promise<DiskProbeResult>;
      child.send("stop");
      return result;
    },
  };
}

export function diskLine(stage: string, r: DiskProbeResult): string {
  return `disk during ${stage}: fdatasync p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(1)} ms, max ${r.maxMs.toFixed(1)} ms, ${r.over100Ms} over 100 ms (${r.flushes} flushes of 8 KB, one per ${PROBE_EVERY_MS} ms, in the temporary directory's filesystem, time waiting for a CPU left out; a PostgreSQL commit waits for such a flush)`;
}

/** Nanoseconds this process has spent runnable but waiting for a CPU (the second field of /proc/self/schedstat). */
function runQueueWaitNs(): number {
  return Number(readFileSync("/proc/self/schedstat", "utf8").split(" ")[1]);
}

function probe(dir: string): void {
  const work = mkdtempSync(path.join(dir, "zap-disk-probe-"));
  const fd = openSync(path.join(work, "probe"), "w");
  // Written and flushed once first, as PostgreSQL preallocates its log: the probe's flushes change no file size.
  for (let offset = 0; offset < FILE_BYTES; offset += BLOCK.length) writeSync(fd, BLOCK, 0, BLOCK.length, offset);
  fdatasyncSync(fd);
  const latencies: number[] = [];
  let offset = 0;
  const timer = setInterval(() => {
    const waited = runQueueWaitNs();
    const started = performance.now();
    writeSync(fd, BLOCK, 0, BLOCK.length, offset);
    fdatasyncSync(fd);
    latencies.push(performance.now() - started - (runQueueWaitNs() - waited) / 1e6);
    offset = (offset + BLOCK.length) % FILE_BYTES;
  }, PROBE_EVERY_MS);
  const finish = () => {
    clearInterval(timer);
    closeSync(fd);
    rmSync(work, { recursive: true, force: true });
  };
  process.once("disconnect", () => {
    finish();
    process.exit(0);
  });
  process.once("message", () => {
    finish();
    const result: DiskProbeResult = {
      flushes: latencies.length,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: percentile(latencies, 100),
      over100Ms: latencies.filter((ms) => ms > 100).length,
    };
    process.removeAllListeners("disconnect");
    process.send?.(result, () => process.exit(0));
  });
  process.send?.("flushing");
}

if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) probe(process.argv[2] ?? os.tmpdir());
