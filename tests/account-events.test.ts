// Meta's account_update events (issue 13, item 11), in the shapes Meta
// documents, through the simulator's signed webhooks into the app and onto
// its home and connect pages, in the merchant's language.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { STATUS_RANK } from "../app/core/domain";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { installShop } from "../sandbox/seed";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, simJson } from "./helpers/http";

describe("account_update events leave a translated banner with Meta's reason", () => {
  let sandbox: Sandbox;
  let shopId: string;
  const domain = "account-events.myshopify.com";
  // Entry times after the signup (older events are about an earlier connection), one second apart.
  let clock = Math.floor(Date.now() / 1000) + 60;
  const tick = () => ++clock;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, seed: false, simSettings: { statusDelayMs: 5 } });
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

  /** Sends one account_update change (entry id: the WABA, as Meta does for non-partner events) and waits for it to be handled. */
  async function accountUpdate(value: Record<string, unknown>, time = tick()) {
    await simJson(sandbox.simUrl, "webhook", { method: "POST", body: { field: "account_update", value, time } });
    await sandbox.settled();
  }
  const page = async (path: string, locale = "en") => (await fetch(sandbox.adminUrl(path, { shop: domain, locale }), { headers: { "user-agent": BROWSER_UA } })).text();
  const text = (html: string) =>
    html
      .replace(/<[^>]+>/g, " ")
      .replace(/&#x27;|&#39;/g, "'")
      .replace(/\s+/g, " ");
  const state = async () => (await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId } })).onboardingState;
  const reinstate = () => accountUpdate({ event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "REINSTATE", waba_ban_date: "April 17, 2026" } });

  it("accepts every documented event, and one it does not know; shows a violation with Meta's violation type, in English and Spanish, on the home and connect pages; reinstatement clears it", async () => {
    const events = [
      { event: "PARTNER_ADDED", waba_info: { waba_id: SEED.wabaId, owner_business_id: SEED.businessId } },
      { event: "PARTNER_APP_INSTALLED", waba_info: { waba_id: SEED.wabaId, owner_business_id: SEED.businessId, partner_app_id: "5731794616896507" } },
      { event: "AD_ACCOUNT_LINKED", waba_info: { waba_id: SEED.wabaId, ad_account_linked: "980198427534243", owner_business_id: SEED.businessId } },
      { event: "AUTH_INTL_PRICE_ELIGIBILITY_UPDATE", auth_international_rate_eligibility: { exception_countries: [{ country_code: "ID", start_time: 1751347424 }], start_time: 1748780624 } },
      { event: "BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE", country: "BR" },
      { event: "MM_LITE_TERMS_SIGNED", waba_info: { waba_id: SEED.wabaId, owner_business_id: SEED.businessId } },
      { event: "PARTNER_CLIENT_CERTIFICATION_STATUS_UPDATE", partner_client_certification_info: { client_business_id: SEED.businessId, status: "APPROVED", rejection_reasons: ["NONE"] } },
      {
        event: "VOLUME_BASED_PRICING_TIER_UPDATE",
        volume_tier_info: { tier_update_time: 1743451903, pricing_category: "UTILITY", tier: "25000001:50000000", effective_month: "2026-11", region: "BRAZIL" },
      },
      { event: "SOMETHING_META_ADDS_LATER", something: { nested: [1, 2] } },
    ];
    for (const value of events) await accountUpdate(value);
    const receipts = await sandbox.db.webhookReceipt.findMany({ where: { topic: "account_update" }, select: { status: true } });
    expect(receipts.map((r) => r.status)).toEqual(events.map(() => "PROCESSED"));
    expect(await state()).toBe("CONNECTED");
    expect(text(await page("/app"))).not.toContain("Meta reports");

    await accountUpdate({ event: "ACCOUNT_VIOLATION", violation_info: { violation_type: "SCAM" } });
    const home = text(await page("/app"));
    expect(home).toContain("Meta reports a policy violation on your WhatsApp Business Account");
    expect(home).toContain("request a review");
    expect(home).toContain("Meta's reason: SCAM");
    const connect = text(await page("/app/connect", "es"));
    expect(connect).toContain("Meta informa una infracción de políticas en tu cuenta de WhatsApp Business");
    expect(connect).toContain("Motivo indicado por Meta: SCAM");
    expect(await state()).toBe("CONNECTED");

    await reinstate();
    expect(text(await page("/app"))).not.toContain("policy violation");
  });

  it("shows a restriction with what it blocks and until when, in Portuguese; an expired one is not shown", async () => {
    await accountUpdate({
      event: "ACCOUNT_RESTRICTION",
      restriction_info: [
        { restriction_type: "RESTRICTED_BIZ_INITIATED_MESSAGING", expiration: "2099-04-19T13:59:20+0000" },
        { restriction_type: "RESTRICTED_ADD_PHONE_NUMBER_ACTION", expiration: "2099-04-19T13:59:20+0000" },
      ],
    });
    const home = text(await page("/app", "pt-BR"));
    expect(home).toContain("A Meta restringiu sua conta do WhatsApp Business");
    expect(home).toContain("Iniciar conversas (avisos de pedidos e outros modelos) está bloqueado (até 19 de abr. de 2099");
    expect(home).toContain("Adicionar números de telefone está bloqueado");
    expect(home).toContain("Motivo informado pela Meta: RESTRICTED_BIZ_INITIATED_MESSAGING, RESTRICTED_ADD_PHONE_NUMBER_ACTION");

    // A violation Meta sends with the restriction shows beside it; an older restriction delivered late changes neither.
    const restrictedAt = clock;
    await accountUpdate({ event: "ACCOUNT_VIOLATION", violation_info: { violation_type: "SPAM" } });
    await accountUpdate({ event: "ACCOUNT_RESTRICTION", restriction_info: [] }, restrictedAt - 1);
    const both = text(await page("/app"));
    expect(both).toContain("Meta reports a policy violation on your WhatsApp Business Account");
    expect(both).toContain("Meta restricted your WhatsApp Business Account");
    expect(both).toContain("Starting conversations (order updates and other templates) is blocked");
    await reinstate();

    // The other reading: one restriction as an object, already over.
    await accountUpdate({ event: "ACCOUNT_RESTRICTION", restriction_info: { restriction_type: "RESTRICTED_CUSTOMER_INITIATED_MESSAGING", expiration: "2020-01-01T00:00:00+0000" } });
    expect(text(await page("/app"))).not.toContain("Meta restricted your WhatsApp Business Account");
  });

  it("warns before a scheduled disabling, disconnects on DISABLE and reconnects on REINSTATE", async () => {
    await accountUpdate({ event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "SCHEDULE_FOR_DISABLE", waba_ban_date: "December 1, 2026" } });
    let home = text(await page("/app"));
    expect(home).toContain("Meta will disable your WhatsApp Business Account");
    expect(home).toContain("Meta's reason: December 1, 2026");
    expect(await state()).toBe("CONNECTED");

    const later = await sandbox.db.message.create({
      data: { shopId, direction: "OUT", source: "AUTOMATION", type: "template", status: "SCHEDULED", statusRank: STATUS_RANK.SCHEDULED, scheduledFor: new Date(Date.now() + 86_400_000) },
    });
    await accountUpdate({ event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "DISABLE", waba_ban_date: "December 1, 2026" } });
    expect(await state()).toBe("DISCONNECTED");
    expect(await sandbox.db.message.findUniqueOrThrow({ where: { id: later.id } })).toMatchObject({
      status: "CANCELLED",
      statusRank: STATUS_RANK.CANCELLED,
      skipReason: "WHATSAPP_DISCONNECTED?detail=DISABLED_UPDATE",
    });
    home = text(await page("/app", "es"));
    expect(home).toContain("WhatsApp está desconectado: no se envían mensajes");
    expect(home).toContain("Meta desactivó tu cuenta de WhatsApp Business por una infracción de políticas");
    expect(home).not.toContain("Meta va a desactivar");

    await reinstate();
    expect(await state()).toBe("CONNECTED");
    home = text(await page("/app"));
    expect(home).not.toContain("WhatsApp is disconnected");
    expect(home).not.toContain("Meta will disable");
  });

  it("says what each disconnect means and what to do, with Meta's own reason", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { event: "PARTNER_APP_UNINSTALLED", waba_info: { waba_id: SEED.wabaId, owner_business_id: SEED.businessId, partner_app_id: "869361281603019" } },
        "access to your WhatsApp Business Account was removed in Meta's settings",
      ],
      [{ event: "ACCOUNT_DELETED" }, "Meta reports that your WhatsApp Business Account was deleted"],
      [{ event: "ACCOUNT_OFFBOARDED", waba_info: { waba_id: SEED.wabaId } }, "not opened for too long. Open the WhatsApp Business app and finish its registration"],
    ];
    for (const [value, sentence] of cases) {
      await accountUpdate(value);
      expect(await state()).toBe("DISCONNECTED");
      const connect = text(await page("/app/connect"));
      expect(connect).toContain("WhatsApp is disconnected: no messages are being sent");
      expect(connect).toContain(sentence);
      await accountUpdate({ event: "ACCOUNT_RECONNECTED", waba_info: { waba_id: SEED.wabaId } });
      expect(await state()).toBe("CONNECTED");
    }
    await accountUpdate({
      event: "PARTNER_REMOVED",
      waba_info: { waba_id: SEED.wabaId, owner_business_id: SEED.businessId },
      phone_number: "5511987650002",
      disconnection_info: { reason: "The WhatsApp Business app was not opened for 14 days" },
    });
    const home = text(await page("/app", "pt-BR"));
    expect(home).toContain("Sua conta do WhatsApp Business não está mais compartilhada com este app");
    expect(home).toContain("Motivo informado pela Meta: The WhatsApp Business app was not opened for 14 days");
    await accountUpdate({ event: "ACCOUNT_RECONNECTED", waba_info: { waba_id: SEED.wabaId } });
    expect(await state()).toBe("CONNECTED");
  });

  it("never lets an older event, delivered late, override a newer one", async () => {
    const early = tick();
    const late = tick();
    // Reinstated at `late`; the disabling dated `early` arrives afterwards.
    await accountUpdate({ event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "REINSTATE" } }, late);
    await accountUpdate({ event: "DISABLED_UPDATE", ban_info: { waba_ban_state: "DISABLE" } }, early);
    expect(await state()).toBe("CONNECTED");
    await accountUpdate({ event: "ACCOUNT_VIOLATION", violation_info: { violation_type: "ADULT" } }, early);
    expect(text(await page("/app"))).not.toContain("policy violation");

    // Removed at a newer time; a reconnection dated before it arrives afterwards.
    const reconnectedAt = tick();
    await accountUpdate({ event: "PARTNER_REMOVED", waba_info: { waba_id: SEED.wabaId } }, tick());
    await accountUpdate({ event: "ACCOUNT_RECONNECTED", waba_info: { waba_id: SEED.wabaId } }, reconnectedAt);
    expect(await state()).toBe("DISCONNECTED");
    expect(text(await page("/app"))).toContain("no longer shared with this app");
  });
});
