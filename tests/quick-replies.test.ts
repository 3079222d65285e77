// The inbox settings page over real HTTP: the inbox rules' settings saved and
// read back, each bad field named with nothing saved; quick replies added,
// edited and deleted, out of another shop's reach; and both thread pages
// offering them filled in for the conversation, the customer's language first.
import { decode } from "turbo-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { installShop } from "../sandbox/seed";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, simJson } from "./helpers/http";

type Errors = Record<string, string>;
type Result = { ok: boolean; notFound?: boolean; errors?: Errors };
type Offered = { id: string; title: string; locale: string; text: string };

describe("inbox settings and quick replies", () => {
  let sandbox: Sandbox;
  let shopId: string;
  const otherShop = "other-quick.myshopify.com";

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 5 } });
    shopId = (await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } })).id;
    await installShop(sandbox.db, sandbox.config, otherShop);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  // Remix single-fetch data requests: what the page's action answers and its loader gives.
  const decoded = async <T>(response: Response): Promise<T> => {
    const stream = await decode(response.body!);
    await stream.done;
    return stream.value as T;
  };
  const headers = (shop?: string) => ({ authorization: `Bearer ${sandbox.sessionToken(shop)}`, "user-agent": BROWSER_UA });
  const act = async (fields: Record<string, string>, shop?: string) => {
    const response = await fetch(`${sandbox.appUrl}/app/inbox-settings.data?locale=en`, { method: "POST", headers: headers(shop), body: new URLSearchParams(fields) });
    return { status: response.status, result: (await decoded<{ data: Result }>(response)).data };
  };
  const loaderData = async <T>(path: string, route: string, query: Record<string, string> = {}, shop?: string) => {
    const response = await fetch(`${sandbox.appUrl}${path}.data?${new URLSearchParams({ locale: "en", ...query, _routes: route })}`, { headers: headers(shop) });
    return { status: response.status, data: (await decoded<Record<string, { data: T }>>(response))[route]!.data };
  };
  const settingsPage = (query: Record<string, string> = {}, shop?: string) =>
    loaderData<{ settings: Record<string, unknown>; quickReplies: { id: string; title: string }[]; editing: { title: string; body: string } | null; editNotFound: boolean }>(
      "/app/inbox-settings",
      "routes/app.inbox-settings",
      query,
      shop,
    );

  const weekdays = [{ open: "09:00", close: "18:00" }];
  const valid = {
    intent: "settings",
    businessHours: JSON.stringify([
      [],
      weekdays,
      weekdays,
      weekdays,
      weekdays,
      weekdays,
      [
        { open: "09:00", close: "13:00" },
        { open: "14:00", close: "17:30" },
      ],
    ]),
    awayMessageEnabled: "on",
    firstResponseTargetMinutes: "30",
    phoneAppHoldHours: "48",
    vipCustomerTag: "  VIP Ouro ",
    vipSpendMicros: "1.500,50",
    orderStatusAnswers: "off",
  };
  const settingsColumns = async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { id: shopId } });
    const { businessHours, awayMessageEnabled, firstResponseTargetMinutes, phoneAppHoldHours, vipCustomerTag, vipSpendMicros, orderStatusAnswers } = shop;
    return { businessHours, awayMessageEnabled, firstResponseTargetMinutes, phoneAppHoldHours, vipCustomerTag, vipSpendMicros, orderStatusAnswers };
  };

  it("saves the settings and reads them back, the spend typed with either decimal separator", async () => {
    expect(await act(valid)).toEqual({ status: 200, result: { ok: true } });
    expect(await settingsColumns()).toEqual({
      businessHours: JSON.parse(valid.businessHours),
      awayMessageEnabled: true,
      firstResponseTargetMinutes: 30,
      phoneAppHoldHours: 48,
      vipCustomerTag: "VIP Ouro",
      vipSpendMicros: 1_500_500_000n,
      orderStatusAnswers: false,
    });
    const { data } = await settingsPage();
    expect(data.settings).toMatchObject({
      businessHours: JSON.parse(valid.businessHours),
      awayMessageEnabled: true,
      firstResponseTargetMinutes: 30,
      phoneAppHoldHours: 48,
      vipCustomerTag: "VIP Ouro",
      vipSpend: "1500.50",
      orderStatusAnswers: false,
      timezone: "America/Sao_Paulo",
      currency: "BRL",
    });
    const html = await (await fetch(sandbox.adminUrl("/app/inbox-settings", { locale: "pt-BR" }), { headers: { "user-agent": BROWSER_UA } })).text();
    expect(html).toContain("Horários no fuso da loja (America/Sao_Paulo)");
    expect(html).toContain("Segunda-feira");

    for (const [typed, micros] of [
      ["1,500.50", 1_500_500_000n],
      ["1500,5", 1_500_500_000n],
      ["12.000", 12_000_000_000n],
      ["2 000,25", 2_000_250_000n],
      ["1234.125", 1_234_125_000n],
      ["0", 0n],
      ["", null],
    ] as const) {
      expect(await act({ ...valid, vipSpendMicros: typed })).toEqual({ status: 200, result: { ok: true } });
      expect((await settingsColumns()).vipSpendMicros).toBe(micros);
    }
    // No day open: no hours (always open), and an empty tag is none.
    expect(await act({ ...valid, businessHours: JSON.stringify([[], [], [], [], [], [], []]), vipCustomerTag: "  " })).toEqual({ status: 200, result: { ok: true } });
    expect(await settingsColumns()).toMatchObject({ businessHours: null, vipCustomerTag: null });
    await act(valid);
  });

  it("names each invalid field and saves nothing", async () => {
    const before = await settingsColumns();
    const monday = (ranges: unknown) => JSON.stringify([[], ranges, [], [], [], [], []]);
    const invalid: [string, string, RegExp][] = [
      ["businessHours", monday([{ open: "18:00", close: "09:00" }]), /^Monday:/],
      [
        "businessHours",
        monday([
          { open: "09:00", close: "13:00" },
          { open: "12:00", close: "18:00" },
        ]),
        /^Monday:/,
      ],
      ["businessHours", monday([{ open: "9am", close: "18:00" }]), /^Monday:/],
      ["businessHours", JSON.stringify([[], []]), /check each day/],
      ["businessHours", "not json", /check each day/],
      ["awayMessageEnabled", "maybe", /away reply/],
      ["firstResponseTargetMinutes", "0", /1 to 1440/],
      ["firstResponseTargetMinutes", "1441", /1 to 1440/],
      ["firstResponseTargetMinutes", "7.5", /1 to 1440/],
      ["firstResponseTargetMinutes", "", /1 to 1440/],
      ["firstResponseTargetMinutes", "1e2", /1 to 1440/],
      ["firstResponseTargetMinutes", "0x10", /1 to 1440/],
      ["phoneAppHoldHours", "-1", /0 to 168/],
      ["phoneAppHoldHours", "169", /0 to 168/],
      ["phoneAppHoldHours", "", /0 to 168/],
      ["phoneAppHoldHours", "1e2", /0 to 168/],
      ["phoneAppHoldHours", "0x10", /0 to 168/],
      ["vipCustomerTag", "vip, gold", /without commas/],
      ["vipCustomerTag", "x".repeat(256), /255/],
      ["vipSpendMicros", "-100", /zero or more/],
      ["vipSpendMicros", "R$ 100", /zero or more/],
      ["vipSpendMicros", "1.2.3,4,5", /zero or more/],
      ["vipSpendMicros", "10,1234567", /zero or more/],
      ["orderStatusAnswers", "yes", /order-status/],
    ];
    // Each with every other field changed and valid: nothing of it may be saved either.
    const changed = { ...valid, awayMessageEnabled: "off", firstResponseTargetMinutes: "60", phoneAppHoldHours: "12", vipCustomerTag: "Outro", vipSpendMicros: "99", orderStatusAnswers: "on" };
    for (const [field, value, message] of invalid) {
      const { status, result } = await act({ ...changed, [field]: value });
      expect({ field, value, status, ok: result.ok, fields: Object.keys(result.errors ?? {}) }).toEqual({ field, value, status: 400, ok: false, fields: [field] });
      expect(result.errors![field]).toMatch(message);
    }
    expect(await settingsColumns()).toEqual(before);
  });

  it("adds, edits and deletes quick replies, refusing bad fields and unknown variables", async () => {
    const add = { intent: "quick-reply-save", id: "", title: "Shipping", body: "Hi {customer_name}, order {order_number} ships today: {tracking_link}", locale: "en" };
    expect(await act(add)).toEqual({ status: 200, result: { ok: true } });
    const created = await sandbox.db.quickReply.findFirstOrThrow({ where: { shopId, title: "Shipping" } });
    expect(created).toMatchObject({ body: add.body, locale: "en" });
    expect((await settingsPage()).data.quickReplies.map((q) => q.title)).toContain("Shipping");
    expect((await settingsPage({ edit: created.id })).data).toMatchObject({ editing: { title: "Shipping", body: add.body }, editNotFound: false });

    const bad: [Record<string, string>, string, RegExp][] = [
      [{ title: "" }, "title", /60 characters/],
      [{ title: "t".repeat(61) }, "title", /60 characters/],
      [{ body: "b".repeat(1025) }, "body", /1024 characters/],
      [{ body: "Hola {first_name}" }, "body", /Unknown variable \{first_name\}/],
      [{ body: "Hola {customer_name} {}" }, "body", /Unknown variable \{\}/],
      [{ locale: "fr" }, "locale", /English, Spanish or Portuguese/],
    ];
    for (const [fields, field, message] of bad) {
      for (const id of ["", created.id]) {
        const { status, result } = await act({ ...add, id, ...fields });
        expect({ fields, status, named: Object.keys(result.errors ?? {}) }).toEqual({ fields, status: 400, named: [field] });
        expect(result.errors![field]).toMatch(message);
      }
    }
    expect(await sandbox.db.quickReply.findMany({ where: { shopId } })).toEqual([created]);

    expect(await act({ ...add, id: created.id, title: "Envío", body: "Hola {customer_name}, tu pedido {order_number}", locale: "es" })).toEqual({ status: 200, result: { ok: true } });
    expect(await sandbox.db.quickReply.findUniqueOrThrow({ where: { id: created.id } })).toMatchObject({ title: "Envío", body: "Hola {customer_name}, tu pedido {order_number}", locale: "es" });
    expect(await act({ intent: "quick-reply-delete", id: created.id })).toEqual({ status: 200, result: { ok: true } });
    expect(await sandbox.db.quickReply.count({ where: { shopId } })).toBe(0);
  });

  it("refuses an unknown or missing intent, saving nothing", async () => {
    const before = await settingsColumns();
    const { intent: _settings, ...fields } = { ...valid, id: "", title: "Stray", body: "Hello", locale: "en" };
    for (const form of [{ ...fields, intent: "quick-reply-sav" }, { ...fields, intent: "" }, fields]) {
      expect(await act(form)).toEqual({ status: 400, result: { ok: false, errors: { intent: "Unknown form action: reload the page and try again." } } });
    }
    expect(await sandbox.db.quickReply.count({ where: { shopId } })).toBe(0);
    expect(await settingsColumns()).toEqual(before);
  });

  it("another shop cannot read, edit or delete a quick reply by its id", async () => {
    const mine = await sandbox.db.quickReply.create({ data: { shopId, title: "Troca", body: "Olá {customer_name}, a troca é grátis.", locale: "pt-BR" } });
    const read = await settingsPage({ edit: mine.id }, otherShop);
    expect(read.status).toBe(404);
    expect(read.data).toMatchObject({ editing: null, editNotFound: true, quickReplies: [] });
    const edit = await act({ intent: "quick-reply-save", id: mine.id, title: "Hacked", body: "x", locale: "en" }, otherShop);
    expect(edit).toEqual({ status: 404, result: { ok: false, notFound: true, errors: { quickReply: "This quick reply does not exist in this store." } } });
    const remove = await act({ intent: "quick-reply-delete", id: mine.id }, otherShop);
    expect(remove.status).toBe(404);
    expect(await sandbox.db.quickReply.findUniqueOrThrow({ where: { id: mine.id } })).toEqual(mine);
    expect(await sandbox.db.quickReply.count({ where: { shop: { domain: otherShop } } })).toBe(0);
    await sandbox.db.quickReply.delete({ where: { id: mine.id } });
  });

  it("thread pages offer the quick replies filled in for the conversation, the customer's language first", async () => {
    for (const [title, body, locale] of [
      ["Shipping", "Hi {customer_name}, order {order_number}: {tracking_link}", "en"],
      ["Rastreio", "Olá {customer_name}, pedido {order_number}: {tracking_link}", "pt-BR"],
      ["Seguimiento", "Hola {customer_name}, pedido {order_number}: {tracking_link}", "es"],
    ]) {
      expect((await act({ intent: "quick-reply-save", id: "", title: title!, body: body!, locale: locale! })).status).toBe(200);
    }
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: "+5491155553001", name: "Lucía Gómez", text: "¿Dónde está mi pedido?", phoneNumberId: SEED.cloudPhoneNumberId } });
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: "+5511955553002", name: "Ana Lima", text: "Oi, tudo bem?", phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
    const lucia = await sandbox.db.contact.findFirstOrThrow({ where: { shopId, waId: "5491155553001" } });
    const ana = await sandbox.db.contact.findFirstOrThrow({ where: { shopId, waId: "5511955553002" } });
    const order = (shopifyOrderId: string, name: string, trackingUrl: string, day: number) =>
      sandbox.db.order.create({ data: { shopId, shopifyOrderId, name, contactId: lucia.id, customerName: "Lucía Gómez", locale: "es-AR", trackingUrl, createdAt: new Date(Date.UTC(2026, 10, day)) } });
    await order("93001", "#3001", "https://track.example/older", 10);
    await order("93002", "#3002", "https://track.example/latest", 12);

    const conversation = async (contactId: string) =>
      (await loaderData<{ quickReplies: Offered[]; page: { window: { open: boolean } } }>(`/app/conversations/${contactId}`, "routes/app.conversations.$contactId")).data;
    const ofLucia = await conversation(lucia.id);
    expect(ofLucia.page.window.open).toBe(true);
    expect(ofLucia.quickReplies.map((q) => [q.locale, q.text])).toEqual([
      ["es", "Hola Lucía Gómez, pedido #3002: https://track.example/latest"],
      ["en", "Hi Lucía Gómez, order #3002: https://track.example/latest"],
      ["pt-BR", "Olá Lucía Gómez, pedido #3002: https://track.example/latest"],
    ]);
    // The picker names each reply's language in the merchant's.
    const html = await (await fetch(sandbox.adminUrl(`/app/conversations/${lucia.id}`, { locale: "es" }), { headers: { "user-agent": BROWSER_UA } })).text();
    for (const label of ["Seguimiento · Español", "Shipping · Inglés", "Rastreio · Portugués (Brasil)"]) expect(html).toContain(label);
    // The order page fills in its own order, not the customer's latest.
    const orderPage = await loaderData<{ quickReplies: Offered[] }>("/app/orders/93001", "routes/app.orders.$orderId");
    expect(orderPage.data.quickReplies[0]!.text).toBe("Hola Lucía Gómez, pedido #3001: https://track.example/older");
    // No order: the variables without a value are left empty; the shop's language (pt-BR) comes first.
    const ofAna = await conversation(ana.id);
    expect(ofAna.quickReplies.map((q) => q.text)).toEqual(["Olá Ana Lima, pedido : ", "Hi Ana Lima, order : ", "Hola Ana Lima, pedido : "]);
    // Another shop's staff get none of them.
    const foreign = await loaderData<{ quickReplies: Offered[]; page: null }>(`/app/conversations/${lucia.id}`, "routes/app.conversations.$contactId", {}, otherShop);
    expect(foreign.data).toMatchObject({ page: null, quickReplies: [] });
  });
});
