import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { encryptSecret } from "../app/core/crypto.server";
import { parseReason } from "../app/core/reasons";
import { graphClient } from "../app/whatsapp/client.server";
import { continueOnboarding, disconnectWhatsApp, storeSignup } from "../app/whatsapp/signup.server";
import { signupRedirectUri, createSignupState } from "../app/whatsapp/signup-redirect.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { installShop } from "../sandbox/seed";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, simJson } from "./helpers/http";

interface SimPhone {
  id: string;
  registered: boolean;
  syncRequests: { syncType: string }[];
}
interface SimState {
  wabas: { id: string; subscribed: boolean; phoneNumbers: SimPhone[] }[];
}

describe("Connect WhatsApp: onboarding against the simulator over HTTP", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, seed: false, simSettings: { statusDelayMs: 5 } });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  let shopCounter = 0;
  async function newShop() {
    const domain = `connect-${++shopCounter}-${Date.now()}.myshopify.com`;
    const shop = await installShop(sandbox.db, sandbox.config, domain);
    return { domain, id: shop.id };
  }
  const mintCode = async (body: Record<string, unknown> = {}) => (await simJson<{ code: string }>(sandbox.simUrl, "signup-codes", { method: "POST", body })).code;
  const simState = async () => (await simJson<SimState>(sandbox.simUrl, "state")).wabas[0]!;
  const phone = async (id: string) => (await simState()).phoneNumbers.find((p) => p.id === id)!;
  const account = (shopId: string) => sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId } });

  async function signup(domain: string, body: unknown) {
    const response = await fetch(`${sandbox.appUrl}/app/signup`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken(domain)}`, "content-type": "application/json", "user-agent": BROWSER_UA },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { ok: boolean; state: string; step?: string; reason?: string } };
  }

  it("refuses a request without a session token and stores nothing", async () => {
    const before = await sandbox.db.whatsAppAccount.count();
    const response = await fetch(`${sandbox.appUrl}/app/signup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ intent: "signup", code: "x" }) });
    expect(response.ok).toBe(false);
    expect(await sandbox.db.whatsAppAccount.count()).toBe(before);
  });

  it("names the bad field of a malformed request", async () => {
    const { domain } = await newShop();
    const result = await signup(domain, { intent: "signup" });
    expect(result.status).toBe(400);
    expect(result.body.reason).toMatch(/^code:/);
  });

  it("standard path: the number ends registered and subscribed, the token encrypted", async () => {
    const { domain, id } = await newShop();
    expect((await phone(SEED.cloudPhoneNumberId)).registered).toBe(false);
    const event = { type: "WA_EMBEDDED_SIGNUP", event: "FINISH", data: { phone_number_id: SEED.cloudPhoneNumberId, waba_id: SEED.wabaId, business_id: SEED.businessId } };
    const result = await signup(domain, { intent: "signup", code: await mintCode(), event });
    expect(result).toEqual({ status: 200, body: { ok: true, state: "CONNECTED" } });

    const stored = await account(id);
    expect(stored).toMatchObject({
      onboardingState: "CONNECTED",
      coexistence: false,
      wabaId: SEED.wabaId,
      phoneNumberId: SEED.cloudPhoneNumberId,
      displayPhoneNumber: "+1 555-010-0001",
      qualityRating: "GREEN",
      messagingLimitTier: "TIER_2K",
      currency: "USD",
      timezone: "America/Sao_Paulo",
      contactsSyncRequestedAt: null,
      historySyncRequestedAt: null,
    });
    expect(stored.registeredAt).not.toBeNull();
    // The number was read just now: the worker's health reading comes hours later, not at its next look.
    expect(stored.healthSyncedAt).not.toBeNull();
    expect(stored.subscribedAt).not.toBeNull();
    expect(stored.accessTokenCiphertext).toMatch(/^v1:/);
    expect((await phone(SEED.cloudPhoneNumberId)).registered).toBe(true);
    expect((await simState()).subscribed).toBe(true);
    // Connected: the worker loads the shop's orders of the last 60 days (tests/backfill.test.ts).
    const backfill = await sandbox.db.backfill.findUniqueOrThrow({ where: { shopId: id } });
    expect(Date.now() - backfill.since.getTime()).toBeGreaterThanOrEqual(60 * 24 * 60 * 60 * 1000);

    // The code lives once: replaying the same signup fails at the token step and changes nothing.
    const replay = await signup(domain, { intent: "signup", code: "sim-code-used", event });
    expect(replay.body).toMatchObject({ ok: false, step: "token" });
    expect((await account(id)).onboardingState).toBe("CONNECTED");
  });

  it("Coexistence: subscribed, never registered, both syncs requested exactly once, even when retried", async () => {
    const { domain, id } = await newShop();
    const event = { type: "WA_EMBEDDED_SIGNUP", event: "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING", version: 3, data: { waba_id: SEED.wabaId } };
    const result = await signup(domain, { intent: "signup", code: await mintCode({ coexistence: true }), event });
    expect(result.body).toEqual({ ok: true, state: "CONNECTED" });

    const stored = await account(id);
    expect(stored).toMatchObject({ coexistence: true, phoneNumberId: SEED.coexistencePhoneNumberId, displayPhoneNumber: "+55 11 98765-0002", registeredAt: null, throughputLevel: "COEXISTENCE" });
    expect(stored.contactsSyncRequestedAt).not.toBeNull();
    expect(stored.historySyncRequestedAt).not.toBeNull();
    expect(stored.contactsSyncRequestId).toMatch(/^[0-9a-f]+$/);
    const syncs = () => phone(SEED.coexistencePhoneNumberId).then((p) => p.syncRequests.map((r) => r.syncType).sort());
    expect(await syncs()).toEqual(["history", "smb_app_state_sync"]);

    // Resuming a finished onboarding repeats nothing.
    expect((await signup(domain, { intent: "resume" })).body).toEqual({ ok: true, state: "CONNECTED" });
    // A lost response: the app did not record the contacts sync; Meta answers 2593107 and that counts as done.
    await sandbox.db.whatsAppAccount.update({ where: { shopId: id }, data: { contactsSyncRequestedAt: null, onboardingState: "SUBSCRIBED" } });
    expect((await signup(domain, { intent: "resume" })).body).toEqual({ ok: true, state: "CONNECTED" });
    expect(await syncs()).toEqual(["history", "smb_app_state_sync"]);
    expect((await account(id)).contactsSyncRequestedAt).not.toBeNull();
  });

  it("a number connected by another shop leaves this one disconnected, and resuming does not bring it back without a number", async () => {
    const first = await newShop();
    const second = await newShop();
    const event = { type: "WA_EMBEDDED_SIGNUP", event: "FINISH", data: { phone_number_id: SEED.cloudPhoneNumberId, waba_id: SEED.wabaId, business_id: SEED.businessId } };
    expect((await signup(first.domain, { intent: "signup", code: await mintCode(), event })).body).toEqual({ ok: true, state: "CONNECTED" });
    expect((await signup(second.domain, { intent: "signup", code: await mintCode(), event })).body).toEqual({ ok: true, state: "CONNECTED" });
    expect(await account(first.id)).toMatchObject({ onboardingState: "DISCONNECTED", disconnectReason: "NUMBER_MOVED", phoneNumberId: null });

    expect(await signup(first.domain, { intent: "resume" })).toEqual({ status: 422, body: { ok: false, state: "DISCONNECTED", step: "signup", reason: expect.any(String) } });
    expect(await account(first.id)).toMatchObject({ onboardingState: "DISCONNECTED", disconnectReason: "NUMBER_MOVED", phoneNumberId: null });
    expect(await account(second.id)).toMatchObject({ onboardingState: "CONNECTED", phoneNumberId: SEED.cloudPhoneNumberId });
  });

  it("a step that finds its onboarding disconnected, or replaced by a new signup, while Meta answered writes nothing over it", async () => {
    const business = () => simJson<{ businessId: string; wabaId: string; phoneNumberId: string; accessToken: string }>(sandbox.simUrl, "businesses", { method: "POST", body: {} });
    const exchanged = (shopId: string, b: Awaited<ReturnType<typeof business>>) =>
      storeSignup(sandbox.db, shopId, {
        wabaId: b.wabaId,
        businessId: b.businessId,
        phoneNumberId: b.phoneNumberId,
        coexistence: false,
        accessTokenCiphertext: encryptSecret(b.accessToken, sandbox.config.encryptionKey),
        tokenExpiresAt: null,
        signupCompletedAt: new Date(),
      });
    const deps = { db: sandbox.db, config: sandbox.config, graph: graphClient(sandbox.config) };
    // Meta accepts the subscription; before the app writes that down, `meanwhile` happens.
    function subscribingWhile(meanwhile: () => Promise<unknown>) {
      const graph = graphClient(sandbox.config);
      const withToken = graph.withToken.bind(graph);
      graph.withToken = (token) => {
        const client = withToken(token);
        const subscribe = client.subscribeApp.bind(client);
        client.subscribeApp = async (wabaId) => {
          const answer = await subscribe(wabaId);
          await meanwhile();
          return answer;
        };
        return client;
      };
      return { ...deps, graph };
    }
    const registered = async (phoneNumberId: string) => (await simJson<SimState>(sandbox.simUrl, "state")).wabas.flatMap((w) => w.phoneNumbers).find((p) => p.id === phoneNumberId)?.registered;

    // The merchant disconnects: the account stays disconnected, without its token, and the number is not registered.
    const left = await newShop();
    const leftBusiness = await business();
    await exchanged(left.id, leftBusiness);
    const disconnect = subscribingWhile(() => disconnectWhatsApp(deps, left.id, "MERCHANT_DISCONNECTED"));
    expect(await continueOnboarding(disconnect, left.id)).toEqual({ ok: false, state: "DISCONNECTED", step: "signup", reason: "ONBOARDING_REPLACED" });
    expect(await account(left.id)).toMatchObject({ onboardingState: "DISCONNECTED", accessTokenCiphertext: null, subscribedAt: null, registeredAt: null, connectedAt: null });
    expect(await registered(leftBusiness.phoneNumberId)).toBe(false);

    // A new signup (another business) starts: it keeps its own fresh onboarding, which then finishes on its own.
    const again = await newShop();
    await exchanged(again.id, await business());
    const next = await business();
    const resign = subscribingWhile(() => exchanged(again.id, next));
    expect(await continueOnboarding(resign, again.id)).toEqual({ ok: false, state: "TOKEN_EXCHANGED", step: "signup", reason: "ONBOARDING_REPLACED" });
    expect(await account(again.id)).toMatchObject({ wabaId: next.wabaId, phoneNumberId: next.phoneNumberId, onboardingState: "TOKEN_EXCHANGED", displayPhoneNumber: null, subscribedAt: null });
    expect(await continueOnboarding(deps, again.id)).toEqual({ ok: true, state: "CONNECTED" });
    expect(await account(again.id)).toMatchObject({ wabaId: next.wabaId, onboardingState: "CONNECTED" });
    expect(await registered(next.phoneNumberId)).toBe(true);
  });

  it("a failed step leaves a resumable state with the reason, and resuming finishes", async () => {
    const { domain, id } = await newShop();
    await simJson(sandbox.simUrl, "fail-next", { method: "POST", body: { code: 131000, path: "register" } });
    const event = { type: "WA_EMBEDDED_SIGNUP", event: "FINISH", data: { phone_number_id: SEED.cloudPhoneNumberId, waba_id: SEED.wabaId } };
    const failed = await signup(domain, { intent: "signup", code: await mintCode(), event });
    expect(failed.status).toBe(422);
    expect(failed.body).toMatchObject({ ok: false, state: "SUBSCRIBED", step: "register" });
    const stored = await account(id);
    expect(stored.onboardingState).toBe("SUBSCRIBED");
    expect(parseReason(stored.onboardingError ?? "")).toMatchObject({ code: "META_ERROR", params: { code: "131000" }, detail: expect.stringMatching(/^\(#131000\) Simulated failure/) });

    // The page offers "Resume", and the home page says onboarding is unfinished.
    const home = await (await fetch(sandbox.adminUrl("/app", { shop: domain }), { headers: { "user-agent": BROWSER_UA } })).text();
    expect(home).toContain("Connecting WhatsApp did not finish");
    // The connection page says why in the merchant's language, never the stored code or the onboarding state.
    const connect = await (await fetch(sandbox.adminUrl("/app/connect", { shop: domain, locale: "es" }), { headers: { "user-agent": BROWSER_UA } })).text();
    const banner = /La conexión de WhatsApp no terminó: [^<]*/.exec(connect)?.[0] ?? "";
    expect(banner).toContain("WhatsApp rechazó el mensaje (error 131000)");
    expect(banner).not.toMatch(/META_ERROR|SUBSCRIBED/);

    expect((await signup(domain, { intent: "resume" })).body).toEqual({ ok: true, state: "CONNECTED" });
    expect(await account(id)).toMatchObject({ onboardingState: "CONNECTED", onboardingError: null });
  });

  it("a cancel or an error reported by Meta changes nothing", async () => {
    const { domain, id } = await newShop();
    const cancel = await signup(domain, { intent: "signup", code: "unused", event: { type: "WA_EMBEDDED_SIGNUP", event: "CANCEL", data: { current_step: "PHONE_NUMBER_SETUP" } } });
    expect(cancel.body).toMatchObject({ ok: false, step: "signup", reason: "SIGNUP_CANCELLED?detail=PHONE_NUMBER_SETUP" });
    const error = await signup(domain, {
      intent: "signup",
      code: "unused",
      event: { type: "WA_EMBEDDED_SIGNUP", event: "CANCEL", data: { error_message: "Phone number already registered", error_id: "1" } },
    });
    expect(parseReason(error.body.reason ?? "")).toMatchObject({ code: "SIGNUP_META_ERROR", detail: expect.stringContaining("Phone number already registered") });
    expect(await sandbox.db.whatsAppAccount.findUnique({ where: { shopId: id } })).toBeNull();
  });

  const parkedRow = (shopId: string) => sandbox.db.parkedSignup.findUnique({ where: { shopId } });

  it("redirect fallback: the callback exchanges the code with the same redirect_uri, parks what the token reaches, and a staff member connects it", async () => {
    const { domain, id } = await newShop();
    const redirectUri = signupRedirectUri(sandbox.config);
    const code = await mintCode({ coexistence: true, redirectUri });
    const state = createSignupState({ shop: domain, coexistence: true }, sandbox.config.encryptionKey);
    const response = await fetch(`${sandbox.appUrl}/signup/callback?${new URLSearchParams({ code, state })}`);
    const parkedPage = await response.text();
    expect(response.status).toBe(200);
    // The request had no admin session: nothing is connected until someone in the admin confirms the number shown.
    expect(parkedPage).toContain("Almost done: +55 11 98765-0002 is ready.");
    expect(await sandbox.db.whatsAppAccount.findUnique({ where: { shopId: id } })).toBeNull();
    const parked = await parkedRow(id);
    expect(parked).toMatchObject({ wabaId: SEED.wabaId, phoneNumberId: SEED.coexistencePhoneNumberId, displayPhoneNumber: "+55 11 98765-0002" });

    const confirmed = await signup(domain, { intent: "confirm-parked" });
    expect(confirmed).toEqual({ status: 200, body: { ok: true, state: "CONNECTED" } });
    // No session event in this mode: the number itself says it is on the Business app.
    expect(await account(id)).toMatchObject({ onboardingState: "CONNECTED", coexistence: true, registeredAt: null, phoneNumberId: SEED.coexistencePhoneNumberId });
    expect(await parkedRow(id)).toBeNull();
    // Confirmed once: a second confirmation has nothing to connect.
    expect(await signup(domain, { intent: "confirm-parked" })).toMatchObject({ status: 422, body: { ok: false, state: "CONNECTED", reason: "SIGNUP_NOT_STARTED" } });

    // The link is spent: replayed with another business's code (a link left in a history or a log), it parks nothing.
    const connected = await account(id);
    const other = await simJson<{ wabaId: string }>(sandbox.simUrl, "businesses", { method: "POST", body: {} });
    expect(other.wabaId).not.toBe(connected.wabaId);
    const replayed = await fetch(`${sandbox.appUrl}/signup/callback?${new URLSearchParams({ code: await mintCode({ wabaId: other.wabaId, redirectUri }), state })}`);
    expect(replayed.status).toBe(422);
    expect(await replayed.text()).toContain("This signup link was already used to connect WhatsApp. To connect again, reload the app's WhatsApp connection page");
    expect(await parkedRow(id)).toBeNull();
    expect(await account(id)).toEqual(connected);
    // A link made after that signup parks as the first did, in the language of the staff member who opened it.
    const fresh = createSignupState({ shop: domain, coexistence: true, locale: "es" }, sandbox.config.encryptionKey);
    const again = await fetch(`${sandbox.appUrl}/signup/callback?${new URLSearchParams({ code: await mintCode({ coexistence: true, redirectUri }), state: fresh })}`);
    const againPage = await again.text();
    expect(againPage).toContain('<html lang="es">');
    expect(againPage).toContain("Casi listo: +55 11 98765-0002 está preparado.");
    expect(again.status).toBe(200);
    expect(await signup(domain, { intent: "discard-parked" })).toEqual({ status: 200, body: { ok: true } });
    expect(await parkedRow(id)).toBeNull();
    expect(await account(id)).toEqual(connected);

    // A link that cannot be read names no one: the language the browser weighs highest of those the app speaks.
    const forged = await fetch(`${sandbox.appUrl}/signup/callback?${new URLSearchParams({ code: await mintCode({ redirectUri }), state: state.replace(/.$/, "x") })}`, {
      headers: { "accept-language": "fr-CA,fr;q=0.9,pt-BR;q=0.8,en;q=0.5" },
    });
    const forgedPage = await forged.text();
    expect(forgedPage).toContain('<html lang="pt-BR">');
    expect(forgedPage).toContain("Este link de cadastro é inválido ou expirou.");
    expect(forged.status).toBe(400);
    const cancelled = await fetch(`${sandbox.appUrl}/signup/callback?${new URLSearchParams({ error: "access_denied", state })}`);
    expect(cancelled.status).toBe(400);
  });

  it("redirect fallback: a leaked link parks another business's number without touching the connection, for this shop's staff only and for 30 minutes", async () => {
    const { domain, id } = await newShop();
    const sister = await newShop();
    await signup(domain, {
      intent: "signup",
      code: await mintCode(),
      event: { type: "WA_EMBEDDED_SIGNUP", event: "FINISH", data: { phone_number_id: SEED.cloudPhoneNumberId, waba_id: SEED.wabaId } },
    });
    const connected = await account(id);
    expect(connected.onboardingState).toBe("CONNECTED");

    // Someone else opens a link the shop made after connecting, and finishes Meta's dialog with their own business.
    const redirectUri = signupRedirectUri(sandbox.config);
    const intruder = await simJson<{ wabaId: string; phoneNumberId: string }>(sandbox.simUrl, "businesses", { method: "POST", body: {} });
    const link = createSignupState({ shop: domain, coexistence: false }, sandbox.config.encryptionKey);
    const parkedPage = await fetch(`${sandbox.appUrl}/signup/callback?${new URLSearchParams({ code: await mintCode({ wabaId: intruder.wabaId, redirectUri }), state: link })}`);
    expect(parkedPage.status).toBe(200);
    expect(await parkedRow(id)).toMatchObject({ wabaId: intruder.wabaId, phoneNumberId: intruder.phoneNumberId });
    // The shop keeps sending from its own number.
    expect(await account(id)).toEqual(connected);

    // Another shop's staff cannot connect it: their shop has nothing parked.
    expect(await signup(sister.domain, { intent: "confirm-parked" })).toMatchObject({ status: 422, body: { ok: false, reason: "SIGNUP_NOT_STARTED" } });
    expect(await sandbox.db.whatsAppAccount.findUnique({ where: { shopId: sister.id } })).toBeNull();
    expect(await parkedRow(id)).not.toBeNull();

    // Left for more than a link's lifetime, it cannot be connected and is forgotten.
    await sandbox.db.parkedSignup.update({ where: { shopId: id }, data: { parkedAt: new Date(Date.now() - 31 * 60 * 1000) } });
    expect(await signup(domain, { intent: "confirm-parked" })).toMatchObject({ status: 422, body: { ok: false, state: "CONNECTED", reason: "SIGNUP_NOT_STARTED" } });
    expect(await parkedRow(id)).toBeNull();
    expect(await account(id)).toEqual(connected);

    // One nobody confirms or discards is deleted, its token with it, when the connect page next loads past its lifetime.
    const next = createSignupState({ shop: domain, coexistence: false }, sandbox.config.encryptionKey);
    expect((await fetch(`${sandbox.appUrl}/signup/callback?${new URLSearchParams({ code: await mintCode({ wabaId: intruder.wabaId, redirectUri }), state: next })}`)).status).toBe(200);
    const connectPage = () => fetch(`${sandbox.appUrl}/app/connect.data`, { headers: { authorization: `Bearer ${sandbox.sessionToken(domain)}`, "user-agent": BROWSER_UA } });
    expect((await connectPage()).status).toBe(200);
    expect(await parkedRow(id)).not.toBeNull();
    await sandbox.db.parkedSignup.update({ where: { shopId: id }, data: { parkedAt: new Date(Date.now() - 31 * 60 * 1000) } });
    expect((await connectPage()).status).toBe(200);
    expect(await parkedRow(id)).toBeNull();
  });

  it("redirect fallback: a link is used once, even when that use failed, and of two uses at once one parks", async () => {
    const { domain, id } = await newShop();
    const redirectUri = signupRedirectUri(sandbox.config);
    const callback = (code: string, state: string) => fetch(`${sandbox.appUrl}/signup/callback?${new URLSearchParams({ code, state })}`);

    // A first use whose code Meta refuses stops at the token step; the link cannot be tried again with another code.
    const link = createSignupState({ shop: domain, coexistence: true }, sandbox.config.encryptionKey);
    const failed = await callback("not-a-code-meta-issued", link);
    expect(failed.status).toBe(422);
    expect(await failed.text()).not.toContain("This signup link was already used");
    const retried = await callback(await mintCode({ coexistence: true, redirectUri }), link);
    expect(retried.status).toBe(422);
    expect(await retried.text()).toContain("This signup link was already used to connect WhatsApp. To connect again, reload the app's WhatsApp connection page");
    expect(await parkedRow(id)).toBeNull();

    // Two uses of one new link at the same moment, with two businesses' codes: one parks, the other is refused.
    const fresh = createSignupState({ shop: domain, coexistence: false }, sandbox.config.encryptionKey);
    const businesses = [
      await simJson<{ wabaId: string }>(sandbox.simUrl, "businesses", { method: "POST", body: {} }),
      await simJson<{ wabaId: string }>(sandbox.simUrl, "businesses", { method: "POST", body: {} }),
    ];
    const codes = await Promise.all(businesses.map((business) => mintCode({ wabaId: business.wabaId, redirectUri })));
    const answers = await Promise.all(codes.map((code) => callback(code, fresh)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 422]);
    const winner = businesses[answers.findIndex((answer) => answer.status === 200)]!;
    expect(await signup(domain, { intent: "confirm-parked" })).toMatchObject({ status: 200, body: { ok: true, state: "CONNECTED" } });
    expect(await account(id)).toMatchObject({ wabaId: winner.wabaId });
  });

  it("disconnect from the settings page unsubscribes (the WABA's last store) and forgets the token", async () => {
    const { domain, id } = await newShop();
    await signup(domain, {
      intent: "signup",
      code: await mintCode(),
      event: { type: "WA_EMBEDDED_SIGNUP", event: "FINISH", data: { phone_number_id: SEED.cloudPhoneNumberId, waba_id: SEED.wabaId } },
    });
    // The stores the tests above connected to other numbers of this WABA leave first (tests/real-inputs: one that stays keeps the subscription).
    await sandbox.db.whatsAppAccount.updateMany({ where: { wabaId: SEED.wabaId, NOT: { shopId: id } }, data: { onboardingState: "DISCONNECTED" } });
    expect((await simState()).subscribed).toBe(true);
    const response = await fetch(`${sandbox.appUrl}/app/connect`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken(domain)}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
      body: "intent=disconnect",
    });
    expect(response.status).toBeLessThan(400);
    expect(await account(id)).toMatchObject({ onboardingState: "DISCONNECTED", accessTokenCiphertext: null, disconnectReason: "MERCHANT_DISCONNECTED" });
    expect((await simState()).subscribed).toBe(false);
  });
});

describe("Meta webhooks for a connected Coexistence number", () => {
  let sandbox: Sandbox;
  let shopId: string;
  let domain: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, seed: false, simSettings: { statusDelayMs: 5 } });
    domain = "coex-shop.myshopify.com";
    shopId = (await installShop(sandbox.db, sandbox.config, domain)).id;
    const { code } = await simJson<{ code: string }>(sandbox.simUrl, "signup-codes", { method: "POST", body: { coexistence: true } });
    const response = await fetch(`${sandbox.appUrl}/app/signup`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken(domain)}`, "content-type": "application/json", "user-agent": BROWSER_UA },
      body: JSON.stringify({ intent: "signup", code, event: { type: "WA_EMBEDDED_SIGNUP", event: "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING", data: { waba_id: SEED.wabaId } } }),
    });
    expect(response.status).toBe(200);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const idle = () => sandbox.settled();
  const home = async () => (await fetch(sandbox.adminUrl("/app", { shop: domain }), { headers: { "user-agent": BROWSER_UA } })).text();

  it("an echo from the phone app appears as an outgoing message sent from the phone app", async () => {
    const { wamid } = await simJson<{ wamid: string }>(sandbox.simUrl, "echo", { method: "POST", body: { to: "+5511987654321", text: "Olá! Seu pedido já saiu 🚚" } });
    await idle();
    const message = await sandbox.db.message.findFirstOrThrow({ where: { shopId, wamid } });
    expect(message).toMatchObject({ direction: "OUT", source: "PHONE_APP", status: "SENT", body: "Olá! Seu pedido já saiu 🚚", recipientPhone: "+5511987654321" });
    expect((await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId } })).lastPhoneAppActivityAt).not.toBeNull();
  });

  it("a customer message becomes an incoming message and opens the service window", async () => {
    const { wamid } = await simJson<{ wamid: string }>(sandbox.simUrl, "inbound", {
      method: "POST",
      body: { from: "+5511912345678", text: "¿Dónde está mi pedido?", name: "Lucía", phoneNumberId: SEED.coexistencePhoneNumberId, userId: "BR.1234567890abcdef" },
    });
    await idle();
    const message = await sandbox.db.message.findFirstOrThrow({ where: { shopId, wamid }, include: { contact: true } });
    expect(message).toMatchObject({ direction: "IN", source: "CUSTOMER", body: "¿Dónde está mi pedido?" });
    expect(message.contact).toMatchObject({ phoneE164: "+5511912345678", bsuid: "BR.1234567890abcdef", name: "Lucía", countryCode: "BR", market: "Brazil" });
    expect(message.contact?.lastInboundAt).not.toBeNull();
  });

  it("history sync fills old messages without opening a window, and records progress or a refusal", async () => {
    await simJson(sandbox.simUrl, "webhook", {
      method: "POST",
      body: {
        field: "history",
        value: {
          messaging_product: "whatsapp",
          metadata: { display_phone_number: "5511987650002", phone_number_id: SEED.coexistencePhoneNumberId },
          history: [
            {
              metadata: { phase: 0, chunk_order: 1, progress: 40 },
              threads: [
                {
                  id: "5511955554444",
                  messages: [
                    {
                      from: "5511987650002",
                      to: "5511955554444",
                      id: "wamid.hist.1",
                      timestamp: "1739230955",
                      type: "text",
                      text: { body: "Obrigado pela compra!" },
                      history_context: { status: "READ" },
                    },
                    { from: "5511955554444", id: "wamid.hist.2", timestamp: "1739230970", type: "text", text: { body: "Eu que agradeço" } },
                  ],
                },
              ],
            },
          ],
        },
      },
    });
    await idle();
    const history = await sandbox.db.message.findMany({ where: { shopId, source: "HISTORY" }, orderBy: { occurredAt: "asc" }, include: { contact: true } });
    expect(history.map((m) => [m.direction, m.status, m.body])).toEqual([
      ["OUT", "READ", "Obrigado pela compra!"],
      ["IN", "RECEIVED", "Eu que agradeço"],
    ]);
    expect(history[0]!.contact?.lastInboundAt).toBeNull();
    expect((await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId } })).historySyncProgress).toBe(40);

    await simJson(sandbox.simUrl, "webhook", {
      method: "POST",
      body: {
        field: "history",
        value: {
          messaging_product: "whatsapp",
          metadata: { phone_number_id: SEED.coexistencePhoneNumberId },
          history: [{ errors: [{ code: 2593109, title: "History sync is turned off by the business" }] }],
        },
      },
    });
    await idle();
    expect((await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId } })).historySyncError).toMatch(/not to share/);
  });

  it("warns on the home page before the phone-app inactivity limit, and past it", async () => {
    const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 60 * 60 * 1000);
    await sandbox.db.whatsAppAccount.update({ where: { shopId }, data: { lastPhoneAppActivityAt: daysAgo(2) } });
    expect(await home()).not.toContain("has not been used for");
    await sandbox.db.whatsAppAccount.update({ where: { shopId }, data: { lastPhoneAppActivityAt: daysAgo(11) } });
    expect(await home()).toContain("has not been used for 11 days. Open it soon: after 13 days");
    await sandbox.db.whatsAppAccount.update({ where: { shopId }, data: { lastPhoneAppActivityAt: daysAgo(14) } });
    expect(await home()).toContain("has not been used for 14 days. Open it now");
  });

  it("template review webhooks update the template; Meta's disconnect is shown with the way back", async () => {
    await sandbox.db.template.create({ data: { shopId, name: "order_confirmation", language: "es", category: "UTILITY", status: "PENDING", components: [] } });
    await simJson(sandbox.simUrl, "webhook", {
      method: "POST",
      body: {
        field: "message_template_status_update",
        value: { event: "APPROVED", message_template_id: 1, message_template_name: "order_confirmation", message_template_language: "es", reason: "NONE" },
      },
    });
    await simJson(sandbox.simUrl, "webhook", {
      method: "POST",
      body: { field: "account_update", value: { event: "PARTNER_REMOVED", waba_info: { waba_id: SEED.wabaId, owner_business_id: SEED.businessId }, phone_number: "5511987650002" } },
    });
    await idle();
    expect((await sandbox.db.template.findFirstOrThrow({ where: { shopId, name: "order_confirmation" } })).status).toBe("APPROVED");
    expect(await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId } })).toMatchObject({ onboardingState: "DISCONNECTED", disconnectReason: "PARTNER_REMOVED" });
    const page = await home();
    expect(page).toContain("Your WhatsApp Business Account is no longer shared with this app");
    expect(page).toContain("Go to WhatsApp connection");

    await simJson(sandbox.simUrl, "webhook", { method: "POST", body: { field: "account_update", value: { event: "ACCOUNT_RECONNECTED", waba_info: { waba_id: SEED.wabaId } } } });
    await idle();
    expect((await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId } })).onboardingState).toBe("CONNECTED");
  });
});
