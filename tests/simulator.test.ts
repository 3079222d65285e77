import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { WhatsAppClient } from "../app/whatsapp/client.server";
import { startSimulator, type Simulator } from "../sandbox/simulator/server";
import { SEED } from "../sandbox/simulator/state";
import { simJson } from "./helpers/http";

// The simulator run alone, driven through the app's own Cloud API client.
describe("WhatsApp Cloud API simulator", () => {
  let sim: Simulator;
  let client: WhatsAppClient;
  const phone = SEED.cloudPhoneNumberId;

  beforeAll(async () => {
    sim = await startSimulator({ appId: "100000000000001", appSecret: "secret", settings: { templateReviewMs: 0, statusDelayMs: 5 } });
    client = new WhatsAppClient({ baseUrl: sim.url, version: "v25.0", accessToken: SEED.accessToken });
    expect((await client.registerNumber(phone, "123456")).ok).toBe(true);
    const created = await client.createTemplate(SEED.wabaId, {
      name: "order_confirmation",
      language: "en_US",
      category: "UTILITY",
      components: [{ type: "BODY", text: "Hi {{1}}, order {{2}} is confirmed." }],
    });
    expect(created).toMatchObject({ ok: true, value: { status: "PENDING" } });
    await new Promise((resolve) => setTimeout(resolve, 20));
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(async () => {
    await simJson(sim.url, "messages", { method: "DELETE" });
    Object.assign(sim.settings, { ratePerSecond: 80, reengagementError: "sync" });
  });

  const template = (params: string[], name = "order_confirmation", language = "en_US") =>
    client.sendMessage(phone, {
      type: "template",
      to: "+5511987654321",
      template: { name, language: { code: language }, components: [{ type: "body", parameters: params.map((text) => ({ type: "text" as const, text })) }] },
    });

  it("approves templates after review and lists them", async () => {
    const listed = await client.listTemplates(SEED.wabaId);
    expect(listed).toMatchObject({ ok: true, value: [{ name: "order_confirmation", status: "APPROVED", category: "UTILITY" }] });
  });

  it("answers a valid template send with a wamid and records it", async () => {
    const result = await template(["Ana", "#1001"]);
    expect(result).toMatchObject({ ok: true, value: { messages: [{ id: expect.stringMatching(/^wamid\./), message_status: "accepted" }], contacts: [{ wa_id: "5511987654321" }] } });
    const messages = await simJson<{ to: string; template: { name: string; parameters: string[] } }[]>(sim.url, "messages");
    expect(messages).toMatchObject([{ to: "5511987654321", template: { name: "order_confirmation", parameters: ["Ana", "#1001"] } }]);
  });

  it("refuses a parameter count mismatch (132000), an unknown language (132001) and a bad token (190) like Meta", async () => {
    expect(await template(["Ana"])).toMatchObject({ ok: false, error: { code: 132000, retryable: false } });
    expect(await template(["Ana", "#1"], "order_confirmation", "es")).toMatchObject({ ok: false, error: { code: 132001 } });
    const stranger = client.withToken("not-a-token");
    expect(await stranger.sendMessage(phone, { type: "text", to: "+5511987654321", text: { body: "hi" } })).toMatchObject({ ok: false, error: { code: 190, httpStatus: 401 } });
  });

  it("refuses free text outside the 24 h window (131047) and accepts it once the customer writes", async () => {
    const text = () => client.sendMessage(phone, { type: "text", to: "+5511987654321", text: { body: "Your order is ready" } });
    expect(await text()).toMatchObject({ ok: false, error: { code: 131047, retryable: false } });
    await simJson(sim.url, "inbound", { method: "POST", body: { from: "+5511987654321", text: "Hola", phoneNumberId: phone } });
    expect(await text()).toMatchObject({ ok: true });
  });

  it("answers 130429 when the per-number rate is exceeded", async () => {
    await simJson(sim.url, "settings", { method: "PATCH", body: { ratePerSecond: 3 } });
    const results = await Promise.all(Array.from({ length: 6 }, () => template(["Ana", "#1"])));
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.error.code === 130429 && r.error.retryable)).toBe(true);
  });

  it("counts the messages a number receives against its rate with its sends, as Meta does", async () => {
    await simJson(sim.url, "settings", { method: "PATCH", body: { ratePerSecond: 3 } });
    for (const text of ["Oi", "Chegou?"]) await simJson(sim.url, "inbound", { method: "POST", body: { from: "+5511987654321", text, phoneNumberId: phone } });
    const results = await Promise.all(Array.from({ length: 3 }, () => template(["Ana", "#1"])));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.error.code === 130429)).toBe(true);
  });

  it("fails the next send with a requested code", async () => {
    await simJson(sim.url, "fail-next", { method: "POST", body: { code: 131026 } });
    expect(await template(["Ana", "#1"])).toMatchObject({ ok: false, error: { code: 131026 } });
    expect(await template(["Ana", "#1"])).toMatchObject({ ok: true });
  });

  it("exchanges a signup code once, within 30 s, for a token scoped to the WABA", async () => {
    const { code } = await simJson<{ code: string }>(sim.url, "signup-codes", { method: "POST", body: {} });
    const anonymous = new WhatsAppClient({ baseUrl: sim.url, version: "v25.0" });
    const exchanged = await anonymous.exchangeCode({ appId: "100000000000001", appSecret: "secret", code });
    if (!exchanged.ok) throw new Error(exchanged.error.message);
    expect((await anonymous.withToken(exchanged.value.access_token).listPhoneNumbers(SEED.wabaId)).ok).toBe(true);
    expect(await anonymous.exchangeCode({ appId: "100000000000001", appSecret: "secret", code })).toMatchObject({ ok: false, error: { code: 100 } });
    expect(await anonymous.exchangeCode({ appId: "100000000000001", appSecret: "wrong", code })).toMatchObject({ ok: false });
  });

  it("lets Coexistence syncs run once each and refuses /register on a Coexistence number", async () => {
    const coex = SEED.coexistencePhoneNumberId;
    expect(await client.requestSync(coex, "smb_app_state_sync")).toMatchObject({ ok: true, value: { request_id: expect.any(String) } });
    expect(await client.requestSync(coex, "history")).toMatchObject({ ok: true });
    expect(await client.requestSync(coex, "history")).toMatchObject({ ok: false, error: { code: 2593107 } });
    expect(await client.registerNumber(coex, "123456")).toMatchObject({ ok: false, error: { code: 100 } });
  });

  it("reports delivered volume and cost in pricing_analytics", async () => {
    await template(["Ana", "#1"]);
    await sim.webhooks.idle();
    await new Promise((resolve) => setTimeout(resolve, 30));
    const now = Math.floor(Date.now() / 1000);
    const response = await fetch(
      `${sim.url}/v25.0/${SEED.wabaId}?fields=pricing_analytics.start(${now - 3600}).end(${now + 60}).granularity(DAILY).dimensions(PRICING_CATEGORY,PRICING_TYPE,COUNTRY)`,
      {
        headers: { authorization: `Bearer ${SEED.accessToken}` },
      },
    );
    const body = (await response.json()) as { pricing_analytics: { data: { data_points: Record<string, unknown>[] }[] } };
    expect(body.pricing_analytics.data[0]!.data_points).toEqual([expect.objectContaining({ country: "BR", pricing_category: "UTILITY", pricing_type: "REGULAR", volume: 1, cost: 0.0068 })]);
  });
});
