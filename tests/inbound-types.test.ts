// Every kind of message a customer (or the merchant's phone app) sends shows
// something in the order's thread: media streamed through the app for the
// shop's own messages only, locations, contacts, catalog orders, taps and
// Flow answers, WhatsApp notices, and kinds the app does not know. Reactions,
// edits and revokes change the message they name. Payloads follow the shapes
// of Meta's messages webhook reference, sent signed by the simulator.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSandbox, type Sandbox } from "../sandbox/harness";
import { installShop } from "../sandbox/seed";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, deliverShopifyWebhook, simJson } from "./helpers/http";
import { orderPayload } from "./helpers/shopify-payloads";

interface ThreadJson {
  messages: { id: string; direction: string; source: string; type: string; text: string | null; content: { kind: string } | null; reaction: string | null; edited: boolean; deleted: boolean }[];
}

describe("inbound message types in the thread", () => {
  let sandbox: Sandbox;
  const otherShop = "other-inbound.myshopify.com";
  const business = "15550100001";
  let clock = Math.floor(Date.now() / 1000) - 600;
  /** Increasing WhatsApp timestamps (whole seconds), so the thread keeps the order they were sent in. */
  const tick = () => String(++clock);

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 10 } });
    await installShop(sandbox.db, sandbox.config, otherShop);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const metaChange = async (field: string, value: Record<string, unknown>) => {
    await simJson(sandbox.simUrl, "webhook", {
      method: "POST",
      body: { field, wabaId: SEED.wabaId, value: { messaging_product: "whatsapp", metadata: { display_phone_number: business, phone_number_id: SEED.cloudPhoneNumberId }, ...value } },
    });
    await sandbox.settled();
  };
  const fromCustomer = (phone: string, messages: Record<string, unknown>[]) =>
    metaChange("messages", { contacts: [{ profile: { name: "Marina" }, wa_id: phone }], messages: messages.map((m) => ({ from: phone, timestamp: tick(), ...m })) });
  /** An order for a new customer, its confirmation sent: the thread the customer's messages join. */
  const orderFor = async (phone: string) => {
    const order = orderPayload({
      customer: { id: Number(phone.slice(-6)), first_name: "Marina", phone: `+${phone}` },
      shipping_address: { first_name: "Marina", phone: `+${phone}`, country_code: "BR" },
    });
    await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(order) });
    const confirmation = () => sandbox.db.message.findFirst({ where: { idempotencyKey: `ORDER_CREATED:${order.id}`, wamid: { not: null } } });
    await expect.poll(confirmation, { timeout: 15_000 }).not.toBeNull();
    return { order, confirmationWamid: (await confirmation())!.wamid! };
  };
  const threadJson = async (orderId: number) =>
    (await (
      await fetch(`${sandbox.appUrl}/api/orders/${orderId}/thread`, {
        headers: { authorization: `Bearer ${sandbox.sessionToken()}`, origin: "https://extensions.shopifycdn.com", "user-agent": BROWSER_UA },
      })
    ).json()) as ThreadJson;
  const threadPage = async (orderId: number) => (await fetch(sandbox.adminUrl(`/app/orders/${orderId}`, { locale: "en" }), { headers: { "user-agent": BROWSER_UA } })).text();
  const upload = (mimeType: string, bytes: Buffer) => simJson<{ id: string }>(sandbox.simUrl, "media", { method: "POST", body: { mimeType, base64: bytes.toString("base64") } });
  const media = (messageId: string, shop?: string) =>
    fetch(`${sandbox.appUrl}/app/media/${messageId}`, { headers: { authorization: `Bearer ${sandbox.sessionToken(shop)}`, "user-agent": BROWSER_UA } });

  it("shows media, location, contacts, catalog orders, taps, Flow answers, notices and unknown kinds", async () => {
    const phone = "5511966660001";
    const { order, confirmationWamid } = await orderFor(phone);
    const photo = await upload("image/jpeg", Buffer.from("not really a jpeg"));
    await fromCustomer(phone, [
      { id: "wamid.types.image", type: "image", image: { id: photo.id, mime_type: "image/jpeg", sha256: "abc", caption: "Chegou assim" } },
      { id: "wamid.types.video", type: "video", video: { id: "310000000000001", mime_type: "video/mp4" } },
      { id: "wamid.types.voice", type: "audio", audio: { id: "310000000000002", mime_type: "audio/ogg; codecs=opus", voice: true } },
      { id: "wamid.types.document", type: "document", document: { id: "310000000000003", mime_type: "application/pdf", filename: "nota-fiscal.pdf" } },
      { id: "wamid.types.sticker", type: "sticker", sticker: { id: "310000000000004", mime_type: "image/webp", animated: false } },
      { id: "wamid.types.location", type: "location", location: { latitude: -23.5613, longitude: -46.6565, name: "Escritório Paulista", address: "Av. Paulista, 1000" } },
      {
        id: "wamid.types.contacts",
        type: "contacts",
        contacts: [{ name: { formatted_name: "Rafa Lima", first_name: "Rafa" }, phones: [{ phone: "+55 11 95555-0101", wa_id: "5511955550101", type: "CELL" }] }],
      },
      {
        id: "wamid.types.order",
        type: "order",
        order: { catalog_id: "9001", text: "Quero estes", product_items: [{ product_retailer_id: "CAMISA-M", quantity: 2, item_price: 59.95, currency: "BRL" }] },
      },
      { id: "wamid.types.button", type: "button", button: { payload: "TRACK", text: "Rastrear pedido" }, context: { from: business, id: confirmationWamid } },
      { id: "wamid.types.button_reply", type: "interactive", interactive: { type: "button_reply", button_reply: { id: "yes", title: "Sim, confirmo" } } },
      { id: "wamid.types.list_reply", type: "interactive", interactive: { type: "list_reply", list_reply: { id: "blue", title: "Azul", description: "Cor do produto" } } },
      {
        id: "wamid.types.nfm",
        type: "interactive",
        interactive: { type: "nfm_reply", nfm_reply: { name: "flow", body: "Sent", response_json: JSON.stringify({ flow_token: "flow-token-7f3a9c", delivery_day: "Sábado" }) } },
      },
      { id: "wamid.types.system", type: "system", system: { body: "Marina changed their phone number", type: "user_changed_number" } },
      {
        id: "wamid.types.unsupported",
        type: "unsupported",
        errors: [{ code: 131051, title: "Message type unknown", message: "Message type unknown", error_data: { details: "Message type is currently not supported." } }],
      },
      { id: "wamid.types.future", type: "hologram", hologram: { id: "1" } },
    ]);
    await metaChange("smb_message_echoes", {
      message_echoes: [
        { from: business, to: phone, id: "wamid.types.echo-image", timestamp: tick(), type: "image", image: { id: "310000000000005", mime_type: "image/png", caption: "Foto do pacote" } },
      ],
    });

    const thread = await threadJson(order.id);
    const byId = new Map((await sandbox.db.message.findMany({ where: { wamid: { startsWith: "wamid.types." } }, select: { id: true, wamid: true } })).map((m) => [m.wamid, m.id]));
    const kinds = Object.fromEntries(thread.messages.map((m) => [m.id, m.content?.kind ?? null]));
    expect(kinds[byId.get("wamid.types.image")!]).toBe("media");
    expect(kinds[byId.get("wamid.types.location")!]).toBe("location");
    expect(kinds[byId.get("wamid.types.future")!]).toBe("unsupported");
    expect(thread.messages.filter((m) => m.direction === "IN" && !m.text && !m.content)).toEqual([]);

    const page = await threadPage(order.id);
    for (const shown of [
      "Photo",
      "Chegou assim",
      "Video",
      "Voice message",
      "Download nota-fiscal.pdf",
      "Sticker",
      "Escritório Paulista",
      "Av. Paulista, 1000",
      "https://www.google.com/maps/search/?api=1&amp;query=-23.5613,-46.6565",
      "Rafa Lima · +55 11 95555-0101",
      "Order from the catalog",
      "2 × CAMISA-M · R$59.95",
      "Quero estes",
      "Tapped: Rastrear pedido",
      "Tapped: Sim, confirmo",
      "Tapped: Azul",
      "delivery_day: Sábado",
      "WhatsApp notice: Marina changed their phone number",
      "This kind of message (unsupported) cannot be shown here; see it in WhatsApp. Message type is currently not supported.",
      "This kind of message (hologram) cannot be shown here",
      "Foto do pacote",
    ]) {
      expect(page).toContain(shown);
    }
    expect(page).not.toContain("flow-token-7f3a9c");
    const receipts = await sandbox.db.webhookReceipt.findMany({ where: { topic: { in: ["messages", "smb_message_echoes"] }, status: { not: "PROCESSED" } }, select: { status: true, error: true } });
    expect(receipts).toEqual([]);
  });

  it("a changed number or user id moves the customer, with their order's thread, to the new one; WhatsApp's notice is not the customer writing", async () => {
    const [before, after] = ["5511966660009", "5511966660019"];
    const { order } = await orderFor(before);
    const contact = await sandbox.db.contact.findFirstOrThrow({ where: { phoneE164: `+${before}` } });
    await sandbox.db.contact.update({ where: { id: contact.id }, data: { bsuid: "BR.sys.old" } });
    // As Meta documents it: `from` the old number, `wa_id` the new one, and no contacts array.
    const system = (message: Record<string, unknown>) => metaChange("messages", { messages: [{ timestamp: tick(), type: "system", ...message }] });
    await system({ from: before, id: "wamid.sys.number", system: { body: `User Marina changed from ${before} to ${after}`, wa_id: after, type: "user_changed_number" } });
    expect(await sandbox.db.contact.findUniqueOrThrow({ where: { id: contact.id } })).toMatchObject({ phoneE164: `+${after}`, waId: after, lastInboundAt: null });
    expect(await sandbox.db.contact.count({ where: { phoneE164: { in: [`+${before}`, `+${after}`] } } })).toBe(1);
    // Handled again (Meta retries), the notice finds the customer under the new number and leaves no contact for the old one.
    await system({ from: before, id: "wamid.sys.number", system: { body: `User Marina changed from ${before} to ${after}`, wa_id: after, type: "user_changed_number" } });
    expect(await sandbox.db.contact.count({ where: { phoneE164: { in: [`+${before}`, `+${after}`] } } })).toBe(1);
    // A number the shop never talked to changing is nobody the shop knows.
    await system({ from: "5511966669998", id: "wamid.sys.unknown", system: { wa_id: "5511966669997", type: "user_changed_number" } });
    expect(await sandbox.db.contact.count({ where: { phoneE164: { in: ["+5511966669998", "+5511966669997"] } } })).toBe(0);
    expect((await sandbox.db.conversation.findUniqueOrThrow({ where: { contactId: contact.id } })).needsReply).toBe(false);

    await fromCustomer(after, [{ id: "wamid.sys.after", type: "text", text: { body: "Oi, mudei de número" } }]);
    expect(await sandbox.db.message.findFirstOrThrow({ where: { wamid: "wamid.sys.after" } })).toMatchObject({
      contactId: contact.id,
      orderId: (await sandbox.db.order.findFirstOrThrow({ where: { shopifyOrderId: String(order.id) } })).id,
    });

    const contacts = await sandbox.db.contact.count();
    await system({ id: "wamid.sys.user-id", system: { body: "Marina's user id changed", type: "user_changed_user_id", user_id: "BR.sys.new", previous_user_id: "BR.sys.old" } });
    expect((await sandbox.db.contact.findUniqueOrThrow({ where: { id: contact.id } })).bsuid).toBe("BR.sys.new");
    // One for a customer the shop never talked to is kept nowhere: no blank contact.
    await system({ id: "wamid.sys.stranger", system: { type: "user_changed_user_id", user_id: "BR.sys.x2", previous_user_id: "BR.sys.x1" } });
    expect(await sandbox.db.contact.count()).toBe(contacts);
  });

  it("username users, whose messages carry no number, each keep their own contact, however many write in one change", async () => {
    await metaChange("messages", {
      contacts: [
        { profile: { name: "Alma", username: "@alma" }, user_id: "BR.user.alma" },
        { profile: { name: "Bento", username: "@bento" }, user_id: "BR.user.bento" },
      ],
      messages: [
        { from_user_id: "BR.user.alma", id: "wamid.user.alma", timestamp: tick(), type: "text", text: { body: "Oi" } },
        { from_user_id: "BR.user.bento", id: "wamid.user.bento", timestamp: tick(), type: "text", text: { body: "Olá" } },
      ],
    });
    const senders = await sandbox.db.message.findMany({ where: { wamid: { in: ["wamid.user.alma", "wamid.user.bento"] } }, select: { wamid: true, contact: { select: { bsuid: true, name: true } } } });
    expect(Object.fromEntries(senders.map((m) => [m.wamid, m.contact]))).toEqual({
      "wamid.user.alma": { bsuid: "BR.user.alma", name: "Alma" },
      "wamid.user.bento": { bsuid: "BR.user.bento", name: "Bento" },
    });
  });

  it("streams a message's media with Meta's type through the app, for the shop's own messages only, never exposing the token", async () => {
    const phone = "5511966660002";
    await orderFor(phone);
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4, 5]);
    const picture = await upload("image/png", bytes);
    const pdf = await upload("application/pdf", Buffer.from("%PDF-1.4 fake"));
    await fromCustomer(phone, [
      { id: "wamid.media.picture", type: "image", image: { id: picture.id, mime_type: "image/png", sha256: "x" } },
      { id: "wamid.media.pdf", type: "document", document: { id: pdf.id, mime_type: "application/pdf", filename: "orçamento.pdf" } },
      { id: "wamid.media.text", type: "text", text: { body: "Segue a foto" } },
    ]);
    const rows = Object.fromEntries((await sandbox.db.message.findMany({ where: { wamid: { startsWith: "wamid.media." } } })).map((m) => [m.wamid, m.id]));

    const image = await media(rows["wamid.media.picture"]!);
    expect(image.status).toBe(200);
    expect(Buffer.from(await image.arrayBuffer())).toEqual(bytes);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(image.headers.get("x-content-type-options")).toBe("nosniff");
    expect(image.headers.get("cache-control")).toMatch(/^private/);
    expect(image.headers.get("content-disposition")).toMatch(/^inline/);
    const headers = JSON.stringify([...image.headers.entries()]);
    expect(headers).not.toContain(SEED.accessToken);
    expect(headers).not.toContain(sandbox.simUrl);

    const document = await media(rows["wamid.media.pdf"]!);
    expect(document.status).toBe(200);
    expect(document.headers.get("content-type")).toBe("application/pdf");
    expect(document.headers.get("content-disposition")).toBe(`attachment; filename="or_amento.pdf"; filename*=UTF-8''or%C3%A7amento.pdf`);
    expect(await document.text()).toBe("%PDF-1.4 fake");

    expect((await media(rows["wamid.media.picture"]!, otherShop)).status).toBe(404);
    expect((await media(rows["wamid.media.text"]!)).status).toBe(404);
    expect((await media("no-such-message")).status).toBe(404);
    expect((await fetch(`${sandbox.appUrl}/app/media/${rows["wamid.media.picture"]}`, { headers: { "user-agent": BROWSER_UA }, redirect: "manual" })).status).not.toBe(200);

    // The simulator serves media as Meta does: the URL from GET /{media-id} answers only with the bearer token.
    const described = await fetch(`${sandbox.simUrl}/v25.0/${picture.id}`, { headers: { authorization: `Bearer ${SEED.accessToken}` } });
    const { url, mime_type, file_size } = (await described.json()) as { url: string; mime_type: string; file_size: number };
    expect({ mime_type, file_size }).toEqual({ mime_type: "image/png", file_size: bytes.length });
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: `Bearer ${SEED.accessToken}` } })).status).toBe(200);
  });

  it("reactions attach to the message they react to, edits change it, revokes mark it deleted", async () => {
    const phone = "5511966660003";
    const { order, confirmationWamid } = await orderFor(phone);
    await fromCustomer(phone, [
      { id: "wamid.change.question", type: "text", text: { body: "Quero trocar o tamanho" } },
      { id: "wamid.change.oops", type: "text", text: { body: "mensagem errada" } },
    ]);
    const reactionAt = Number(tick());
    await fromCustomer(phone, [
      { id: "wamid.change.edit", type: "edit", edit: { original_message_id: "wamid.change.question", message: { type: "text", text: { body: "Quero trocar o tamanho para M" } } } },
      { id: "wamid.change.react", type: "reaction", reaction: { message_id: confirmationWamid, emoji: "❤️" } },
      { id: "wamid.change.revoke", type: "revoke", revoke: { original_message_id: "wamid.change.oops" } },
    ]);
    let thread = await threadJson(order.id);
    const byText = (text: string) => thread.messages.find((m) => m.text === text);
    expect(byText("Quero trocar o tamanho para M")).toMatchObject({ edited: true, deleted: false });
    expect(thread.messages.find((m) => m.direction === "OUT" && m.reaction)).toMatchObject({ reaction: "❤️" });
    expect(thread.messages.filter((m) => m.deleted)).toHaveLength(1);
    expect(thread.messages.some((m) => m.text === "mensagem errada" || m.text === "Quero trocar o tamanho")).toBe(false);
    expect(thread.messages.filter((m) => m.direction === "IN")).toHaveLength(2);

    const page = await threadPage(order.id);
    expect(page).toMatch(/Quero trocar o tamanho para M[\s\S]*?Edited/);
    expect(page).toContain("Reacted ❤️");
    expect(page).toContain("This message was deleted.");

    // Removing the reaction (Meta sends no emoji) takes it off; an older reaction delivered late does not bring it back.
    await fromCustomer(phone, [{ id: "wamid.change.unreact", type: "reaction", reaction: { message_id: confirmationWamid } }]);
    await metaChange("messages", {
      contacts: [{ wa_id: phone }],
      messages: [{ from: phone, id: "wamid.change.late", timestamp: String(reactionAt - 5), type: "reaction", reaction: { message_id: confirmationWamid, emoji: "👍" } }],
    });
    thread = await threadJson(order.id);
    expect(thread.messages.filter((m) => m.reaction)).toEqual([]);
    expect(await sandbox.db.message.count({ where: { wamid: { in: ["wamid.change.edit", "wamid.change.react", "wamid.change.revoke", "wamid.change.unreact", "wamid.change.late"] } } })).toBe(0);
  });

  it("a change that comes before its message applies when the message arrives; one naming another customer's message changes nothing", async () => {
    const phone = "5511966660004";
    const { order } = await orderFor(phone);
    const sentAt = Number(tick());
    // Meta delivers the edit, the reaction to it and the revoke of another message before the messages themselves.
    await fromCustomer(phone, [
      { id: "wamid.early.edit", type: "edit", edit: { original_message_id: "wamid.early.first", message: { type: "text", text: { body: "Chega até sexta?" } } } },
      { id: "wamid.early.revoke", type: "revoke", revoke: { original_message_id: "wamid.early.second" } },
    ]);
    await metaChange("messages", {
      contacts: [{ wa_id: phone }],
      messages: [
        { from: phone, id: "wamid.early.first", timestamp: String(sentAt - 30), type: "text", text: { body: "Chega até quinta?" } },
        { from: phone, id: "wamid.early.second", timestamp: String(sentAt - 20), type: "text", text: { body: "meu CPF é 123" } },
      ],
    });
    const thread = await threadJson(order.id);
    const inbound = thread.messages.filter((m) => m.direction === "IN");
    expect(inbound.map((m) => [m.text, m.edited, m.deleted])).toEqual([
      ["Chega até sexta?", true, false],
      [null, false, true],
    ]);
    expect(await sandbox.db.message.count({ where: { wamid: { in: ["wamid.early.edit", "wamid.early.revoke"] } } })).toBe(0);

    // Another customer's revoke and edit naming this customer's message change nothing.
    const stranger = "5511966660005";
    await fromCustomer(stranger, [
      { id: "wamid.stranger.revoke", type: "revoke", revoke: { original_message_id: "wamid.early.first" } },
      { id: "wamid.stranger.edit", type: "edit", edit: { original_message_id: "wamid.early.first", message: { type: "text", text: { body: "cancelem tudo" } } } },
    ]);
    expect((await threadJson(order.id)).messages.find((m) => m.text === "Chega até sexta?")).toMatchObject({ deleted: false });
  });
});
