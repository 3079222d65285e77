// `npm run bench`: measurements that are not unit tests. Prints one line per
// result; exits non-zero when a target is missed.
//   intake: 200 signed webhooks/s for 20 s on the embedded SQLite mode, beside a
//   minimal HMAC-only server (p99 under 100 ms and within 10× the floor), then
//   exactly one confirmation per order.
//   dispatch: a burst of 500 orders against a simulator limited to 20 msg/s
//   must be sent with no 130429 (throughput) errors.
//   extension bundles: the order-page and thank-you blocks, built offline, each under Shopify's 64 KB.
//   cost report: 1,000,000 messages across 50 shops; the 90-day report's
//   median time must stay under 50 ms on SQLite (printed beside a naive scan).
//   campaign: 5,000 recipients sent now against a simulator enforcing 80 msg/s:
//   the send rate as a share of that cap, none throttled, each sent once.
import { buildExtension, EXTENSIONS, LIMIT_BYTES, type ExtensionName } from "../../extensions/build";
import { startSandbox } from "../../sandbox/harness";
import { testDatabaseUrl } from "../helpers/db";
import { campaignBench } from "./campaign";
import { costReportBench } from "./cost-report";
import { inboxBench } from "./inbox";
import { postShopifyWebhook, simJson } from "../helpers/http";
import { orderPayload } from "../helpers/shopify-payloads";
import { fixedRateLoad, intakeLine, percentile, startMinimalServer } from "./intake";

const ORDERS = 500;
const RATE = 20;

const INTAKE_RATE = 200;
const INTAKE_SECONDS = 20;

/**
 * Embedded mode (SQLite, one `npm start` with its own worker process): 200
 * signed orders/create a second for 20 s, beside the minimal HMAC-only server;
 * then every order must get exactly one confirmation.
 */
async function intakeBench(): Promise<boolean> {
  // The production default niceness: a benchmark measures the app as it runs, not as the test suite runs it.
  const sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl(), WORKER_NICENESS: "10" }, simSettings: { statusDelayMs: 50, sendRead: false } });
  const floorServer = await startMinimalServer(sandbox.env.SHOPIFY_API_SECRET);
  try {
    const floor = await fixedRateLoad(floorServer.url, sandbox.env.SHOPIFY_API_SECRET, sandbox.shopDomain, INTAKE_RATE, INTAKE_SECONDS);
    const app = await fixedRateLoad(`${sandbox.appUrl}/webhooks/shopify`, sandbox.env.SHOPIFY_API_SECRET, sandbox.shopDomain, INTAKE_RATE, INTAKE_SECONDS);
    console.log(intakeLine(INTAKE_RATE, app, floor));
    const total = INTAKE_RATE * INTAKE_SECONDS;
    const started = Date.now();
    let confirmations: string[] = [];
    while (Date.now() - started < 240_000) {
      const sent = await simJson<{ template?: { name: string; parameters: string[] } }[]>(sandbox.simUrl, "messages");
      confirmations = sent.filter((m) => m.template?.name === "order_confirmation").map((m) => m.template!.parameters[1]!);
      if (confirmations.length >= total) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    const unique = new Set(confirmations).size;
    const unconfirmedRows = await sandbox.db.message.findMany({ where: { status: "UNCONFIRMED" }, select: { errorTitle: true } });
    const unconfirmed = unconfirmedRows.length;
    // Why each is unconfirmed: the request's failure, or none when a lock ran out (the reasons hold no personal data).
    const why = [...new Set(unconfirmedRows.map((row) => row.errorTitle ?? "lock expired"))].join("; ");
    console.log(
      `intake ${INTAKE_RATE}/s follow-up: ${unique}/${total} orders confirmed, ${confirmations.length - unique} duplicates, ${unconfirmed} unconfirmed${why ? ` (${why})` : ""}, ${((Date.now() - started) / 1000).toFixed(0)} s after the burst`,
    );
    const p99 = percentile(app.latenciesMs, 99);
    return app.answered === total && p99 < 100 && p99 <= 10 * Math.max(percentile(floor.latenciesMs, 99), 1) && unique === total && confirmations.length === total;
  } finally {
    floorServer.stop();
    await sandbox.stop();
  }
}

async function dispatchBench(): Promise<boolean> {
  const sandbox = await startSandbox({
    env: { DATABASE_URL: testDatabaseUrl(), WHATSAPP_RATE_PER_SECOND: String(RATE), WORKER_NICENESS: "10" },
    simSettings: { ratePerSecond: RATE, statusDelayMs: 50, sendRead: false },
  });
  try {
    const orders = Array.from({ length: ORDERS }, (_, i) => orderPayload({ customer: { first_name: "Ana", phone: `+55119${String(20_000_000 + i).padStart(8, "0")}` } }));
    const ackMs: number[] = [];
    const started = Date.now();
    const queue = [...orders];
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        for (let order = queue.shift(); order; order = queue.shift()) {
          const t = performance.now();
          const response = await postShopifyWebhook(sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(order) });
          ackMs.push(performance.now() - t);
          if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
        }
      }),
    );
    const webhooksDone = Date.now();
    let sent = 0;
    while (sent < ORDERS && Date.now() - started < 120_000) {
      sent = (await simJson<unknown[]>(sandbox.simUrl, "messages")).length;
      if (sent < ORDERS) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const seconds = (Date.now() - started) / 1000;
    const { rateLimited } = await simJson<{ rateLimited: number }>(sandbox.simUrl, "state");
    console.log(
      `shopify webhooks: ${ORDERS} orders/create acknowledged in ${((webhooksDone - started) / 1000).toFixed(1)} s, median ${percentile(ackMs, 50).toFixed(1)} ms, p95 ${percentile(ackMs, 95).toFixed(1)} ms`,
    );
    console.log(`dispatch (simulator limited to ${RATE} msg/s): ${sent}/${ORDERS} messages in ${seconds.toFixed(1)} s, ${(sent / seconds).toFixed(1)} msg/s achieved, ${rateLimited} × 130429`);
    return sent === ORDERS && rateLimited === 0;
  } finally {
    await sandbox.stop();
  }
}

const only = process.argv[2];
if (only === "intake") process.exit((await intakeBench()) ? 0 : 1);
if (only === "inbox") process.exit((await inboxBench()) ? 0 : 1);
if (only === "campaign") process.exit((await campaignBench()) ? 0 : 1);
let bundlesOk = true;
for (const name of Object.keys(EXTENSIONS) as ExtensionName[]) {
  const bytes = await buildExtension(name);
  console.log(`${name} extension bundle: ${(bytes / 1024).toFixed(1)} KB (limit ${LIMIT_BYTES / 1024} KB)`);
  bundlesOk &&= bytes < LIMIT_BYTES;
}
const intakeOk = await intakeBench();
const ok = await dispatchBench();
const reportOk = await costReportBench();
const inboxOk = await inboxBench();
const campaignOk = await campaignBench();
process.exit(intakeOk && ok && reportOk && inboxOk && campaignOk && bundlesOk ? 0 : 1);
