// Coexistence chat history (Meta's `history` field): imported messages join
// the contact's order thread, marked as earlier chat, with their media filled
// in by Meta's later media webhooks (either shape), never counted unread and
// never opening the customer service window. Payloads follow the history
// webhook reference, sent signed by the simulator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSandbox, type Sandbox } from "../sandbox/harness";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, deliverShopifyWebhook, simJson } from "./helpers/http";
import { orderPayload } from "./helpers/shopify-payloads";

interface ThreadJson {
  messages: { id: string; direction: string; source: string; type: string; text: string | null; status: string; content: { kind: string; media?: string | null; mediaId?: string | null } | null }[];
}

describe("Coexistence history in the threads", () => {
  let sandbox: Sandbox;
  const business = "15550100001";
  const hoursAgo = (hours: number) => String(Math.floor(Date.now() / 1000 - hours * 3600));

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 10 } });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const history = async (value: Record<string, unknown>) => {
    await simJson(sandbox.simUrl, "webhook", {
      method: "POST",
      body: { field: "history", wabaId: SEED.wabaId, value: { messaging_product: "whatsapp", metadata: { display_phone_number: business, phone_number_id: SEED.cloudPhoneNumberId }, ...value } },
    });
    await sandbox.settled();
  };
  const chunk = (phone: string, messages: Record<string, unknown>[]) => ({ history: [{ metadata: { phase: 0, chunk_order: 1, progress: 60 }, threads: [{ id: phone, messages }] }] });
  const placeOrder = async (phone: string) => {
    const order = orderPayload({ customer: { id: Number(phone.slice(-6)), first_name: "Lia", phone: `+${phone}` }, shipping_address: { first_name: "Lia", phone: `+${phone}`, country_code: "BR" } });
    await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(order) });
    await expect.poll(() => sandbox.db.message.count({ where: { idempotencyKey: `ORDER_CREATED:${order.id}`, wamid: { not: null } } }), { timeout: 15_000 }).toBe(1);
    return order;
  };
  const threadJson = async (orderId: number) =>
    (await (
      await fetch(`${sandbox.appUrl}/api/orders/${orderId}/thread`, {
        headers: { authorization: `Bearer ${sandbox.sessionToken()}`, origin: "https://extensions.shopifycdn.com", "user-agent": BROWSER_UA },
      })
    ).json()) as ThreadJson;
  const page = async (path: string) => (await fetch(sandbox.adminUrl(path, { locale: "en" }), { headers: { "user-agent": BROWSER_UA } })).text();
  const list = async (filter: string) => (await fetch(`${sandbox.adminUrl("/app/conversations", { locale: "en" })}&filter=${filter}`, { headers: { "user-agent": BROWSER_UA } })).text();

  it("imported messages show in the contact's order thread as earlier chat, with media, never unread, window closed", async () => {
    const phone = "5511977770001";
    const order = await placeOrder(phone);
    await page(`/app/orders/${order.id}`);
    const photo = await simJson<{ id: string }>(sandbox.simUrl, "media", { method: "POST", body: { mimeType: "image/jpeg", base64: Buffer.from("old photo bytes").toString("base64") } });

    await history(
      chunk(phone, [
        { from: business, to: phone, id: "wamid.hist.a1", timestamp: hoursAgo(5), type: "text", text: { body: "Oi Lia, seu pedido saiu" }, history_context: { status: "READ" } },
        { from: phone, id: "wamid.hist.a2", timestamp: hoursAgo(4), type: "text", text: { body: "Obrigada! Chegou amassado" }, history_context: { status: "READ" } },
        { from: phone, id: "wamid.hist.a3", timestamp: hoursAgo(3), type: "media_placeholder", history_context: { status: "READ" } },
        { from: business, to: phone, id: "wamid.hist.a4", timestamp: hoursAgo(2), type: "media_placeholder", history_context: { status: "PLAYED" } },
        { from: phone, id: "wamid.hist.a5", timestamp: hoursAgo(1), type: "location", location: { latitude: -22.9, longitude: -43.2, name: "Casa da Lia" } },
      ]),
    );
    let thread = await threadJson(order.id);
    const imported = thread.messages.filter((m) => m.source === "HISTORY");
    expect(imported.map((m) => [m.direction, m.status, m.text])).toEqual([
      ["OUT", "READ", "Oi Lia, seu pedido saiu"],
      ["IN", "RECEIVED", "Obrigada! Chegou amassado"],
      ["IN", "RECEIVED", null],
      ["OUT", "READ", null],
      ["IN", "RECEIVED", null],
    ]);
    expect(imported[2]!.content).toMatchObject({ kind: "media", media: null });

    // Meta's later media webhooks: a top-level messages array (the history reference's media shape), or the same
    // message again inside a thread; both fill the placeholder in, and a replay of the text changes nothing.
    await history({ messages: [{ from: phone, id: "wamid.hist.a3", timestamp: hoursAgo(3), type: "image", image: { id: photo.id, mime_type: "image/jpeg", sha256: "h", caption: "Olha a caixa" } }] });
    await history(
      chunk(phone, [
        {
          from: business,
          to: phone,
          id: "wamid.hist.a4",
          timestamp: hoursAgo(2),
          type: "audio",
          audio: { id: "320000000000001", mime_type: "audio/ogg", voice: true },
          history_context: { status: "PLAYED" },
        },
        { from: phone, id: "wamid.hist.a2", timestamp: hoursAgo(4), type: "text", text: { body: "replayed" }, history_context: { status: "READ" } },
      ]),
    );
    thread = await threadJson(order.id);
    const byWamid = Object.fromEntries((await sandbox.db.message.findMany({ where: { wamid: { startsWith: "wamid.hist.a" } } })).map((m) => [m.wamid, m]));
    expect(byWamid["wamid.hist.a3"]).toMatchObject({ type: "image", body: "Olha a caixa", orderId: expect.any(String) });
    expect(thread.messages.find((m) => m.id === byWamid["wamid.hist.a3"]!.id)?.content).toMatchObject({ kind: "media", media: "image", mediaId: photo.id });
    expect(thread.messages.find((m) => m.id === byWamid["wamid.hist.a4"]!.id)?.content).toMatchObject({ kind: "media", media: "audio" });
    expect(byWamid["wamid.hist.a2"]!.body).toBe("Obrigada! Chegou amassado");
    const media = await fetch(`${sandbox.appUrl}/app/media/${byWamid["wamid.hist.a3"]!.id}`, { headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "user-agent": BROWSER_UA } });
    expect(await media.text()).toBe("old photo bytes");

    const contact = await sandbox.db.contact.findFirstOrThrow({ where: { phoneE164: `+${phone}` } });
    expect(contact.lastInboundAt).toBeNull();
    const threadPage = await page(`/app/orders/${order.id}`);
    expect(threadPage).toMatch(/Earlier chat[\s\S]*?Oi Lia, seu pedido saiu[\s\S]*?Earlier chat[\s\S]*?Obrigada! Chegou amassado[\s\S]*?Olha a caixa[\s\S]*?Voice message[\s\S]*?Casa da Lia/);
    expect(threadPage).toContain("The customer has not written in the last 24 hours");
    expect(await list("all")).toContain(order.name);
    expect(await list("unread")).not.toContain(order.name);
    expect(await list("needs-reply")).not.toContain(order.name);
  });

  it("history imported before the contact's first order shows in that order's thread once it arrives", async () => {
    const phone = "5511977770002";
    await history(chunk(phone, [{ from: phone, id: "wamid.hist.b1", timestamp: hoursAgo(30), type: "text", text: { body: "Vocês têm o tamanho G?" }, history_context: { status: "READ" } }]));
    const order = await placeOrder(phone);
    const thread = await threadJson(order.id);
    expect(thread.messages.filter((m) => m.source === "HISTORY").map((m) => m.text)).toEqual(["Vocês têm o tamanho G?"]);
    expect(await list("unread")).not.toContain(order.name);
  });
});
