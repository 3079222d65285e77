import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createSignupState, signupRedirectUri } from "../app/whatsapp/signup-redirect.server";
import { WhatsAppClient } from "../app/whatsapp/client.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { installShop } from "../sandbox/seed";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, simJson } from "./helpers/http";

// The session event comes from the browser: a shop that finishes Embedded
// Signup with its own business must not take another business's number by
// naming its ids. Real HTTP against the app and the simulator, real database.

interface Business {
  businessId: string;
  wabaId: string;
  phoneNumberId: string;
  accessToken: string;
}
interface SignupReply {
  ok: boolean;
  state: string;
  step?: string;
  reason?: string;
}

describe("Embedded Signup only connects what the signed-in business owns", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, seed: false, simSettings: { statusDelayMs: 5 } });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  let shopCounter = 0;
  async function newShop(role: string) {
    const domain = `${role}-${++shopCounter}-${Date.now()}.myshopify.com`;
    return { domain, id: (await installShop(sandbox.db, sandbox.config, domain)).id };
  }
  const newBusiness = (body: Record<string, unknown> = {}) => simJson<Business>(sandbox.simUrl, "businesses", { method: "POST", body });
  const mintCode = async (body: Record<string, unknown>) => (await simJson<{ code: string }>(sandbox.simUrl, "signup-codes", { method: "POST", body })).code;
  const finish = (data: Record<string, string>) => ({ type: "WA_EMBEDDED_SIGNUP", event: "FINISH", version: 3, data });
  const account = (shopId: string) => sandbox.db.whatsAppAccount.findUnique({ where: { shopId } });

  async function signup(domain: string, code: string, event: unknown): Promise<{ status: number; body: SignupReply }> {
    const response = await fetch(`${sandbox.appUrl}/app/signup`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken(domain)}`, "content-type": "application/json", "user-agent": BROWSER_UA },
      body: JSON.stringify({ intent: "signup", code, event }),
    });
    return { status: response.status, body: (await response.json()) as SignupReply };
  }

  /** A shop that legitimately connected the seeded Cloud API number (it takes the number from any earlier victim). */
  async function connectedVictim() {
    const victim = await newShop("victim");
    const event = finish({ waba_id: SEED.wabaId, phone_number_id: SEED.cloudPhoneNumberId, business_id: SEED.businessId });
    expect((await signup(victim.domain, await mintCode({ wabaId: SEED.wabaId }), event)).body).toEqual({ ok: true, state: "CONNECTED" });
    const row = (await account(victim.id))!;
    expect(row).toMatchObject({ onboardingState: "CONNECTED", wabaId: SEED.wabaId, phoneNumberId: SEED.cloudPhoneNumberId });
    return { ...victim, row };
  }

  it("the simulator keeps a second business's token to its own WABA, as Meta does", async () => {
    const business = await newBusiness({ name: "Attacker Store" });
    const client = new WhatsAppClient({ baseUrl: sandbox.simUrl, version: "v25.0", accessToken: business.accessToken });

    const debug = await client.debugToken(business.accessToken, `${sandbox.config.META_APP_ID}|${sandbox.config.META_APP_SECRET}`);
    expect(debug.ok && (debug.value.data.granular_scopes ?? []).flatMap((s) => s.target_ids ?? [])).toEqual([business.wabaId, business.wabaId]);
    expect(await client.listPhoneNumbers(business.wabaId)).toMatchObject({ ok: true, value: { data: [{ id: business.phoneNumberId }] } });

    expect(await client.listPhoneNumbers(SEED.wabaId)).toMatchObject({ ok: false, error: { code: 100, httpStatus: 400 } });
    expect(await client.getPhoneNumber(SEED.cloudPhoneNumberId)).toMatchObject({ ok: false, error: { code: 100 } });
    expect(await client.registerNumber(SEED.cloudPhoneNumberId, "123456")).toMatchObject({ ok: false, error: { code: 100 } });
    const raw = await fetch(`${sandbox.simUrl}/v25.0/${SEED.cloudPhoneNumberId}`, { headers: { authorization: `Bearer ${business.accessToken}` } });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({
      error: {
        code: 100,
        error_subcode: 33,
        type: "GraphMethodException",
        message: expect.stringContaining(`Object with ID '${SEED.cloudPhoneNumberId}' does not exist, cannot be loaded due to missing permissions`),
      },
    });

    // debug_token answers only to the app's own token.
    expect(await client.debugToken(business.accessToken, business.accessToken)).toMatchObject({ ok: false, error: { code: 190 } });
  });

  it.each([
    { claim: "the victim's WABA and number", event: (own: Business) => finish({ waba_id: SEED.wabaId, phone_number_id: SEED.cloudPhoneNumberId, business_id: own.businessId }) },
    { claim: "its own WABA with the victim's number", event: (own: Business) => finish({ waba_id: own.wabaId, phone_number_id: SEED.cloudPhoneNumberId, business_id: own.businessId }) },
    {
      claim: "the victim's WABA alone (Coexistence finish)",
      event: () => ({ type: "WA_EMBEDDED_SIGNUP", event: "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING", version: 3, data: { waba_id: SEED.wabaId } }),
    },
  ])("refuses a signup whose event names $claim, and writes nothing", async ({ event }) => {
    const victim = await connectedVictim();
    const attacker = await newShop("attacker");
    const own = await newBusiness({ name: "Attacker Store" });

    const result = await signup(attacker.domain, await mintCode({ wabaId: own.wabaId }), event(own));

    expect(await account(victim.id)).toEqual(victim.row);
    expect(await account(attacker.id)).toBeNull();
    const holders = await sandbox.db.whatsAppAccount.findMany({ where: { phoneNumberId: SEED.cloudPhoneNumberId } });
    expect(holders.map((h) => h.shopId)).toEqual([victim.id]);
    expect(result.status).toBe(422);
    expect(result.body).toMatchObject({ ok: false, state: "NOT_CONNECTED", step: "verify", reason: expect.stringMatching(/^(WABA|NUMBER)_NOT_OWNED$/) });
  });

  it("connects the attacker shop's own business, and a connected shop naming another's number keeps what it has", async () => {
    const victim = await connectedVictim();
    const shop = await newShop("second");
    const own = await newBusiness({ name: "Second Store" });

    const legit = await signup(shop.domain, await mintCode({ wabaId: own.wabaId }), finish({ waba_id: own.wabaId, phone_number_id: own.phoneNumberId, business_id: own.businessId }));
    expect(legit).toEqual({ status: 200, body: { ok: true, state: "CONNECTED" } });
    const connected = (await account(shop.id))!;
    expect(connected).toMatchObject({
      onboardingState: "CONNECTED",
      wabaId: own.wabaId,
      phoneNumberId: own.phoneNumberId,
      businessId: own.businessId,
      displayPhoneNumber: expect.stringMatching(/^\+1 555-010-/),
    });
    expect(connected.registeredAt).not.toBeNull();
    const simWaba = (await simJson<{ wabas: { id: string; subscribed: boolean; phoneNumbers: { id: string; registered: boolean }[] }[] }>(sandbox.simUrl, "state")).wabas.find(
      (w) => w.id === own.wabaId,
    );
    expect(simWaba).toMatchObject({ subscribed: true, phoneNumbers: [{ id: own.phoneNumberId, registered: true }] });

    // Now connected, the same shop tries the victim's number with a fresh code of its own business.
    const attack = await signup(shop.domain, await mintCode({ wabaId: own.wabaId }), finish({ waba_id: SEED.wabaId, phone_number_id: SEED.cloudPhoneNumberId }));
    expect(await account(victim.id)).toEqual(victim.row);
    expect(await account(shop.id)).toEqual(connected);
    expect(attack.status).toBe(422);
    expect(attack.body).toMatchObject({ ok: false, state: "CONNECTED", step: "verify" });
  });

  it("redirect fallback without an event connects the WABA the token was granted, not the seeded one", async () => {
    const shop = await newShop("redirect");
    const own = await newBusiness({ name: "Coexistence Store", coexistence: true });
    const redirectUri = signupRedirectUri(sandbox.config);
    const code = await mintCode({ wabaId: own.wabaId, coexistence: true, redirectUri });
    const state = createSignupState({ shop: shop.domain, coexistence: true }, sandbox.config.encryptionKey);
    const response = await fetch(`${sandbox.appUrl}/signup/callback?${new URLSearchParams({ code, state })}`);
    expect(await response.text()).toMatch(/Almost done: \+1 555-010-\d{4} is ready\./);
    const confirmed = await fetch(`${sandbox.appUrl}/app/signup`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken(shop.domain)}`, "content-type": "application/json", "user-agent": BROWSER_UA },
      body: JSON.stringify({ intent: "confirm-parked" }),
    });
    expect(confirmed.status).toBe(200);
    expect(await account(shop.id)).toMatchObject({ onboardingState: "CONNECTED", wabaId: own.wabaId, phoneNumberId: own.phoneNumberId, coexistence: true, registeredAt: null });
  });
});
