// Sending a campaign: scheduling refuses with codes what cannot go; a campaign
// scheduled now reaches each of 600 consented customers exactly once, in their
// language, while an order confirmation placed meanwhile overtakes it; pause
// stops new sends and resume finishes; cancel leaves the rest CANCELLED; Meta's
// per-user marketing limit (131049) ends that recipient FAILED, not retried;
// a worker that stops mid-queue holding the claim is followed by another, and
// nobody gets two. Local times and quiet hours follow the phone's country.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { DEFAULT_QUIET_HOURS, dueAt } from "../app/campaigns/local-time";
import { queueDueCampaigns } from "../app/campaigns/queue.server";
import { cancelCampaign, campaignProgress, pauseCampaign, resumeCampaign, scheduleCampaign, type ScheduleInput } from "../app/campaigns/sending.server";
import { Prisma } from "../app/generated/prisma/client";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { installShop } from "../sandbox/seed";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, postShopifyWebhook, simJson } from "./helpers/http";
import { orderPayload } from "./helpers/shopify-payloads";

interface Seeded {
  id: number;
  firstName: string;
  phone: string;
  countryCode: string;
  tags: string[];
  whatsAppMarketingState: "SUBSCRIBED";
  /** The contact the app already knows for this phone, with the customer's language (none: a new contact). */
  locale?: string;
}

const COUNTRIES = ["BR", "MX", "CO", "AR"];
const LOCALES: Record<string, string> = { BR: "pt-BR", MX: "es-MX", CO: "es", AR: "en" };

/** E.164 mobile numbers, by country, numbered `n`. */
function phoneFor(country: string, n: number): string {
  const d = String(n).padStart(4, "0");
  if (country === "BR") return `+55119${d}${d}`;
  if (country === "MX") return `+5255${d}${d}`;
  if (country === "CO") return `+57310${d.slice(0, 3)}${d}`;
  return `+54911${d}${d}`;
}

/** `count` customers tagged `tag`; every other one already a contact of the app with a language. */
function customersTagged(tag: string, count: number, from: number): Seeded[] {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    const country = COUNTRIES[n % COUNTRIES.length]!;
    return {
      id: 9_300_000 + n,
      firstName: `Cliente ${n}`,
      phone: phoneFor(country, n),
      countryCode: country,
      tags: [tag],
      whatsAppMarketingState: "SUBSCRIBED",
      locale: n % 2 === 0 ? LOCALES[country] : undefined,
    };
  });
}

interface SimMessage {
  to: string;
  time: string;
  template?: { name: string; language: string; parameters: string[] };
}

describe("sending a campaign", () => {
  let sandbox: Sandbox;
  let shopId: string;
  let otherShopId: string;
  const staff = { id: "1", name: "Owner" };
  const groups = {
    all: customersTagged("all", 600, 1),
    pause: customersTagged("pause", 160, 1001),
    cancel: customersTagged("cancel", 160, 2001),
    limit: customersTagged("limit", 3, 3001),
    crash: customersTagged("crash", 520, 4001),
  };

  beforeAll(async () => {
    // 40 sends a second: the 600 take long enough for an order placed meanwhile to be seen overtaking them.
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl(), WHATSAPP_RATE_PER_SECOND: "40" }, simSettings: { statusDelayMs: 5 } });
    otherShopId = (await installShop(sandbox.db, sandbox.config, "other-sending.myshopify.com")).id;
    shopId = (await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } })).id;
    const customers = Object.values(groups).flat();
    const seeded = await fetch(`${sandbox.shopify.url}/_sim/shopify/customers`, {
      method: "POST",
      body: JSON.stringify({ shop: sandbox.shopDomain, customers: customers.map(({ locale: _, ...c }) => c) }),
    });
    expect(seeded.status).toBe(200);
    // Known contacts: a language, and no marketing consent with the app (Shopify's counts).
    await sandbox.db.contact.createMany({
      data: customers.filter((c) => c.locale).map((c) => ({ shopId, phoneE164: c.phone, countryCode: c.countryCode, locale: c.locale })),
    });
    // No quiet hours on the shop's marketing: the test runs at any hour.
    await sandbox.db.automation.updateMany({ where: { shopId, trigger: "CHECKOUT_ABANDONED" }, data: { quietHours: Prisma.DbNull } });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const created = async (tag: string, templateName = "abandoned_cart") => {
    const response = await fetch(`${sandbox.appUrl}/app/campaigns?index`, {
      method: "POST",
      redirect: "manual",
      headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
      body: new URLSearchParams({ name: `Campaign ${tag}`, audience: "filters", tag, templateName }).toString(),
    });
    expect(response.status).toBe(302);
    const id = /\/app\/campaigns\/([\w-]+)/.exec(response.headers.get("location") ?? "")![1]!;
    await expect.poll(async () => (await sandbox.db.campaign.findUniqueOrThrow({ where: { id } })).audienceStatus, { timeout: 60_000, interval: 250 }).toBe("READY");
    return id;
  };
  // The campaign page's form sets these; abandoned_cart has three body variables.
  const mapped = (id: string) => sandbox.db.campaign.update({ where: { id }, data: { variableMapping: ["first_name", "store_name", "store_name"] } });
  const now: ScheduleInput = { kind: "NOW", overBudgetApproved: false };
  const status = async (id: string) => (await sandbox.db.campaign.findUniqueOrThrow({ where: { id } })).status;
  const sent = () => simJson<SimMessage[]>(sandbox.simUrl, "messages");
  const to = (list: Seeded[]) => new Set(list.map((c) => c.phone.slice(1)));
  const sentTo = async (list: Seeded[]) => {
    const phones = to(list);
    return (await sent()).filter((m) => phones.has(m.to));
  };
  const languageOf = (c: Seeded, shopLocale: string) => {
    const tag = (c.locale ?? shopLocale).toLowerCase();
    return tag.startsWith("pt") ? "pt_BR" : tag.startsWith("es") ? "es" : "en_US";
  };

  it("schedules only a ready draft with an approved marketing template and a value for every variable, refusing with codes", async () => {
    const id = await created("limit");
    const refused = (input: ScheduleInput, field: string, code: string, shop = shopId) => expect(scheduleCampaign(sandbox.db, shop, id, staff, input)).resolves.toEqual({ ok: false, field, code });
    await refused(now, "variableMapping", "variableCount");
    await sandbox.db.campaign.update({ where: { id }, data: { variableMapping: ["first_name"] } });
    await refused(now, "variableMapping", "variableCount");
    await sandbox.db.campaign.update({ where: { id }, data: { variableMapping: ["first_name", "email", "store_name"] } });
    await refused(now, "variableMapping", "invalid");
    await mapped(id);
    await refused(now, "campaignId", "notFound", otherShopId);
    await refused({ kind: "AT", overBudgetApproved: false }, "sendAt", "required");
    await refused({ kind: "AT", sendAt: new Date(Date.now() - 60_000), overBudgetApproved: false }, "sendAt", "inPast");
    await refused({ kind: "LOCAL", sendAt: new Date(), overBudgetApproved: false }, "localTime", "required");
    await refused({ kind: "LOCAL", sendAt: new Date(), localTime: "25:00", overBudgetApproved: false }, "localTime", "invalid");
    await refused({ kind: "LOCAL", sendAt: new Date(Date.now() - 3 * 86_400_000), localTime: "10:00", overBudgetApproved: false }, "sendAt", "inPast");
    // Over the month's budget: refused unless the merchant approves going over.
    await sandbox.db.shop.update({ where: { id: shopId }, data: { monthlyBudgetMicros: 1n } });
    await refused(now, "overBudgetApproved", "overBudget");
    await sandbox.db.shop.update({ where: { id: shopId }, data: { monthlyBudgetMicros: null } });
    expect(await status(id)).toBe("DRAFT");
    expect(await sandbox.db.message.count({ where: { campaignId: id } })).toBe(0);

    const noTemplate = await created("limit", "");
    await expect(scheduleCampaign(sandbox.db, shopId, noTemplate, staff, now)).resolves.toEqual({ ok: false, field: "templateName", code: "templateNotApproved" });
    await sandbox.db.campaign.delete({ where: { id: noTemplate } });
    // Pause, resume and cancel need a campaign that is going; another shop's id is nobody's.
    await expect(pauseCampaign(sandbox.db, shopId, id)).resolves.toEqual({ ok: false, code: "wrongStatus" });
    await expect(cancelCampaign(sandbox.db, otherShopId, id)).resolves.toEqual({ ok: false, code: "notFound" });

    // Meta's per-user marketing limit on the first send: that recipient FAILED with the code, not retried.
    await simJson(sandbox.simUrl, "fail-next", { method: "POST", body: { code: 131049 } });
    await expect(scheduleCampaign(sandbox.db, shopId, id, staff, now)).resolves.toEqual({ ok: true });
    await expect(scheduleCampaign(sandbox.db, shopId, id, staff, now)).resolves.toEqual({ ok: false, field: "status", code: "notDraft" });
    const scheduled = await sandbox.db.campaign.findUniqueOrThrow({ where: { id } });
    expect(scheduled.estimate).toMatchObject({ currency: "USD", markets: expect.any(Array) });
    await expect.poll(() => status(id), { timeout: 60_000, interval: 250 }).toBe("DONE");
    const rows = await sandbox.db.message.findMany({ where: { campaignId: id } });
    expect(rows).toHaveLength(3);
    const failed = rows.filter((r) => r.status === "FAILED");
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ errorCode: 131049, attempts: 1, wamid: null });
    expect(await sentTo(groups.limit)).toHaveLength(2);
    expect(await campaignProgress(sandbox.db, id)).toMatchObject({ total: 3, failed: 1, queued: 0, scheduled: 0 });
  }, 120_000);

  it("sends 600 customers exactly one message each, in their language, with an order confirmation overtaking it", async () => {
    const id = await created("all");
    await mapped(id);
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { id: shopId } });
    await expect(scheduleCampaign(sandbox.db, shopId, id, staff, now)).resolves.toEqual({ ok: true });
    await expect.poll(async () => (await sentTo(groups.all)).length, { timeout: 60_000, interval: 100 }).toBeGreaterThan(40);
    const buyer = "+5511988887777";
    const order = orderPayload({ id: 7_700_001, name: "#C1", customer: { id: 8_700_001, first_name: "Ana", last_name: "Souza", phone: buyer, email: null, sms_marketing_consent: null } });
    const placed = await postShopifyWebhook(sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(order) });
    expect(placed.status).toBe(200);
    await expect.poll(() => status(id), { timeout: 120_000, interval: 250 }).toBe("DONE");

    const all = await sent();
    const campaign = all.filter((m) => to(groups.all).has(m.to));
    expect(campaign).toHaveLength(600);
    expect(new Set(campaign.map((m) => m.to)).size).toBe(600);
    const byPhone = new Map(campaign.map((m) => [m.to, m]));
    for (const c of groups.all) {
      expect(byPhone.get(c.phone.slice(1))!.template).toMatchObject({
        name: "abandoned_cart",
        language: languageOf(c, shop.locale),
        parameters: [c.firstName, shop.name ?? shop.domain, shop.name ?? shop.domain],
      });
    }
    // Utility first: placed after 40 of the campaign's messages, the confirmation overtook most of the rest
    // (behind them it would come after all 600: they were all due before it).
    const confirmation = all.findIndex((m) => m.to === buyer.slice(1));
    expect(confirmation).toBeGreaterThan(-1);
    expect(campaign.filter((m) => all.indexOf(m) > confirmation).length).toBeGreaterThan(200);
    const progress = await campaignProgress(sandbox.db, id);
    expect(progress).toMatchObject({ total: 600, queued: 0, scheduled: 0, failed: 0, cancelled: 0 });
    expect(progress.sent + progress.delivered + progress.read).toBe(600);
    const recipients = await sandbox.db.campaignRecipient.findMany({ where: { campaignId: id, excluded: null } });
    expect(recipients.every((r) => r.messageId && r.dueAt)).toBe(true);
    expect((await sandbox.db.campaign.findUniqueOrThrow({ where: { id } })).queued).toBe(600);
  }, 240_000);

  /** Waits until nothing of the campaign is being sent, and every send WhatsApp took is on its row. */
  const quiet = async (id: string) => {
    await expect.poll(() => sandbox.db.message.count({ where: { campaignId: id, status: "SENDING" } }), { timeout: 30_000, interval: 100 }).toBe(0);
    await sandbox.settled();
  };

  it("pause stops new sends, resume finishes them", async () => {
    const id = await created("pause");
    await mapped(id);
    await expect(scheduleCampaign(sandbox.db, shopId, id, staff, now)).resolves.toEqual({ ok: true });
    await expect.poll(async () => (await sentTo(groups.pause)).length, { timeout: 120_000, interval: 50 }).toBeGreaterThan(10);
    await expect(pauseCampaign(sandbox.db, shopId, id)).resolves.toEqual({ ok: true });
    await quiet(id);
    const atPause = (await sentTo(groups.pause)).length;
    const progress = await campaignProgress(sandbox.db, id);
    expect(atPause).toBeLessThan(160);
    expect(progress.scheduled + progress.queued).toBe(160 - atPause);
    // A pass of the dispatcher later, still nothing more.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect((await sentTo(groups.pause)).length).toBe(atPause);
    expect(await status(id)).toBe("PAUSED");

    await expect(resumeCampaign(sandbox.db, shopId, id)).resolves.toEqual({ ok: true });
    await expect.poll(() => status(id), { timeout: 60_000, interval: 250 }).toBe("DONE");
    const messages = await sentTo(groups.pause);
    expect(messages).toHaveLength(160);
    expect(new Set(messages.map((m) => m.to)).size).toBe(160);
  }, 180_000);

  it("cancel leaves what was sent and cancels the rest", async () => {
    const id = await created("cancel");
    await mapped(id);
    await expect(scheduleCampaign(sandbox.db, shopId, id, staff, now)).resolves.toEqual({ ok: true });
    await expect.poll(async () => (await sentTo(groups.cancel)).length, { timeout: 120_000, interval: 50 }).toBeGreaterThan(10);
    await expect(cancelCampaign(sandbox.db, shopId, id)).resolves.toEqual({ ok: true });
    await quiet(id);
    expect(await status(id)).toBe("CANCELLED");
    const delivered = (await sentTo(groups.cancel)).length;
    expect(delivered).toBeLessThan(160);
    const rows = await sandbox.db.message.findMany({ where: { campaignId: id }, select: { status: true, wamid: true } });
    expect(rows.filter((r) => r.wamid)).toHaveLength(delivered);
    expect(rows.filter((r) => !r.wamid).every((r) => r.status === "CANCELLED")).toBe(true);
    expect(await campaignProgress(sandbox.db, id)).toMatchObject({ cancelled: rows.filter((r) => !r.wamid).length, queued: 0, scheduled: 0 });
    await expect(resumeCampaign(sandbox.db, shopId, id)).resolves.toEqual({ ok: false, code: "wrongStatus" });
  }, 180_000);

  it("a worker that stops mid-queue holding the claim is followed by another; each recipient gets one message", async () => {
    const id = await created("crash");
    await mapped(id);
    // The stopped worker: its lease stops beating once it has written its first batch (as if killed there).
    const killed = await sandbox.db.workerLease.create({ data: { id: `killed-${id}`, heartbeatAt: new Date() } });
    let checks = 0;
    await expect(scheduleCampaign(sandbox.db, shopId, id, staff, now)).resolves.toEqual({ ok: true });
    // It races the app's own worker and a second one for the claim: whoever wins, nobody gets two.
    await Promise.all([
      queueDueCampaigns({ db: sandbox.db, leaseId: killed.id }, { stopping: () => ++checks > 2 }).then(() =>
        sandbox.db.workerLease.update({ where: { id: killed.id }, data: { heartbeatAt: new Date(Date.now() - 60_000) } }),
      ),
      queueDueCampaigns({ db: sandbox.db, leaseId: `other-${id}` }),
    ]);
    await expect.poll(() => status(id), { timeout: 120_000, interval: 250 }).toBe("DONE");
    const rows = await sandbox.db.message.findMany({ where: { campaignId: id }, select: { idempotencyKey: true, wamid: true } });
    expect(rows).toHaveLength(520);
    expect(new Set(rows.map((r) => r.idempotencyKey)).size).toBe(520);
    expect(rows.every((r) => r.wamid)).toBe(true);
    expect((await sandbox.db.campaign.findUniqueOrThrow({ where: { id } })).queued).toBe(520);
    const messages = await sentTo(groups.crash);
    expect(messages).toHaveLength(520);
    expect(new Set(messages.map((m) => m.to)).size).toBe(520);
  }, 180_000);
});

describe("when a campaign's message is due", () => {
  const local = { scheduleKind: "LOCAL", sendAt: new Date("2026-12-01T12:00:00Z"), localTime: "10:00" };
  const before = new Date("2026-11-30T00:00:00Z");

  it("at a local time: 10:00 in the main zone of the phone's country, else the shop's", () => {
    expect(dueAt(local, "2026-12-01", "BR", "UTC", null, before).toISOString()).toBe("2026-12-01T13:00:00.000Z");
    expect(dueAt(local, "2026-12-01", "MX", "UTC", null, before).toISOString()).toBe("2026-12-01T16:00:00.000Z");
    expect(dueAt(local, "2026-12-01", "ES", "UTC", null, before).toISOString()).toBe("2026-12-01T09:00:00.000Z");
    expect(dueAt(local, "2026-12-01", "JP", "America/Bogota", null, before).toISOString()).toBe("2026-12-01T15:00:00.000Z");
    // Already past for them: at once.
    const later = new Date("2026-12-01T14:00:00Z");
    expect(dueAt(local, "2026-12-01", "BR", "UTC", null, later)).toEqual(later);
  });

  it("out of the quiet hours in the recipient's zone", () => {
    const at = { scheduleKind: "AT", sendAt: new Date("2026-12-01T02:00:00Z"), localTime: null };
    // 23:00 in São Paulo: moved to 09:00 there; 20:00 in Mexico City: it goes.
    expect(dueAt(at, "2026-12-01", "BR", "UTC", DEFAULT_QUIET_HOURS, before).toISOString()).toBe("2026-12-01T12:00:00.000Z");
    expect(dueAt(at, "2026-12-01", "MX", "UTC", DEFAULT_QUIET_HOURS, before).toISOString()).toBe("2026-12-01T02:00:00.000Z");
    expect(dueAt(at, "2026-12-01", "BR", "UTC", null, before).toISOString()).toBe("2026-12-01T02:00:00.000Z");
  });
});
