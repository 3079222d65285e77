// A campaign's message over HTTP: the template and its variables saved only
// when valid (a bad one names the field and changes nothing), a preview with a
// real recipient's values (an empty one shown as such), a test send to the
// merchant's number that goes once per request id and joins no customer's
// conversation; a template whose link ends in a variable carries the
// campaign's utm_campaign, in the preview, the test and every recipient's
// message; the schedule form read in the shop's clock, and pause, resume and
// cancel; another shop naming the campaign finds nothing.
import { decode } from "turbo-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { Prisma } from "../app/generated/prisma/client";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { installShop } from "../sandbox/seed";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, simJson } from "./helpers/http";

describe("a campaign's message: template, variables, preview and a test send", () => {
  let sandbox: Sandbox;
  let storeName: string;
  const otherShop = "other-message.myshopify.com";
  // Mexican customers subscribed to WhatsApp marketing; the last has no first name and a tag of its own.
  const customers = Array.from({ length: 30 }, (_, i) => ({
    id: 9_300_001 + i,
    firstName: i === 29 ? null : `Cliente ${i + 1}`,
    phone: `+52 55 ${String(1000 + i).padStart(4, "0")} ${String(2000 + i).padStart(4, "0")}`,
    countryCode: "MX",
    tags: i === 29 ? ["sin-nombre"] : [],
    whatsAppMarketingState: "SUBSCRIBED" as const,
  }));
  // Two Colombians, whose marketing rate the rate card has: a campaign to them costs something.
  const colombians = [1, 2].map((n) => ({
    id: 9_300_100 + n,
    firstName: `Colombiana ${n}`,
    phone: `+57 310 555 000${n}`,
    countryCode: "CO",
    tags: ["colombia"],
    whatsAppMarketingState: "SUBSCRIBED" as const,
  }));

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 5 } });
    await installShop(sandbox.db, sandbox.config, otherShop);
    // A Mexican store in Spanish, as Shopify tells the app.
    const facts = await fetch(`${sandbox.shopify.url}/_sim/shopify/shop`, { method: "POST", body: JSON.stringify({ shop: sandbox.shopDomain, facts: { countryCode: "MX", primaryLocale: "es" } }) });
    expect(facts.status).toBe(200);
    await sandbox.settled();
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    expect(shop).toMatchObject({ locale: "es", country: "MX" });
    storeName = shop.name ?? shop.domain;
    const seeded = await fetch(`${sandbox.shopify.url}/_sim/shopify/customers`, { method: "POST", body: JSON.stringify({ shop: sandbox.shopDomain, customers: [...customers, ...colombians] }) });
    expect(seeded.status).toBe(200);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const post = (path: string, fields: [string, string][], shop?: string) =>
    fetch(`${sandbox.appUrl}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { authorization: `Bearer ${sandbox.sessionToken(shop)}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
      body: new URLSearchParams(fields).toString(),
    });
  // Remix single-fetch data requests: what the page's action answers.
  const act = async (id: string, fields: [string, string][], shop?: string) => {
    const response = await post(`/app/campaigns/${id}.data`, fields, shop);
    if (response.status !== 200) return { status: response.status, body: null };
    const stream = await decode(response.body!);
    await stream.done;
    return { status: response.status, body: (stream.value as { data: Record<string, unknown> }).data };
  };
  const page = async (path: string, shop?: string) => {
    const response = await fetch(sandbox.adminUrl(path, { shop, locale: "en" }), { headers: { "user-agent": BROWSER_UA } });
    return { status: response.status, text: (await response.text()).replace(/<[^>]+>/g, " ").replace(/\s+/g, " ") };
  };
  const created = async (fields: Record<string, string>) => {
    const response = await post("/app/campaigns?index", Object.entries({ audience: "filters", templateName: "", ...fields }));
    expect(response.status).toBe(302);
    const id = /\/app\/campaigns\/([\w-]+)/.exec(response.headers.get("location") ?? "")![1]!;
    await expect.poll(async () => (await sandbox.db.campaign.findUniqueOrThrow({ where: { id } })).audienceStatus, { timeout: 30_000, interval: 200 }).toBe("READY");
    return id;
  };
  const saved = async (id: string) => sandbox.db.campaign.findUniqueOrThrow({ where: { id }, select: { templateName: true, variableMapping: true } });
  const mappingOf = (...fields: string[]): [string, string][] => fields.map((f) => ["mapping", f]);

  it("saves a marketing template and one known field per variable, only while a draft; a bad one names the field", async () => {
    const id = await created({ name: "Hot Sale", tag: "" });
    for (const [fields, field, code] of [
      [[["templateName", "abandoned_cart"], ...mappingOf("first_name")], "mapping", "count"],
      [[["templateName", "abandoned_cart"], ...mappingOf("first_name", "store_name", "email")], "mapping.3", "unknownField"],
      [[["templateName", "order_confirmation"], ...mappingOf("first_name", "store_name", "store_name")], "templateName", "notMarketing"],
      [[["templateName", ""]], "templateName", "invalid"],
    ] as [[string, string][], string, string][]) {
      expect(await act(id, [["intent", "message"], ...fields])).toEqual({ status: 200, body: { intent: "message", ok: false, field, code } });
    }
    expect(await saved(id)).toEqual({ templateName: null, variableMapping: null });

    const valid: [string, string][] = [["intent", "message"], ["templateName", "abandoned_cart"], ...mappingOf("first_name", "store_name", "store_name")];
    expect((await act(id, valid)).body).toEqual({ intent: "message", ok: true });
    expect(await saved(id)).toEqual({ templateName: "abandoned_cart", variableMapping: ["first_name", "store_name", "store_name"] });

    // Once scheduled, the message stays as it was.
    await sandbox.db.campaign.update({ where: { id }, data: { status: "SCHEDULED" } });
    const change: [string, string][] = [["intent", "message"], ["templateName", "abandoned_cart"], ...mappingOf("store_name", "store_name", "store_name")];
    expect((await act(id, change)).body).toEqual({ intent: "message", ok: false, field: "campaign", code: "notDraft" });
    expect((await saved(id)).variableMapping).toEqual(["first_name", "store_name", "store_name"]);
  });

  it("previews the message with a real recipient's values in their language, and an empty one as such", async () => {
    const id = await created({ name: "Preview", tag: "" });
    await act(id, [["intent", "message"], ["templateName", "abandoned_cart"], ...mappingOf("first_name", "store_name", "store_name")]);
    const { text } = await page(`/app/campaigns/${id}`);
    const name = /As ((?:Cliente|Colombiana) \d+) would receive it \(template in Spanish\)/.exec(text)?.[1];
    expect([...customers, ...colombians].map((c) => c.firstName)).toContain(name);
    expect(await sandbox.db.campaignRecipient.count({ where: { campaignId: id, firstName: name, excluded: null } })).toBe(1);
    expect(text).toContain(`Hola ${name} , dejaste ${storeName} en tu carrito. Termina tu compra aquí: ${storeName}`);

    const anonymous = await created({ name: "Sin nombre", tag: "sin-nombre" });
    await act(anonymous, [["intent", "message"], ["templateName", "abandoned_cart"], ...mappingOf("first_name", "store_name", "store_name")]);
    const shown = (await page(`/app/campaigns/${anonymous}`)).text;
    expect(shown).toContain("As the first recipient would receive it");
    expect(shown).toContain(`Hola {{1}} empty for this recipient , dejaste ${storeName}`);
    // Nothing to send the test with: the variable is named.
    expect(
      (
        await act(anonymous, [
          ["intent", "test"],
          ["phone", "+52 55 9999 0001"],
          ["requestId", "req-anonymous-1"],
        ])
      ).body,
    ).toEqual({ intent: "test", ok: false, field: "mapping.1", code: "emptyForRecipient" });
  });

  it("sends the merchant a test once per request id, with the preview's values, in no customer's conversation", async () => {
    const id = await created({ name: "Test send", tag: "" });
    await act(id, [["intent", "message"], ["templateName", "abandoned_cart"], ...mappingOf("first_name", "store_name", "store_name")]);
    const first = await sandbox.db.campaignRecipient.findFirstOrThrow({ where: { campaignId: id, excluded: null }, orderBy: { id: "asc" } });

    expect(
      (
        await act(id, [
          ["intent", "test"],
          ["phone", "12"],
          ["requestId", "req-test-bad-1"],
        ])
      ).body,
    ).toEqual({ intent: "test", ok: false, field: "phone", code: "invalid" });
    // The merchant types a Mexican national number: read in the shop's country. A double click posts the same request twice.
    const test: [string, string][] = [
      ["intent", "test"],
      ["phone", "55 9999 0001"],
      ["requestId", "req-test-0001"],
    ];
    const results = await Promise.all([act(id, test), act(id, test)]);
    for (const result of results) expect(result.body).toMatchObject({ intent: "test", ok: true });
    await sandbox.settled();

    const rows = await sandbox.db.message.findMany({ where: { idempotencyKey: "CAMPAIGN_TEST:req-test-0001" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ source: "STAFF", contactId: null, campaignId: null, recipientPhone: "+525599990001", templateName: "abandoned_cart", templateLanguage: "es", staffUserId: "1" });
    expect(rows[0]!.staffName).toBeTruthy();
    const sent = (await simJson<{ to: string; template?: { name: string; parameters: string[] } }[]>(sandbox.simUrl, "messages")).filter((m) => m.to.endsWith("5599990001"));
    expect(sent.map((m) => m.template)).toMatchObject([{ name: "abandoned_cart", parameters: [first.firstName, storeName, storeName] }]);
    expect(await sandbox.db.contact.count({ where: { phoneE164: "+525599990001" } })).toBe(0);

    // A new request id is a new test.
    expect(
      (
        await act(id, [
          ["intent", "test"],
          ["phone", "+52 55 9999 0001"],
          ["requestId", "req-test-0002"],
        ])
      ).body,
    ).toMatchObject({ ok: true });
    expect(await sandbox.db.message.count({ where: { idempotencyKey: { startsWith: "CAMPAIGN_TEST:" }, recipientPhone: "+525599990001" } })).toBe(2);
  });

  it("tags a template's link with the campaign's utm_campaign: in the preview, the test and each recipient's message", async () => {
    // The merchant's own marketing template in Meta, its button's link ending in a variable; the app syncs it once approved.
    const base = "https://demo-store.myshopify.com/collections/hot-sale";
    const submitted = await fetch(`${sandbox.simUrl}/v25.0/${SEED.wabaId}/message_templates`, {
      method: "POST",
      headers: { authorization: `Bearer ${SEED.accessToken}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "hot_sale",
        language: "es",
        category: "MARKETING",
        components: [
          { type: "BODY", text: "Hola {{1}}, llegó el Hot Sale de {{2}}.", example: { body_text: [["Ana", "Tienda"]] } },
          { type: "BUTTONS", buttons: [{ type: "URL", text: "Ver ofertas", url: `${base}{{1}}`, example: [`${base}?utm_source=whatsapp`] }] },
        ],
      }),
    });
    expect(submitted.status).toBe(200);
    const sync = () => post("/app/automations", [["intent", "sync"]]);
    await expect.poll(async () => (await sync(), await sandbox.db.template.findFirst({ where: { name: "hot_sale", status: "APPROVED" } })), { timeout: 30_000, interval: 500 }).toBeTruthy();

    const id = await created({ name: "Hot Sale 2026", tag: "colombia" });
    const message = (utm: string): [string, string][] => [["intent", "message"], ["templateName", "hot_sale"], ...mappingOf("first_name", "store_name"), ["utmCampaign", utm]];
    expect((await act(id, message("Hot Sale!"))).body).toEqual({ intent: "message", ok: false, field: "utmCampaign", code: "invalid" });
    expect((await saved(id)).templateName).toBeNull();
    // The page suggests one from the campaign's name, and previews the link with it.
    expect((await page(`/app/campaigns/${id}`)).text).toContain("hot-sale-2026");
    expect((await act(id, message(" Hot-Sale-2026 "))).body).toMatchObject({ ok: true });
    expect((await sandbox.db.campaign.findUniqueOrThrow({ where: { id } })).utmCampaign).toBe("hot-sale-2026");
    const link = `${base}?utm_source=whatsapp&utm_medium=campaign&utm_campaign=hot-sale-2026`;
    expect((await page(`/app/campaigns/${id}`)).text).toContain(link.replaceAll("&", "&amp;"));

    type Sent = { to: string; template?: { name: string; links: string[] } };
    const sentHotSale = async () => (await simJson<Sent[]>(sandbox.simUrl, "messages")).filter((m) => m.template?.name === "hot_sale");
    expect(
      (
        await act(id, [
          ["intent", "test"],
          ["phone", "55 9999 0077"],
          ["requestId", "req-utm-0001"],
        ])
      ).body,
    ).toMatchObject({ ok: true });
    expect((await sentHotSale()).map((m) => [m.to, m.template!.links])).toEqual([["525599990077", [link]]]);

    // No quiet hours on the shop's marketing: the test runs at any hour.
    await sandbox.db.automation.updateMany({ where: { shop: { domain: sandbox.shopDomain }, trigger: "CHECKOUT_ABANDONED" }, data: { quietHours: Prisma.DbNull } });
    expect(
      (
        await act(id, [
          ["intent", "schedule"],
          ["kind", "NOW"],
        ])
      ).body,
    ).toMatchObject({ ok: true });
    await expect.poll(async () => (await sandbox.db.campaign.findUniqueOrThrow({ where: { id } })).status, { timeout: 60_000, interval: 250 }).toBe("DONE");
    const toColombians = (await sentHotSale()).filter((m) => m.to.startsWith("57"));
    expect(toColombians.map((m) => m.to).sort()).toEqual(colombians.map((c) => c.phone.replace(/\D/g, "")).sort());
    expect(toColombians.every((m) => m.template!.links[0] === link)).toBe(true);
  });

  it("schedules at a date and time of the shop's clock, pauses, resumes and cancels from the page's forms", async () => {
    const id = await created({ name: "Programada", tag: "" });
    await act(id, [["intent", "message"], ["templateName", "abandoned_cart"], ...mappingOf("first_name", "store_name", "store_name")]);
    // Within the budget (the shop has none): no box to go over it.
    expect((await page(`/app/campaigns/${id}`)).text).not.toContain("over the budget");
    expect(
      (
        await act(id, [
          ["intent", "schedule"],
          ["kind", "AT"],
          ["date", ""],
          ["time", "10:30"],
        ])
      ).body,
    ).toEqual({ intent: "schedule", ok: false, field: "sendAt", code: "required" });
    expect(
      (
        await act(id, [
          ["intent", "schedule"],
          ["kind", "AT"],
          ["date", "2027-03-10"],
          ["time", "25:00"],
        ])
      ).body,
    ).toEqual({ intent: "schedule", ok: false, field: "localTime", code: "invalid" });
    expect((await sandbox.db.campaign.findUniqueOrThrow({ where: { id } })).status).toBe("DRAFT");

    expect(
      (
        await act(id, [
          ["intent", "schedule"],
          ["kind", "AT"],
          ["date", "2027-03-10"],
          ["time", "10:30"],
        ])
      ).body,
    ).toEqual({ intent: "schedule", ok: true });
    const { sendAt, status } = await sandbox.db.campaign.findUniqueOrThrow({ where: { id } });
    const { timezone } = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const wall = new Intl.DateTimeFormat("sv-SE", { timeZone: timezone, dateStyle: "short", timeStyle: "short" }).format(sendAt!);
    expect({ status, wall }).toEqual({ status: "SCHEDULED", wall: "2027-03-10 10:30" });

    for (const [intent, after] of [
      ["pause", "PAUSED"],
      ["resume", "SCHEDULED"],
      ["cancel", "CANCELLED"],
    ] as const) {
      expect((await act(id, [["intent", intent]])).body).toEqual({ intent, ok: true });
      expect((await sandbox.db.campaign.findUniqueOrThrow({ where: { id } })).status).toBe(after);
    }
    expect((await act(id, [["intent", "pause"]])).body).toEqual({ intent: "pause", ok: false, field: "status", code: "wrongStatus" });
  });

  it("goes over the month's budget only when the merchant ticks it", async () => {
    const id = await created({ name: "Colombia", tag: "colombia" });
    await act(id, [["intent", "message"], ["templateName", "abandoned_cart"], ...mappingOf("first_name", "store_name", "store_name")]);
    await sandbox.db.shop.update({ where: { domain: sandbox.shopDomain }, data: { monthlyBudgetMicros: 1n } });
    expect((await page(`/app/campaigns/${id}`)).text).toContain("Send it even though it takes the month over the budget");
    expect(
      (
        await act(id, [
          ["intent", "schedule"],
          ["kind", "NOW"],
        ])
      ).body,
    ).toEqual({ intent: "schedule", ok: false, field: "overBudgetApproved", code: "overBudget" });
    expect((await sandbox.db.campaign.findUniqueOrThrow({ where: { id } })).status).toBe("DRAFT");
    expect(
      (
        await act(id, [
          ["intent", "schedule"],
          ["kind", "NOW"],
          ["overBudgetApproved", "on"],
        ])
      ).body,
    ).toEqual({ intent: "schedule", ok: true });
    expect(await sandbox.db.campaign.findUniqueOrThrow({ where: { id }, select: { overBudgetApproved: true } })).toEqual({ overBudgetApproved: true });
    await sandbox.db.shop.update({ where: { domain: sandbox.shopDomain }, data: { monthlyBudgetMicros: null } });
  });

  it("another shop naming the campaign finds nothing, on the page and on every action", async () => {
    const id = await created({ name: "Ajena", tag: "" });
    expect((await page(`/app/campaigns/${id}`, otherShop)).status).toBe(404);
    for (const fields of [
      [["intent", "message"], ["templateName", "abandoned_cart"], ...mappingOf("first_name", "store_name", "store_name")],
      [
        ["intent", "test"],
        ["phone", "+52 55 9999 0003"],
        ["requestId", "req-other-0001"],
      ],
      [
        ["intent", "schedule"],
        ["kind", "NOW"],
      ],
      [["intent", "pause"]],
      [["intent", "resume"]],
      [["intent", "cancel"]],
    ] as [string, string][][]) {
      expect((await act(id, fields, otherShop)).status).toBe(404);
    }
    expect(await sandbox.db.campaign.findUniqueOrThrow({ where: { id }, select: { templateName: true, variableMapping: true, status: true } })).toEqual({
      templateName: null,
      variableMapping: null,
      status: "DRAFT",
    });
    expect(await sandbox.db.message.count({ where: { idempotencyKey: "CAMPAIGN_TEST:req-other-0001" } })).toBe(0);
  });
});
