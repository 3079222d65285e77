// Intake under a fixed rate of signed orders/create webhooks, against the app
// and against the minimal HMAC-only server, in the same run: how fast each
// answers, and whether every order then gets exactly one confirmation.
import { fork } from "node:child_process";
import { Agent, request } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { shopifyHmac } from "../../sandbox/shopify-webhooks";
import { orderPayload } from "../helpers/shopify-payloads";

export interface IntakeResult {
  latenciesMs: number[];
  answered: number;
  sent: number;
  /** Why the unanswered ones were not answered ("ECONNRESET", "HTTP 503", "no answer in 10 s"). */
  failures: string[];
}

/** One result for loads run side by side (one per web port). */
export function mergeIntake(results: IntakeResult[]): IntakeResult {
  return {
    latenciesMs: results.flatMap((r) => r.latenciesMs),
    answered: results.reduce((sum, r) => sum + r.answered, 0),
    sent: results.reduce((sum, r) => sum + r.sent, 0),
    failures: results.flatMap((r) => r.failures),
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** The orders the load sends: distinct ids, names and phones, so each needs its own confirmation. */
export function benchOrder(i: number) {
  return orderPayload({
    id: 5_000_000 + i,
    name: `#B${i}`,
    customer: { id: 6_000_000 + i, first_name: "Ana", last_name: "Souza", phone: `+55119${String(30_000_000 + i)}`, email: null, sms_marketing_consent: null },
  });
}

type LoadArgs = [url: string, secret: string, shop: string, rate: number, seconds: number, offset?: number];

/**
 * Sends `rate` webhooks a second for `seconds` at `url` from a process of its
 * own (load-client.ts), as Shopify's senders are: in the benchmark's process,
 * the simulator's work (answering sends, posting status webhooks) delayed the
 * client's own timings. Each counts as answered when a 200 comes within 10 s.
 */
export async function fixedRateLoad(...args: LoadArgs): Promise<IntakeResult> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "load-client.ts");
  const child = fork(script, [], { execArgv: ["--import", "tsx"], stdio: "inherit" });
  return new Promise<IntakeResult>((resolve, reject) => {
    child.once("message", (result) => resolve(result as IntakeResult));
    child.once("exit", (code) => reject(new Error(`the load client exited (${code}) before its result`)));
    child.send(args);
  });
}

/** The load itself, run in load-client.ts. */
export async function runFixedRateLoad(...[url, secret, shop, rate, seconds, offset = 0]: LoadArgs): Promise<IntakeResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = rate * seconds;
  const latenciesMs: number[] = [];
  let answered = 0;
  const failures: string[] = [];
  const inFlight: Promise<void>[] = [];
  const post = (i: number) =>
    new Promise<void>((resolve) => {
      const body = JSON.stringify(benchOrder(offset + i));
      const started = performance.now();
      const req = request(
        url,
        {
          method: "POST",
          agent,
          timeout: 10_000,
          headers: {
            "content-type": "application/json",
            "x-shopify-topic": "orders/create",
            "x-shopify-shop-domain": shop,
            "x-shopify-hmac-sha256": shopifyHmac(body, secret),
            "x-shopify-api-version": "2026-10",
            "x-shopify-webhook-id": `bench-${offset + i}`,
            "x-shopify-event-id": `bench-${offset + i}`,
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            const ms = performance.now() - started;
            if (res.statusCode === 200 && ms <= 10_000) {
              answered++;
              latenciesMs.push(ms);
            } else failures.push(res.statusCode === 200 ? "no answer in 10 s" : `HTTP ${res.statusCode}`);
            resolve();
          });
        },
      );
      req.on("timeout", () => req.destroy(Object.assign(new Error("timeout"), { code: "no answer in 10 s" })));
      req.on("error", (error: Error & { code?: string }) => {
        failures.push(error.code ?? error.message);
        resolve();
      });
      req.end(body);
    });
  const start = performance.now();
  let next = 0;
  while (next < total) {
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * rate) + 1);
    for (; next < due; next++) inFlight.push(post(next));
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return { latenciesMs, answered, sent: total, failures };
}

/** Starts the minimal HMAC-only server as a child process; resolves with its URL and a stop function. */
export async function startMinimalServer(secret: string): Promise<{ url: string; stop: () => void }> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "minimal-server.ts");
  const child = fork(script, [], { execArgv: ["--import", "tsx"], env: { ...process.env, SHOPIFY_API_SECRET: secret }, stdio: "ignore" });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("message", (message) => resolve((message as { port: number }).port));
    child.once("exit", () => reject(new Error("the minimal server exited")));
  });
  return { url: `http://127.0.0.1:${port}/webhooks/shopify`, stop: () => child.kill("SIGKILL") };
}

export function intakeLine(rate: number, app: IntakeResult, floor: IntakeResult): string {
  return `intake ${rate}/s: p50 ${percentile(app.latenciesMs, 50).toFixed(1)} ms, p99 ${percentile(app.latenciesMs, 99).toFixed(1)} ms, answered ${app.answered}/${app.sent}${unanswered(app)} (floor p99 ${percentile(floor.latenciesMs, 99).toFixed(1)} ms)`;
}

/** The reasons for unanswered webhooks, counted: " (2 × ECONNRESET)"; empty when every one was answered. */
export function unanswered(result: IntakeResult): string {
  if (!result.failures.length) return "";
  const counts = new Map<string, number>();
  for (const reason of result.failures) counts.set(reason, (counts.get(reason) ?? 0) + 1);
  return ` (${[...counts].map(([reason, n]) => `${n} × ${reason}`).join(", ")})`;
}
