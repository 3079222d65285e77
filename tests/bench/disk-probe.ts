// How long this machine's disk takes to make a small write durable, measured
// beside a load (bench:scale's intake stage). Each receipt the web processes
// store is answered only after PostgreSQL's commit, which waits for the same
// kind of flush (fdatasync of its write-ahead log). The probe runs in a process
// of its own, writing 8 KB and flushing it every PROBE_EVERY_MS, so the load is
// timed by one clock and the disk by another.
import { fork } from "node:child_process";
import { closeSync, fdatasyncSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

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

/** Starts the probe in a child process; stop() ends it and resolves with what it measured. */
export function startDiskProbe(dir = os.tmpdir()): { stop: () => Promise<DiskProbeResult> } {
  const child = fork(fileURLToPath(import.meta.url), [dir], { execArgv: ["--import", "tsx"], stdio: "inherit" });
  const result = new Promise<DiskProbeResult>((resolve, reject) => {
    child.once("message", (message) => resolve(message as DiskProbeResult));
    child.once("exit", (code) => reject(new Error(`the disk probe exited (${code}) before its result`)));
  });
  return {
    stop: () => {
      child.send("stop");
      return result;
    },
  };
}

export function diskLine(stage: string, r: DiskProbeResult): string {
  return `disk during ${stage}: fdatasync p50 ${r.p50Ms.toFixed(2)} ms, p99 ${r.p99Ms.toFixed(1)} ms, max ${r.maxMs.toFixed(1)} ms, ${r.over100Ms} over 100 ms (${r.flushes} flushes of 8 KB, one per ${PROBE_EVERY_MS} ms, in a process of its own; every receipt's commit waits for such a flush)`;
}

function probe(dir: string): void {
  const work = mkdtempSync(path.join(dir, "zap-disk-probe-"));
  const fd = openSync(path.join(work, "probe"), "w");
  const latencies: number[] = [];
  let offset = 0;
  const timer = setInterval(() => {
    const started = performance.now();
    writeSync(fd, BLOCK, 0, BLOCK.length, offset);
    fdatasyncSync(fd);
    latencies.push(performance.now() - started);
    offset = (offset + BLOCK.length) % FILE_BYTES;
  }, PROBE_EVERY_MS);
  process.once("message", () => {
    clearInterval(timer);
    closeSync(fd);
    rmSync(work, { recursive: true, force: true });
    const sorted = [...latencies].sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
    const result: DiskProbeResult = { flushes: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? Number.NaN, over100Ms: sorted.filter((ms) => ms > 100).length };
    process.send?.(result, () => process.exit(0));
  });
}

if (process.send && process.argv[1] === fileURLToPath(import.meta.url)) probe(process.argv[2] ?? os.tmpdir());
