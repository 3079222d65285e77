// A 5,000-recipient campaign sent now, against a simulator that enforces the
// number's throughput (80 msg/s): the send rate from its first message to its
// last as a share of that cap, and how many sends WhatsApp throttled (130429).
// Every recipient must get exactly one message, none throttled.
import { scheduleCampaign } from "../../app/campaigns/sending.server";
import { Prisma } from "../../app/generated/prisma/client";
import { startSandbox } from "../../sandbox/harness";
import { testDatabaseUrl } from "../helpers/db";
import { BROWSER_UA, simJson } from "../helpers/http";

const RECIPIENTS = 5000;
const CAP = 80;

export async function campaignBench(): Promise<boolean> {
  const sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl(), WORKER_NICENESS: "10" }, simSettings: { ratePerSecond: CAP, statusDelayMs: 50, sendRead: false } });
  try {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const customers = Array.from({ length: RECIPIENTS }, (_, i) => ({
      id: 9_500_000 + i,
      firstName: `Cliente ${i}`,
      phone: `+55119${String(30_000_000 + i)}`,
      countryCode: "BR",
      tags: ["bench"],
      whatsAppMarketingState: "SUBSCRIBED",
    }));
    await fetch(`${sandbox.shopify.url}/_sim/shopify/customers`, { method: "POST", body: JSON.stringify({ shop: sandbox.shopDomain, customers }) });
    await sandbox.db.automation.updateMany({ where: { shopId: shop.id, trigger: "CHECKOUT_ABANDONED" }, data: { quietHours: Prisma.DbNull } });
    const response = await fetch(`${sandbox.appUrl}/app/campaigns?index`, {
      method: "POST",
      redirect: "manual",
      headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
      body: new URLSearchParams({ name: "Bench", audience: "filters", tag: "bench", templateName: "abandoned_cart" }).toString(),
    });
    const id = /\/app\/campaigns\/([\w-]+)/.exec(response.headers.get("location") ?? "")![1]!;
    const deadline = Date.now() + 300_000;
    while ((await sandbox.db.campaign.findUniqueOrThrow({ where: { id } })).audienceStatus !== "READY" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    await sandbox.db.campaign.update({ where: { id }, data: { variableMapping: ["first_name", "store_name", "store_name"] } });
    const scheduled = await scheduleCampaign(sandbox.db, shop.id, id, { id: "1", name: "Bench" }, { kind: "NOW", overBudgetApproved: true });
    if (!scheduled.ok) throw new Error(`scheduling refused: ${scheduled.code}`);
    let sent: { to: string; time: string }[] = [];
    while (Date.now() < deadline) {
      sent = await simJson<{ to: string; time: string }[]>(sandbox.simUrl, "messages");
      if (sent.length >= RECIPIENTS) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const times = sent.map((m) => Date.parse(m.time)).sort((a, b) => a - b);
    const seconds = (times.at(-1)! - times[0]!) / 1000;
    const share = ((sent.length - 1) / seconds / CAP) * 100;
    const { rateLimited } = await simJson<{ rateLimited: number }>(sandbox.simUrl, "state");
    const unique = new Set(sent.map((m) => m.to)).size;
    console.log(
      `campaign send rate: ${share.toFixed(0)}% of cap, throttled: ${rateLimited} (${unique}/${RECIPIENTS} recipients, ${sent.length - unique} duplicates, ${seconds.toFixed(1)} s at a cap of ${CAP} msg/s)`,
    );
    return unique === RECIPIENTS && sent.length === RECIPIENTS && rateLimited === 0;
  } finally {
    await sandbox.stop();
  }
}
