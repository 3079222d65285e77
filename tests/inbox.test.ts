// The inbox: a conversation per customer, with or without an order. A
// customer who writes from an ad (no order) shows up, is found by name without
// accents or by phone typed any way, is answered from their conversation page;
// the list pages with a cursor; another shop's customer is not found.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { touchConversation } from "../app/messaging/conversations.server";
import { buildMissingSearchText } from "../app/messaging/inbox-list.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { installShop } from "../sandbox/seed";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, simJson } from "./helpers/http";

describe("inbox: every conversation", () => {
  let sandbox: Sandbox;
  const otherShop = "other-inbox.myshopify.com";
  const pagedShop = "paged-inbox.myshopify.com";

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 5 } });
    await installShop(sandbox.db, sandbox.config, otherShop);
    await installShop(sandbox.db, sandbox.config, pagedShop);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const page = async (path: string, query: Record<string, string> = {}, shop?: string) =>
    (await fetch(`${sandbox.adminUrl(path, { shop, locale: "en" })}&${new URLSearchParams(query)}`, { headers: { "user-agent": BROWSER_UA } })).text();
  const text = (html: string) =>
    html
      .replace(/<[^>]+>/g, " ")
      .replace(/&#x27;|&#39;/g, "'")
      .replace(/\s+/g, " ");

  it("a customer with no order who writes in is listed, found by accent-free name or any phone format, and answered from their conversation", async () => {
    await simJson(sandbox.simUrl, "inbound", {
      method: "POST",
      body: { from: "+5215512340099", name: "Lúcía Núñez", text: "Vi su anuncio, ¿tienen talla M?", phoneNumberId: SEED.cloudPhoneNumberId },
    });
    await sandbox.settled();
    const contact = await sandbox.db.contact.findFirstOrThrow({ where: { waId: "5215512340099" } });

    const inbox = text(await page("/app/conversations"));
    expect(inbox).toMatch(/Lúcía Núñez[\s\S]*Needs reply[\s\S]*No order yet[\s\S]*Customer: Vi su anuncio, ¿tienen talla M\?/);
    for (const q of ["lucia nunez", "NÚÑEZ", "55 1234 0099", "(55) 1234-0099"]) expect(text(await page("/app/conversations", { q }))).toContain("Lúcía Núñez");
    expect(text(await page("/app/conversations", { q: "lucia perez" }))).not.toContain("Lúcía Núñez");
    expect(text(await page("/app/conversations", { q: "lucia" }, otherShop))).not.toContain("Lúcía Núñez");

    expect(text(await page("/app/conversations", { filter: "unread" }))).toContain("Lúcía Núñez");
    const conversation = text(await page(`/app/conversations/${contact.id}`));
    expect(conversation).toContain("Conversation with Lúcía Núñez");
    expect(conversation).toContain("No orders yet");
    expect(conversation).toContain("Vi su anuncio, ¿tienen talla M?");
    // Opening it reads it.
    expect(text(await page("/app/conversations", { filter: "unread" }))).not.toContain("Lúcía Núñez");

    const reply = await fetch(`${sandbox.appUrl}/app/conversations/${contact.id}`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
      body: new URLSearchParams({ intent: "text", text: "¡Sí, tenemos talla M!", requestId: crypto.randomUUID() }).toString(),
    });
    expect(reply.status).toBe(200);
    await expect
      .poll(async () => (await simJson<{ to: string; text?: string }[]>(sandbox.simUrl, "messages")).filter((m) => m.to === contact.phoneE164!.slice(1)).map((m) => m.text))
      .toEqual(["¡Sí, tenemos talla M!"]);
    expect(await sandbox.db.message.findFirst({ where: { contactId: contact.id, source: "STAFF" } })).toMatchObject({
      orderId: null,
      body: "¡Sí, tenemos talla M!",
      staffUserId: "1",
      staffName: "Mariana Costa",
    });
    expect(text(await page("/app/conversations", { filter: "needs-reply" }))).not.toContain("Lúcía Núñez");

    // Another shop's staff neither see the conversation nor reach the customer through it.
    expect(text(await page(`/app/conversations/${contact.id}`, {}, otherShop))).toContain("This conversation does not exist in this store.");
    const foreign = await fetch(`${sandbox.appUrl}/app/conversations/${contact.id}`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken(otherShop)}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
      body: new URLSearchParams({ intent: "text", text: "hola", requestId: crypto.randomUUID() }).toString(),
    });
    expect(foreign.status).toBe(200);
    expect(await sandbox.db.message.count({ where: { contactId: contact.id, source: "STAFF" } })).toBe(1);
  });

  it("pages through the conversations, latest first, without overlap or gap", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: pagedShop } });
    const at = Date.UTC(2026, 10, 20, 12, 0, 0);
    for (let i = 0; i < 61; i++) {
      const contact = await sandbox.db.contact.create({ data: { shopId: shop.id, name: `Cliente ${String(i).padStart(2, "0")}`, phoneE164: `+55119000000${String(i).padStart(2, "0")}` } });
      // Two pairs share a time: the cursor must not split or repeat them.
      const occurredAt = new Date(at + Math.floor(i / 2) * 1000);
      const message = await sandbox.db.message.create({
        data: { shopId: shop.id, contactId: contact.id, direction: "IN", source: "CUSTOMER", type: "text", body: "Oi", status: "RECEIVED", occurredAt },
      });
      await touchConversation(sandbox.db, message);
    }
    const names = (html: string) => [...html.matchAll(/Cliente (\d\d)/g)].map((m) => m[1]);
    const first = await page("/app/conversations", {}, pagedShop);
    const after = /[?&;]after=([\w-]+)/.exec(first.replace(/&amp;/g, "&"))?.[1];
    expect(after).toBeTruthy();
    const second = await page("/app/conversations", { after: after! }, pagedShop);
    const seen = [...new Set(names(first)), ...new Set(names(second))];
    expect(seen).toHaveLength(61);
    expect(new Set(seen).size).toBe(61);
    expect(seen[0]).toBe("60");
    expect(text(second)).not.toContain("Older");
    expect(text(first)).toContain("Older");
  });

  it("previews a template message as the customer read it, not by its template's name, and by the name once its template is gone", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const template = await sandbox.db.template.findFirstOrThrow({ where: { shopId: shop.id, name: "order_confirmation", language: "pt_BR" } });
    const contact = await sandbox.db.contact.create({ data: { shopId: shop.id, name: "Rita Prévia", phoneE164: "+5511955500777" } });
    const message = await sandbox.db.message.create({
      data: {
        shopId: shop.id,
        contactId: contact.id,
        direction: "OUT",
        source: "AUTOMATION",
        type: "template",
        status: "DELIVERED",
        templateName: template.name,
        templateId: template.id,
        params: { body: ["Rita", "#PV1", "R$ 89,90"] },
        occurredAt: new Date(),
      },
    });
    await touchConversation(sandbox.db, message);
    // The row's last-message cell, as the page shows it.
    const row = async () => /Rita Prévia \+55 11 95550 0777 No order yet (Automation: .*?) \d+\/\d+\/\d+, /.exec(text(await page("/app/conversations", { q: "rita previa" })))?.[1];
    expect(await row()).toBe("Automation: Olá Rita, recebemos seu pedido #PV1 no valor de R$ 89,90. Avisaremos quando for enviado.");

    await sandbox.db.message.update({ where: { id: message.id }, data: { templateId: null } });
    expect(await row()).toBe("Automation: order_confirmation");
  });

  it("only a turn moves a conversation on: automation sends and reactions do not answer the customer; a phone-app reply does", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: pagedShop } });
    const contact = await sandbox.db.contact.create({ data: { shopId: shop.id, name: "Turnos", phoneE164: "+5511955500001" } });
    const at = Date.UTC(2026, 10, 21, 12, 0, 0);
    const write = async (fields: { direction: string; source: string; seconds: number; changeKind?: string }) => {
      const message = await sandbox.db.message.create({
        data: {
          shopId: shop.id,
          contactId: contact.id,
          direction: fields.direction,
          source: fields.source,
          changeKind: fields.changeKind ?? null,
          type: "text",
          status: "SENT",
          occurredAt: new Date(at + fields.seconds * 1000),
        },
      });
      await touchConversation(sandbox.db, message);
      return sandbox.db.conversation.findUniqueOrThrow({ where: { contactId: contact.id } });
    };
    expect(await write({ direction: "IN", source: "CUSTOMER", seconds: 0 })).toMatchObject({ needsReply: true, unread: true });
    expect(await write({ direction: "OUT", source: "AUTOMATION", seconds: 10 })).toMatchObject({ needsReply: true, lastMessageAt: new Date(at + 10_000) });
    expect(await write({ direction: "IN", source: "CUSTOMER", seconds: 20, changeKind: "reaction" })).toMatchObject({ needsReply: true });
    expect(await write({ direction: "OUT", source: "PHONE_APP", seconds: 30 })).toMatchObject({ needsReply: false });
    // A customer message delivered late (written before the reply) does not make it need one again.
    expect(await write({ direction: "IN", source: "CUSTOMER", seconds: 25 })).toMatchObject({ needsReply: false });
    await sandbox.db.conversation.update({ where: { contactId: contact.id }, data: { status: "CLOSED" } });
    expect(await write({ direction: "IN", source: "CUSTOMER", seconds: 40 })).toMatchObject({ needsReply: true, status: "OPEN" });
  });

  it("builds the search text the migration left empty, so older conversations are found without accents too", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: pagedShop } });
    const contact = await sandbox.db.contact.create({ data: { shopId: shop.id, name: "Ñandú Pérez", phoneE164: "+5491155500077" } });
    await sandbox.db.order.create({ data: { shopId: shop.id, shopifyOrderId: "77001", name: "#AR7701", contactId: contact.id } });
    await sandbox.db.conversation.create({ data: { contactId: contact.id, shopId: shop.id, lastMessageAt: new Date(Date.UTC(2026, 10, 22)) } });
    expect(text(await page("/app/conversations", { q: "nandu" }, pagedShop))).not.toContain("Ñandú Pérez");
    while ((await buildMissingSearchText(sandbox.db, 50)) > 0);
    for (const q of ["nandu perez", "#ar7701", "11 5550 0077"]) expect(text(await page("/app/conversations", { q }, pagedShop))).toContain("Ñandú Pérez");
  });
});
