import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { EncryptedSessionStorage } from "../app/shopify/sessions.server";
import { ADMIN_API_VERSION } from "../app/shopify/admin/endpoint.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { signSessionToken } from "../sandbox/session-token";
import { installShop } from "../sandbox/seed";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, simJson } from "./helpers/http";

interface Thread {
  messages: { source: string; text: string | null; staffName: string | null }[];
}

// Staff identity comes from Shopify: authenticate.admin exchanges each person's
// session token for an online access token, whose associated_user the
// simulator answers from the shop's staff (keyed by the token's `sub`).
describe("staff identity from the Shopify session", () => {
  let sandbox: Sandbox;
  const otherShop = "staff-other.myshopify.com";
  const shopifyOrderId = "880014";

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() } });
    await installShop(sandbox.db, sandbox.config, otherShop);
    for (const domain of [sandbox.shopDomain, otherShop]) {
      const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain } });
      const contact = await sandbox.db.contact.create({ data: { shopId: shop.id, phoneE164: "+5511944443333", waId: "5511944443333", market: "Brazil", name: "Lúcia" } });
      await sandbox.db.order.create({ data: { shopId: shop.id, shopifyOrderId, name: "#1014", contactId: contact.id, customerName: "Lúcia", phone: "+5511944443333" } });
    }
    // The customer writes to the demo shop: its service window opens.
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: "+5511944443333", text: "Meu pedido?", phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const act = (userId: number, fields: Record<string, string>, shop = sandbox.shopDomain) =>
    fetch(`${sandbox.appUrl}/app/orders/${shopifyOrderId}?locale=en`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken(shop, userId)}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
      body: new URLSearchParams({ requestId: crypto.randomUUID(), ...fields }).toString(),
    });
  const threadPageAs = async (userId: number, shop = sandbox.shopDomain) =>
    (await fetch(sandbox.adminUrl(`/app/orders/${shopifyOrderId}`, { shop, userId }), { headers: { "user-agent": BROWSER_UA } })).text();

  it("two staff members reply on one order: each message records and shows its author's name, and another shop never sees them", async () => {
    // The owner is in the demo shop's staff; an employee joins through the simulator's control API.
    expect(await simJson(sandbox.shopify.url, "shopify/staff", { method: "POST", body: { shop: sandbox.shopDomain, id: 70, firstName: "Joana", lastName: "Pereira" } })).toMatchObject({
      staff: { id: 70, first_name: "Joana", account_owner: false },
    });

    expect((await act(1, { intent: "text", text: "Oi Lúcia, já vamos verificar." })).status).toBe(200);
    expect((await act(70, { intent: "text", text: "Seu pedido sai hoje." })).status).toBe(200);

    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const replies = await sandbox.db.message.findMany({ where: { shopId: shop.id, source: "STAFF" }, orderBy: { createdAt: "asc" } });
    expect(replies.map((m) => [m.body, m.staffUserId, m.staffName, m.status])).toEqual([
      ["Oi Lúcia, já vamos verificar.", "1", "Mariana Costa", expect.stringMatching(/SENT|DELIVERED|READ/)],
      ["Seu pedido sai hoje.", "70", "Joana Pereira", expect.stringMatching(/SENT|DELIVERED|READ/)],
    ]);
    expect(await sandbox.db.staffMember.findMany({ where: { shopId: shop.id }, orderBy: { userId: "asc" }, select: { userId: true, name: true } })).toEqual([
      { userId: "1", name: "Mariana Costa" },
      { userId: "70", name: "Joana Pereira" },
    ]);

    // Anyone on the team sees who wrote what, on the page and in the order-page block.
    const html = await threadPageAs(2);
    expect(html).toMatch(/Mariana Costa[\s\S]*Oi Lúcia, já vamos verificar\.[\s\S]*Joana Pereira[\s\S]*Seu pedido sai hoje\./);
    expect(html).not.toMatch(/#(1|70)\b/);
    expect(html).not.toContain("staff:");
    const block = await fetch(`${sandbox.appUrl}/api/orders/${shopifyOrderId}/thread`, {
      headers: { authorization: `Bearer ${sandbox.sessionToken(sandbox.shopDomain, 2)}`, origin: "https://extensions.shopifycdn.com", "user-agent": BROWSER_UA },
    });
    const thread = (await block.json()) as Thread;
    expect(thread.messages.filter((m) => m.source === "STAFF").map((m) => [m.staffName, m.text])).toEqual([
      ["Mariana Costa", "Oi Lúcia, já vamos verificar."],
      ["Joana Pereira", "Seu pedido sai hoje."],
    ]);

    // The other shop's order with the same id: its own staff (user 1 there is someone else) sees none of it.
    const elsewhere = await threadPageAs(1, otherShop);
    expect(elsewhere).toContain("#1014");
    for (const name of ["Mariana", "Joana", "Oi Lúcia", "Seu pedido sai hoje"]) expect(elsewhere).not.toContain(name);
    const other = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: otherShop } });
    expect(await sandbox.db.message.count({ where: { shopId: other.id } })).toBe(0);
  });

  it("marking handled and opting out record the staff member; the banner names them; someone Shopify gives no directory entry still gets a name", async () => {
    expect((await act(2, { intent: "handled" })).status).toBe(200);
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const order = await sandbox.db.order.findUniqueOrThrow({ where: { shopId_shopifyOrderId: { shopId: shop.id, shopifyOrderId } } });
    expect(await sandbox.db.conversation.findUniqueOrThrow({ where: { contactId: order.contactId! } })).toMatchObject({ needsReply: false });
    expect(await sandbox.db.conversationEvent.findFirst({ where: { contactId: order.contactId!, kind: "HANDLED" } })).toMatchObject({ actorType: "STAFF", actorId: "2" });

    expect((await act(2, { intent: "opt-out" })).status).toBe(200);
    const contact = await sandbox.db.contact.findFirstOrThrow({ where: { shopId: shop.id, phoneE164: "+5511944443333" } });
    expect(contact).toMatchObject({ marketingConsent: false, marketingOptOutSource: "staff:2" });
    expect(await sandbox.db.consentRecord.findFirst({ where: { contactId: contact.id } })).toMatchObject({ granted: false, source: "staff:2" });
    expect(await threadPageAs(1)).toContain("This customer opted out of marketing messages (by Rafael Lima)");

    // A user the simulator was not told about: Shopify still names every staff account.
    expect((await act(555, { intent: "handled" })).status).toBe(200);
    expect(await sandbox.db.staffMember.findUnique({ where: { shopId_userId: { shopId: shop.id, userId: "555" } } })).toMatchObject({ name: "Staff 555" });

    // The other shop's user 1 is its own person (a generic account there), filed under that shop only.
    expect((await act(1, { intent: "handled" }, otherShop)).status).toBe(200);
    const other = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: otherShop } });
    expect(await sandbox.db.staffMember.findMany({ where: { shopId: other.id }, select: { userId: true, name: true } })).toEqual([{ userId: "1", name: "Staff 1" }]);
  });

  it("keeps online sessions per person beside the shop's offline session, and no staff name reaches the logs", async () => {
    const sessions = await sandbox.db.session.findMany({ where: { shop: sandbox.shopDomain }, orderBy: { id: "asc" } });
    const online = sessions.filter((s) => s.isOnline);
    expect(online.map((s) => [s.id, String(s.userId), s.firstName, s.lastName])).toEqual(
      expect.arrayContaining([
        [`${sandbox.shopDomain}_1`, "1", "Mariana", "Costa"],
        [`${sandbox.shopDomain}_2`, "2", "Rafael", "Lima"],
        [`${sandbox.shopDomain}_70`, "70", "Joana", "Pereira"],
      ]),
    );
    for (const session of online) {
      expect(session.expires!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
      expect(session.refreshTokenCiphertext).toBeNull();
      expect(session.accessTokenCiphertext).not.toMatch(/^shpat_/);
    }
    // Background work keeps the offline session: still there, still offline, naming nobody.
    expect(sessions.find((s) => s.id === `offline_${sandbox.shopDomain}`)).toMatchObject({ isOnline: false, userId: null, firstName: null });
    for (const name of ["Mariana", "Costa", "Joana", "Pereira", "Rafael", "owner@demo-store.example"]) expect(sandbox.appOutput()).not.toContain(name);
  });

  it("a refused offline token is exchanged again when someone opens the app, though their online token still works", async () => {
    const sessions = new EncryptedSessionStorage(() => sandbox.db, sandbox.config.encryptionKey);
    const offlineToken = async () => (await sessions.loadSession(`offline_${sandbox.shopDomain}`))!.accessToken!;
    const adminCall = async (token: string) =>
      (
        await fetch(`${sandbox.shopify.url}/admin/api/${ADMIN_API_VERSION}/graphql.json`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-shopify-access-token": token },
          body: JSON.stringify({ query: "{ shop { name } }" }),
        })
      ).status;
    // Staff member 1 has the app open (an online session)…
    expect((await fetch(sandbox.adminUrl("/app", { userId: 1 }), { headers: { "user-agent": BROWSER_UA } })).status).toBe(200);
    // …when Shopify stops accepting the offline token; background work found out and marked the shop.
    const refused = await offlineToken();
    sandbox.shopify.store.tokens.delete(refused);
    expect(await adminCall(refused)).toBe(401);
    await sandbox.db.shop.update({ where: { domain: sandbox.shopDomain }, data: { adminAuthLostAt: new Date() } });
    const online = (await sessions.loadSession(`${sandbox.shopDomain}_1`))!;
    expect(await adminCall(online.accessToken!)).toBe(200);

    const page = await fetch(sandbox.adminUrl("/app", { userId: 1 }), { headers: { "user-agent": BROWSER_UA } });
    expect(page.status).toBe(200);
    expect((await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } })).adminAuthLostAt).toBeNull();
    const renewed = await offlineToken();
    expect(renewed).not.toBe(refused);
    expect(await adminCall(renewed)).toBe(200);
  });

  it("an expired online token is exchanged again, with a fresh expiring offline token beside it", async () => {
    const sessions = new EncryptedSessionStorage(() => sandbox.db, sandbox.config.encryptionKey);
    const id = `${sandbox.shopDomain}_2`;
    expect((await fetch(sandbox.adminUrl("/app", { userId: 2 }), { headers: { "user-agent": BROWSER_UA } })).status).toBe(200);
    const before = { online: (await sessions.loadSession(id))!, offline: (await sessions.loadSession(`offline_${sandbox.shopDomain}`))! };
    // A day later Rafael's online token has expired.
    await sandbox.db.session.update({ where: { id }, data: { expires: new Date(Date.now() - 1000) } });

    expect(await threadPageAs(2)).toContain("#1014");
    const online = (await sessions.loadSession(id))!;
    expect(online.accessToken).not.toBe(before.online.accessToken);
    expect(online.expires!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(online.onlineAccessInfo?.associated_user).toMatchObject({ id: 2, first_name: "Rafael", last_name: "Lima" });
    const offline = (await sessions.loadSession(`offline_${sandbox.shopDomain}`))!;
    expect(offline.accessToken).not.toBe(before.offline.accessToken);
    expect(offline).toMatchObject({ isOnline: false, refreshToken: expect.any(String) });
    expect(offline.expires!.getTime()).toBeLessThan(Date.now() + 3600_000 + 60_000);
  });

  it("the simulator answers online token exchange as Shopify documents it, limited to what the person may do", async () => {
    await simJson(sandbox.shopify.url, "shopify/staff", {
      method: "POST",
      body: { shop: sandbox.shopDomain, id: 71, firstName: "Caio", lastName: "Souza", scopes: ["read_orders", "read_customers"], locale: "es" },
    });
    const exchange = (userId: string, requestedTokenType = "urn:shopify:params:oauth:token-type:online-access-token") =>
      fetch(`${sandbox.shopify.url}/admin/oauth/access_token`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          client_id: sandbox.config.SHOPIFY_API_KEY,
          client_secret: sandbox.config.SHOPIFY_API_SECRET,
          grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
          subject_token: signSessionToken({ shop: sandbox.shopDomain, apiKey: sandbox.config.SHOPIFY_API_KEY, apiSecret: sandbox.config.SHOPIFY_API_SECRET, userId }),
          subject_token_type: "urn:ietf:params:oauth:token-type:id_token",
          requested_token_type: requestedTokenType,
          expiring: "1",
        }),
      });
    const answer = await exchange("71");
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({
      access_token: expect.stringMatching(/^shpat_/),
      scope: sandbox.env.SCOPES,
      expires_in: 86_399,
      associated_user_scope: "read_orders,read_customers",
      associated_user: { id: 71, first_name: "Caio", last_name: "Souza", email: "staff-71@demo-store.example", email_verified: true, account_owner: false, locale: "es", collaborator: false },
    });
    expect(await (await exchange("not-a-user")).json()).toMatchObject({ error: "invalid_subject_token" });
    expect(await (await exchange("71", "urn:shopify:params:oauth:token-type:something-else")).json()).toMatchObject({ error: "invalid_request" });
  });
});
