import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { recordAccepted } from "../app/messaging/messages.server";
import { WhatsAppClient } from "../app/whatsapp/client.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { SEED } from "../sandbox/simulator/state";
import { metaEnvelope, postMetaWebhook, simJson } from "./helpers/http";
import { testDatabaseUrl } from "./helpers/db";

describe("Meta webhooks end to end (simulator → app over HTTP)", () => {
  let sandbox: Sandbox;
  let shopId: string;
  let client: WhatsAppClient;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() } });
    shopId = (await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } })).id;
    client = new WhatsAppClient({ baseUrl: sandbox.simUrl, version: "v25.0", accessToken: SEED.accessToken });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const counts = async () => ({
    receipts: await sandbox.db.webhookReceipt.count(),
    events: await sandbox.db.messageStatusEvent.count(),
    messages: await sandbox.db.message.count(),
  });

  async function statusBody(wamid: string, status: string, timestamp: number, extra: Record<string, unknown> = {}) {
    return metaEnvelope(SEED.wabaId, "messages", {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "15550100001", phone_number_id: SEED.cloudPhoneNumberId },
      statuses: [{ id: wamid, status, timestamp: String(timestamp), recipient_id: "5511987654321", ...extra }],
    });
  }

  async function queuedMessage(wamid: string) {
    const message = await sandbox.db.message.create({
      data: { shopId, direction: "OUT", source: "AUTOMATION", type: "template", templateName: "order_confirmation", status: "QUEUED", statusRank: 2 },
    });
    await recordAccepted(sandbox.db, shopId, message.id, wamid);
    return message.id;
  }

  it("answers GET verification with the challenge only for the right verify token", async () => {
    const ok = await fetch(`${sandbox.appUrl}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${sandbox.env.META_WEBHOOK_VERIFY_TOKEN}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe("1158201444");
    const wrong = await fetch(`${sandbox.appUrl}/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope-nope`);
    expect(wrong.status).toBe(403);
  });

  it("a template sent through the simulator gets a wamid, and its signed status webhooks are accepted and applied", async () => {
    const message = await sandbox.db.message.create({
      data: { shopId, direction: "OUT", source: "AUTOMATION", type: "template", templateName: "order_confirmation", status: "QUEUED", statusRank: 2, recipientPhone: "+5511987654321" },
    });
    const sent = await client.sendMessage(SEED.cloudPhoneNumberId, {
      type: "template",
      to: "+5511987654321",
      template: { name: "order_confirmation", language: { code: "pt_BR" }, components: [{ type: "body", parameters: ["Ana", "#1001", "R$ 149,90"].map((text) => ({ type: "text" as const, text })) }] },
    });
    if (!sent.ok) throw new Error(sent.error.message);
    const wamid = sent.value.messages[0]!.id;
    expect(wamid).toMatch(/^wamid\./);
    await recordAccepted(sandbox.db, shopId, message.id, wamid);

    await sandbox.settled();
    const deliveries = await simJson<{ field: string; status: number }[]>(sandbox.simUrl, "webhooks");
    const statusDeliveries = deliveries.filter((d) => d.field === "messages");
    expect(statusDeliveries.length).toBeGreaterThanOrEqual(3);
    expect(statusDeliveries.every((d) => d.status === 200)).toBe(true);

    const stored = await sandbox.db.message.findUniqueOrThrow({ where: { id: message.id } });
    expect(stored).toMatchObject({ wamid, status: "READ", pricingCategory: "utility", pricingType: "regular", billable: true });
    expect(stored.deliveredAt).not.toBeNull();
    const simMessages = await simJson<{ wamid: string; template: { parameters: string[] } }[]>(sandbox.simUrl, "messages");
    expect(simMessages.find((m) => m.wamid === wamid)?.template.parameters).toEqual(["Ana", "#1001", "R$ 149,90"]);
  });

  it("rejects a wrong signature with 401 and stores nothing", async () => {
    const before = await counts();
    const body = await statusBody("wamid.tampered", "delivered", 1_764_000_000);
    const response = await postMetaWebhook(sandbox.appUrl, "not-the-app-secret", body);
    expect(response.status).toBe(401);
    const missing = await fetch(`${sandbox.appUrl}/webhooks/whatsapp`, { method: "POST", body });
    expect(missing.status).toBe(401);
    expect(await counts()).toEqual(before);
  });

  it("accepts non-ASCII text signed over Meta's escaped-unicode form, and rejects it once tampered", async () => {
    const body = metaEnvelope(SEED.wabaId, "messages", {
      messaging_product: "whatsapp",
      metadata: { display_phone_number: "15550100001", phone_number_id: SEED.cloudPhoneNumberId },
      contacts: [{ profile: { name: "João Ñandú 🛍️" }, wa_id: "5511987654321" }],
      messages: [{ from: "5511987654321", id: "wamid.unicode", timestamp: "1764000000", type: "text", text: { body: "¿Dónde está mi pedido? 📦 Obrigado, ação!" } }],
    });
    expect(body).toContain("📦");
    const before = await counts();
    const ok = await postMetaWebhook(sandbox.appUrl, sandbox.env.META_APP_SECRET, body);
    expect(ok.status).toBe(200);
    expect((await counts()).receipts).toBe(before.receipts + 1);

    const tampered = body.replace("Dónde", "Donde");
    const rejected = await postMetaWebhook(sandbox.appUrl, sandbox.env.META_APP_SECRET, tampered, (await import("../sandbox/simulator/signing")).metaSignature(body, sandbox.env.META_APP_SECRET));
    expect(rejected.status).toBe(401);
    expect((await counts()).receipts).toBe(before.receipts + 1);
  });

  it("changes nothing when the same delivery is replayed", async () => {
    const id = await queuedMessage("wamid.replayed");
    const body = await statusBody("wamid.replayed", "delivered", 1_764_000_100, { pricing: { billable: true, pricing_model: "PMP", type: "regular", category: "utility" } });
    expect((await postMetaWebhook(sandbox.appUrl, sandbox.env.META_APP_SECRET, body)).status).toBe(200);
    await sandbox.settled();
    const after = { counts: await counts(), message: await sandbox.db.message.findUniqueOrThrow({ where: { id } }) };
    expect((await postMetaWebhook(sandbox.appUrl, sandbox.env.META_APP_SECRET, body)).status).toBe(200);
    await sandbox.settled();
    expect(await counts()).toEqual(after.counts);
    expect(await sandbox.db.message.findUniqueOrThrow({ where: { id } })).toEqual(after.message);
  });

  it("leaves the message READ when read arrives before delivered", async () => {
    const id = await queuedMessage("wamid.outoforder");
    await postMetaWebhook(sandbox.appUrl, sandbox.env.META_APP_SECRET, await statusBody("wamid.outoforder", "read", 1_764_000_300));
    await postMetaWebhook(sandbox.appUrl, sandbox.env.META_APP_SECRET, await statusBody("wamid.outoforder", "delivered", 1_764_000_200));
    await sandbox.settled();
    expect(await sandbox.db.message.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: "READ",
      readAt: new Date(1_764_000_300_000),
      deliveredAt: new Date(1_764_000_200_000),
    });
  });

  it("acknowledges a signed but malformed payload, records it as rejected, and keeps serving", async () => {
    const { metaSignature } = await import("../sandbox/simulator/signing");
    for (const body of ["{not json", JSON.stringify({ object: "page", entry: "nope" })]) {
      const response = await postMetaWebhook(sandbox.appUrl, sandbox.env.META_APP_SECRET, body, metaSignature(body, sandbox.env.META_APP_SECRET));
      expect(response.status).toBe(200);
    }
    const badStatus = await statusBody("wamid.badstatus", "exploded", 1);
    expect((await postMetaWebhook(sandbox.appUrl, sandbox.env.META_APP_SECRET, badStatus)).status).toBe(200);
    await sandbox.settled();
    const rejected = await sandbox.db.webhookReceipt.findMany({ where: { source: "META", status: "REJECTED" } });
    expect(rejected.map((r) => r.error)).toEqual(
      expect.arrayContaining([expect.stringContaining("not valid JSON"), expect.stringContaining("invalid envelope"), expect.stringContaining("invalid messages payload")]),
    );
    expect((await fetch(`${sandbox.appUrl}/healthz`)).status).toBe(200);
    expect(sandbox.app().exitCode).toBeNull();
  });

  it("reads a change's items one by one: an unknown status or a message it cannot read loses none of the others, and is named on the receipt", async () => {
    const now = Math.floor(Date.now() / 1000);
    const first = await queuedMessage("wamid.mixed-1");
    const second = await queuedMessage("wamid.mixed-2");
    const metadata = { display_phone_number: "15550100001", phone_number_id: SEED.cloudPhoneNumberId };
    // Meta batches many items in one change: a status the app does not know (`deleted`), one without a timestamp,
    // and a customer message without an id sit beside a delivered status, a read one and a customer's text.
    const body = metaEnvelope(SEED.wabaId, "messages", {
      messaging_product: "whatsapp",
      metadata,
      contacts: [{ wa_id: "5511955550001", profile: { name: "Bia" } }],
      statuses: [
        { id: "wamid.mixed-1", status: "delivered", timestamp: String(now), recipient_id: "5511987654321" },
        { id: "wamid.mixed-1", status: "deleted", timestamp: String(now), recipient_id: "5511987654321" },
        { id: "wamid.mixed-2", status: "read" },
        { id: "wamid.mixed-2", status: "read", timestamp: String(now), recipient_id: "5511987654321" },
      ],
      messages: [
        { from: "5511955550001", timestamp: String(now), type: "text", text: { body: "sem id" } },
        { from: "5511955550001", id: "wamid.mixed-in", timestamp: String(now), type: "text", text: { body: "Oi, chegou?" } },
      ],
    });
    expect((await postMetaWebhook(sandbox.appUrl, sandbox.env.META_APP_SECRET, body)).status).toBe(200);
    await sandbox.settled();
    expect(await sandbox.db.message.findUniqueOrThrow({ where: { id: first } })).toMatchObject({ status: "DELIVERED" });
    expect(await sandbox.db.message.findUniqueOrThrow({ where: { id: second } })).toMatchObject({ status: "READ" });
    expect(await sandbox.db.message.findUnique({ where: { shopId_wamid: { shopId, wamid: "wamid.mixed-in" } } })).toMatchObject({ direction: "IN", body: "Oi, chegou?" });
    const receipt = await sandbox.db.webhookReceipt.findFirstOrThrow({ where: { source: "META", topic: "messages", error: { contains: "passed over" } } });
    expect(receipt.status).toBe("PROCESSED");
    expect(receipt.error).toContain("statuses.1.status");
    expect(receipt.error).toContain("statuses.2.timestamp");
    expect(receipt.error).toContain("messages.0.id");
    // Nothing of the message text on the receipt: field paths and what was wrong only.
    expect(receipt.error).not.toContain("sem id");

    // A history chunk with one unreadable message keeps its others and its progress.
    const coexistence = await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId } });
    const history = metaEnvelope(SEED.wabaId, "history", {
      messaging_product: "whatsapp",
      metadata,
      history: [
        {
          metadata: { phase: 0, chunk_order: 1, progress: 40 },
          threads: [
            {
              id: "5511955550002",
              messages: [
                { from: "5511955550002", id: "wamid.hist-ok", timestamp: String(now - 86_400), type: "text", text: { body: "Pedido antigo" }, history_context: { status: "READ" } },
                { from: "5511955550002", id: "wamid.hist-bad", timestamp: "yesterday", type: "text", text: { body: "?" } },
              ],
            },
          ],
        },
      ],
    });
    expect((await postMetaWebhook(sandbox.appUrl, sandbox.env.META_APP_SECRET, history)).status).toBe(200);
    await sandbox.settled();
    expect(await sandbox.db.message.findUnique({ where: { shopId_wamid: { shopId, wamid: "wamid.hist-ok" } } })).toMatchObject({ source: "HISTORY", body: "Pedido antigo" });
    expect(await sandbox.db.message.findUnique({ where: { shopId_wamid: { shopId, wamid: "wamid.hist-bad" } } })).toBeNull();
    expect((await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId } })).historySyncProgress).toBe(Math.max(40, coexistence.historySyncProgress ?? 0));
    const historyReceipt = await sandbox.db.webhookReceipt.findFirstOrThrow({ where: { source: "META", topic: "history" }, orderBy: { receivedAt: "desc" } });
    expect(historyReceipt).toMatchObject({ status: "PROCESSED" });
    expect(historyReceipt.error).toContain("history.0.threads.0.messages.1.timestamp");
  });
});
