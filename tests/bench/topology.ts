// The processes and services of the scale benchmark (scale.ts): PostgreSQL
// (installed and started when it does not answer, as .ci/run does), a
// database of its own per run, and a fleet of web and worker processes whose
// CPU time is read from /proc while they live.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

import pg from "pg";

import { buildDir, ROOT, waitForHttp } from "../../sandbox/harness";

export const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? "postgresql://zap_ci:zap_ci@127.0.0.1:5432/postgres";
export const LOG_DIR = path.join(ROOT, "tests", "artifacts", "bench-scale");
export const WORKER_NICENESS = 10;

export const sh = (script: string) => execFileSync("bash", ["-c", script], { stdio: ["ignore", "inherit", "inherit"] });

// ---------------------------------------------------------------------------
// Services

async function postgresAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** PostgreSQL on POSTGRES_URL: installed, started and given the zap_ci role when it does not answer (Debian, as .ci/run). */
export async function ensurePostgres(): Promise<void> {
  if (await postgresAnswers(POSTGRES_URL)) return;
  const url = new URL(POSTGRES_URL);
  console.log(`PostgreSQL does not answer on ${url.host}; starting it…`);
  sh(`set -e
if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
v=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
pg_lsclusters -h 2>/dev/null | grep -q . || pg_createcluster "$v" main >/dev/null
pg_ctlcluster "$v" main start 2>/dev/null || true
for _ in $(seq 1 30); do su postgres -c "pg_isready -q" && break; sleep 1; done
su postgres -c "psql -qtAc \\"SELECT 1 FROM pg_roles WHERE rolname = '${decodeURIComponent(url.username)}'\\"" | grep -q 1 \\
  || su postgres -c "psql -qc \\"CREATE ROLE ${decodeURIComponent(url.username)} LOGIN CREATEDB PASSWORD '${decodeURIComponent(url.password)}'\\""`);
  if (!(await postgresAnswers(POSTGRES_URL))) throw new Error(`PostgreSQL still does not answer on ${url.host}`);
}

export async function createBenchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `zap_bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: POSTGRES_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined);
      await client.end();
    },
  };
}

// ---------------------------------------------------------------------------
// Processes and their CPU time

const CLK_TCK = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** CPU time (user + system) of a live process, in ms; undefined once it is gone. */
export function cpuMs(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  } catch {
    return undefined;
  }
}

/** The machine's CPU time since boot, in ms: busy (user, nice, system, irq, softirq), idle (idle, iowait), and steal (taken by the host from this VM). */
export function machineCpu(): { busy: number; idle: number; steal: number } {
  const ticks = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = ticks;
  const ms = (t: number) => (t * 1000) / CLK_TCK;
  return { busy: ms(user + nice + system + irq + softirq), idle: ms(idle + iowait), steal: ms(steal) };
}

/** CPU readings of what is not the app's fleet, taken before and after a stage. */
export interface OtherCpu {
  postgres: number;
  redis: number;
  /** This process: the simulators, the benchmark's own polling and sampling. */
  bench: NodeJS.CpuUsage;
  machine: ReturnType<typeof machineCpu>;
}

/**
 * Where the machine's CPU went over a stage, per message sent, and how many
 * messages a second the machine's cores could carry at those costs: what bounds
 * dispatch when it runs below its pace.
 */
export function machineLine(messages: number, webMs: number, workerMs: number, before: OtherCpu, after: OtherCpu): string {
  const per = (ms: number) => (ms / messages).toFixed(1);
  const postgresMs = after.postgres - before.postgres;
  const redisMs = after.redis - before.redis;
  const benchMs = (after.bench.user + after.bench.system) / 1000;
  const busy = after.machine.busy - before.machine.busy;
  const idle = after.machine.idle - before.machine.idle;
  const steal = after.machine.steal - before.machine.steal;
  const all = busy + idle + steal;
  const perMessage = (webMs + workerMs + postgresMs + redisMs + benchMs) / messages;
  const cores = os.cpus().length;
  return (
    `dispatch machine: per message web ${per(webMs)}, worker ${per(workerMs)}, PostgreSQL ${per(postgresMs)}, Redis ${per(redisMs)}, simulators and benchmark ${per(benchMs)} ms ` +
    `(${perMessage.toFixed(1)} ms in all; ${cores} cores carry at least ${((cores * 1000) / perMessage).toFixed(0)} msg/s at these costs: the CPU is counted from the workers' start to the statuses settled, the rate from first to last send); ` +
    `the machine ${((100 * busy) / all).toFixed(0)}% busy, ${((100 * steal) / all).toFixed(0)}% taken by the host (steal), over the stage`
  );
}

/**
 * CPU time of every process running one command (PostgreSQL's server and its
 * backends all run "postgres"), sampled with the fleet: a process that exits
 * counts at its last reading.
 */
class CommandCpu {
  private readonly byPid = new Map<string, number>();
  /** Processes seen running another command: not read again (the sampler's own cost stays small). */
  private readonly others = new Set<string>();

  constructor(private readonly command: string) {}

  sample(): void {
    for (const pid of readdirSync("/proc")) {
      if (!/^\d+$/.test(pid) || this.others.has(pid)) continue;
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        if (stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")) !== this.command) {
          this.others.add(pid);
          continue;
        }
        const ms = cpuMs(Number(pid));
        if (ms !== undefined) this.byPid.set(pid, ms);
      } catch {
        // gone between the listing and the read
      }
    }
  }

  total(): number {
    this.sample();
    return [...this.byPid.values()].reduce((sum, ms) => sum + ms, 0);
  }
}

export interface Proc {
  name: string;
  child: ChildProcess;
  /** Last CPU reading (ms), kept up to date while the process lives, so a SIGKILL loses at most one sampling period. */
  cpu: number;
}

export class Fleet {
  readonly procs: Proc[] = [];
  readonly postgres = new CommandCpu("postgres");
  private readonly sampler = setInterval(() => this.sample(), 200);

  constructor(private readonly env: Record<string, string>) {
    this.sampler.unref();
    mkdirSync(LOG_DIR, { recursive: true });
  }

  sample(): void {
    this.postgres.sample();
    for (const proc of this.procs) {
      const now = cpuMs(proc.child.pid);
      if (now !== undefined && proc.child.exitCode === null && proc.child.signalCode === null) proc.cpu = now;
    }
  }

  async start(name: string, script: "server.js" | "worker.js", extra: Record<string, string> = {}): Promise<Proc> {
    // BENCH_CPU_PROF=<dir>: V8 CPU profiles of every process, written when it exits (not when SIGKILLed).
    const profile = process.env.BENCH_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(process.env.BENCH_CPU_PROF, name)}`] : [];
    // The built entries (`npm run build`), as `npm start` and `npm run worker` run them in production: through tsx,
    // every start (a SIGKILLed worker's restart included) transpiled the app's sources first.
    const entry = path.join(buildDir(), "node", script);
    const child = spawn(process.execPath, [...profile, entry], {
      cwd: ROOT,
      env: { ...process.env, ...this.env, ...extra, ZAP_PROCESS: name } as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    // One machine holds every process here: workers run at a lower CPU priority, as the embedded
    // worker does and as the README advises (`nice -n 10 npm run worker`), so answering webhooks goes first.
    if (script === "worker.js" && child.pid) os.setPriority(child.pid, WORKER_NICENESS);
    const log = createWriteStream(path.join(LOG_DIR, `${name}.log`), { flags: "a" });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const proc: Proc = { name, child, cpu: 0 };
    this.procs.push(proc);
    if (script === "server.js") await waitForHttp(`http://127.0.0.1:${extra.PORT}/healthz`, 60_000, () => child.exitCode === null);
    return proc;
  }

  /** CPU ms of every process whose name starts with `prefix`, dead ones at their last reading. */
  cpuOf(prefix: string): number {
    this.sample();
    return this.procs.filter((p) => p.name.startsWith(prefix)).reduce((sum, p) => sum + p.cpu, 0);
  }

  async stop(proc: Proc, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    this.sample();
    if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
    const exited = new Promise((resolve) => proc.child.once("exit", resolve));
    proc.child.kill(signal);
    await exited;
  }

  async stopAll(): Promise<void> {
    clearInterval(this.sampler);
    await Promise.all(this.procs.map((p) => this.stop(p)));
  }
}
