// Undoing a marketing opt-out from a thread page: staff opt a customer back in
// only with the reason (the customer's request), recorded with who did it as a
// consent record and an event in the conversation; without a reason nothing
// changes and the field is named; an opt-out the customer made in WhatsApp
// itself stays; another shop naming the customer or the order finds nothing.
import { decode } from "turbo-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { STATUS_RANK } from "../app/core/domain";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { installShop } from "../sandbox/seed";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, deliverShopifyWebhook, simJson } from "./helpers/http";
import { orderPayload } from "./helpers/shopify-payloads";

describe("opting a customer back in to marketing", () => {
  let sandbox: Sandbox;
  let shopId: string;
  const otherShop = "other-consent.myshopify.com";

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 5 } });
    await installShop(sandbox.db, sandbox.config, otherShop);
    shopId = (await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } })).id;
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const inbound = async (from: string, text: string) => {
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from, text, name: "Lucía Gómez", phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
  };
  // Remix single-fetch data requests: what the page's action answers.
  const act = async (path: string, fields: Record<string, string>, shop?: string) => {
    const response = await fetch(`${sandbox.appUrl}${path}.data`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken(shop)}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
      body: new URLSearchParams({ ...fields, requestId: crypto.randomUUID() }).toString(),
    });
    if (response.status !== 200) return { status: response.status, body: null };
    const stream = await decode(response.body!);
    await stream.done;
    return { status: response.status, body: (stream.value as { data: Record<string, unknown> }).data };
  };
  const consent = (contactId: string) =>
    sandbox.db.contact.findUniqueOrThrow({ where: { id: contactId }, select: { marketingConsent: true, marketingConsentSource: true, marketingOptedOutAt: true, marketingOptOutSource: true } });
  const utility = (contactId: string) => sandbox.db.contact.findUniqueOrThrow({ where: { id: contactId }, select: { utilityConsent: true, utilityConsentSource: true, utilityConsentAt: true } });
  const records = (contactId: string) => sandbox.db.consentRecord.findMany({ where: { contactId }, orderBy: { recordedAt: "asc" }, select: { granted: true, source: true, text: true } });
  const events = (contactId: string) => sandbox.db.conversationEvent.findMany({ where: { contactId }, orderBy: { at: "asc" }, select: { kind: true, actorType: true, actorId: true, body: true } });

  it("a customer who wrote STOP is opted back in only with the reason, recorded with the staff member", async () => {
    await inbound("+5491155553001", "START");
    await inbound("+5491155553001", "STOP");
    const contact = await sandbox.db.contact.findFirstOrThrow({ where: { shopId, phoneE164: "+5491155553001" } });
    const path = `/app/conversations/${contact.id}`;
    const stopped = await consent(contact.id);
    expect(stopped).toMatchObject({ marketingConsent: false, marketingOptOutSource: "whatsapp_keyword:STOP" });
    // The banner says how, in the merchant's words: never the stored source.
    const banner = async (locale: string) => (await fetch(sandbox.adminUrl(path, { locale }), { headers: { "user-agent": BROWSER_UA } })).text();
    expect(await banner("es")).toContain("Este cliente se dio de baja de los mensajes de marketing (escribió STOP).");
    expect(await banner("pt-BR")).not.toContain("whatsapp_keyword");
    const recordsBefore = await records(contact.id);

    for (const reason of ["", "   "]) {
      expect(await act(path, { intent: "opt-in", reason })).toMatchObject({ status: 200, body: { ok: false, field: "reason" } });
    }
    expect(await consent(contact.id)).toEqual(stopped);
    expect(await records(contact.id)).toEqual(recordsBefore);

    const reason = "The customer asked to receive offers again, by phone";
    expect(await act(path, { intent: "opt-in", reason })).toMatchObject({ status: 200, body: { ok: true, status: "OPTED_IN" } });
    expect(await consent(contact.id)).toEqual({ marketingConsent: true, marketingConsentSource: "staff:1", marketingOptedOutAt: null, marketingOptOutSource: null });
    expect((await records(contact.id)).at(-1)).toEqual({ granted: true, source: "staff:1", text: reason });
    expect((await events(contact.id)).at(-1)).toEqual({ kind: "OPTED_IN", actorType: "STAFF", actorId: "1", body: reason });

    // Not opted out any more: nothing to undo.
    expect(await act(path, { intent: "opt-in", reason })).toMatchObject({ status: 200, body: { ok: false, field: "contact" } });
  });

  it("staff opt out from the conversation page, and an opt-out made in WhatsApp itself is not undone by staff", async () => {
    await inbound("+5511955553002", "START");
    const contact = await sandbox.db.contact.findFirstOrThrow({ where: { shopId, phoneE164: "+5511955553002" } });
    const path = `/app/conversations/${contact.id}`;
    // A marketing message and an order update waiting for tomorrow: only the marketing one is cancelled.
    const waiting = async (category: "MARKETING" | "UTILITY") => {
      const template = await sandbox.db.template.findFirstOrThrow({ where: { shopId, category } });
      const at = new Date(Date.now() + 86_400_000);
      const row = {
        shopId,
        contactId: contact.id,
        direction: "OUT",
        source: "AUTOMATION",
        type: "template",
        templateId: template.id,
        status: "SCHEDULED",
        statusRank: STATUS_RANK.SCHEDULED,
        scheduledFor: at,
      };
      return sandbox.db.message.create({ data: row });
    };
    const [marketing, update] = [await waiting("MARKETING"), await waiting("UTILITY")];
    expect(await act(path, { intent: "opt-out" })).toMatchObject({ status: 200, body: { ok: true, status: "OPTED_OUT" } });
    const after = async (id: string) => sandbox.db.message.findUniqueOrThrow({ where: { id }, select: { status: true, statusRank: true, skipReason: true } });
    expect(await after(marketing.id)).toEqual({ status: "CANCELLED", statusRank: STATUS_RANK.CANCELLED, skipReason: "OPTED_OUT" });
    expect(await after(update.id)).toEqual({ status: "SCHEDULED", statusRank: STATUS_RANK.SCHEDULED, skipReason: null });
    expect(await consent(contact.id)).toMatchObject({ marketingConsent: false, marketingOptOutSource: "staff:1" });
    expect((await events(contact.id)).at(-1)).toEqual({ kind: "OPTED_OUT", actorType: "STAFF", actorId: "1", body: null });

    await simJson(sandbox.simUrl, "webhook", {
      method: "POST",
      body: {
        field: "user_preferences",
        wabaId: SEED.wabaId,
        value: {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: "15550100001", phone_number_id: SEED.cloudPhoneNumberId },
          contacts: [{ profile: { name: "Lucía" }, wa_id: "5511955553002" }],
          user_preferences: [
            { wa_id: "5511955553002", detail: "User requested to stop marketing messages", category: "marketing_messages", value: "stop", timestamp: Math.floor(Date.now() / 1000) + 1 },
          ],
        },
      },
    });
    await sandbox.settled();
    const stopped = await consent(contact.id);
    expect(stopped.marketingOptOutSource).toBe("whatsapp_user_preferences");
    expect(await (await fetch(sandbox.adminUrl(path, { locale: "pt-BR" }), { headers: { "user-agent": BROWSER_UA } })).text()).toContain(
      "Este cliente saiu das mensagens de marketing (nas configurações do WhatsApp para esta empresa).",
    );
    const recordsBefore = await records(contact.id);
    expect(await act(path, { intent: "opt-in", reason: "The customer asked to receive offers again" })).toMatchObject({ status: 200, body: { ok: false, field: "contact" } });
    expect(await consent(contact.id)).toEqual(stopped);
    expect(await records(contact.id)).toEqual(recordsBefore);

    // A later opt-out (staff's here; a STOP alike) does not turn WhatsApp's into one staff could undo.
    expect(await act(path, { intent: "opt-out" })).toMatchObject({ status: 200, body: { ok: true } });
    expect((await consent(contact.id)).marketingOptOutSource).toBe("whatsapp_user_preferences");
    expect(await act(path, { intent: "opt-in", reason: "The customer asked to receive offers again" })).toMatchObject({
      status: 200,
      body: { ok: false, field: "contact", code: "optedOutInWhatsApp" },
    });
    expect((await consent(contact.id)).marketingConsent).toBe(false);
  });

  it("opts an order's customer back in from the order page; another shop naming the customer or the order finds nothing", async () => {
    const order = orderPayload({ customer: { first_name: "Bruna", phone: "+5511955553003" } });
    await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(order) });
    await sandbox.settled();
    const orderPath = `/app/orders/${order.id}`;
    expect(await act(orderPath, { intent: "opt-out" })).toMatchObject({ status: 200, body: { ok: true, status: "OPTED_OUT" } });
    const contact = await sandbox.db.contact.findFirstOrThrow({ where: { shopId, phoneE164: "+5511955553003" } });
    const stopped = await consent(contact.id);
    expect(stopped.marketingOptedOutAt).not.toBeNull();
    const utilityBefore = await utility(contact.id);
    expect(utilityBefore).toMatchObject({ utilityConsent: true, utilityConsentSource: "shopify_checkout_phone" });
    const recordsBefore = await records(contact.id);

    const reason = "A cliente pediu para voltar a receber ofertas";
    expect((await act(`/app/conversations/${contact.id}`, { intent: "opt-in", reason }, otherShop)).status).toBe(404);
    expect((await act(`/app/conversations/${contact.id}`, { intent: "opt-out" }, otherShop)).status).toBe(404);
    expect((await act(orderPath, { intent: "opt-in", reason }, otherShop)).status).toBe(404);
    expect(await consent(contact.id)).toEqual(stopped);
    expect(await records(contact.id)).toEqual(recordsBefore);

    expect(await act(orderPath, { intent: "opt-in", reason: "" })).toMatchObject({ status: 200, body: { ok: false, field: "reason" } });
    expect(await consent(contact.id)).toEqual(stopped);
    expect(await act(orderPath, { intent: "opt-in", reason })).toMatchObject({ status: 200, body: { ok: true, status: "OPTED_IN" } });
    expect(await consent(contact.id)).toMatchObject({ marketingConsent: true, marketingOptedOutAt: null });
    expect((await records(contact.id)).at(-1)).toEqual({ granted: true, source: "staff:1", text: reason });
    // Offers again, not an explicit opt-in to order updates: the checkout phone stays the utility consent on record.
    expect(await utility(contact.id)).toEqual(utilityBefore);
  });
});
