// Template status webhooks as Meta sends them: the language spelled en-US or
// en_US names the same template, and pausing one language stops only that
// language's sends; reinstating it lets them go again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSandbox, type Sandbox } from "../sandbox/harness";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, deliverShopifyWebhook, simJson } from "./helpers/http";
import { orderPayload } from "./helpers/shopify-payloads";

describe("template status events per language", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 10 } });
    // The seed's template approvals reach the app once it is up (retried deliveries): let them land first.
    await sandbox.settled();
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const templateEvent = async (event: string, language: string, time?: number) => {
    await simJson(sandbox.simUrl, "webhook", {
      method: "POST",
      body: {
        field: "message_template_status_update",
        wabaId: SEED.wabaId,
        ...(time ? { time } : {}),
        value: { event, message_template_id: 1, message_template_name: "order_confirmation", message_template_language: language, reason: event === "PAUSED" ? "LOW_QUALITY" : "NONE" },
      },
    });
    await sandbox.settled();
  };
  const order = async (locale: string, phone: string) => {
    const payload = orderPayload({ customer_locale: locale, customer: { id: Number(phone.slice(-6)), first_name: "Eva", phone } });
    await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(payload) });
    await sandbox.settled();
    return sandbox.db.message.findFirstOrThrow({ where: { idempotencyKey: `ORDER_CREATED:${payload.id}` } });
  };

  it("pauses only the language Meta names, however it spells it, until it is reinstated", async () => {
    await templateEvent("PAUSED", "en-US");
    const templates = await sandbox.db.template.findMany({ where: { name: "order_confirmation" }, select: { language: true, status: true } });
    expect(Object.fromEntries(templates.map((t) => [t.language, t.status]))).toEqual({ en_US: "PAUSED", es: "APPROVED", pt_BR: "APPROVED" });

    const english = await order("en", "+5511955550001");
    expect(english).toMatchObject({ status: "SKIPPED", skipReason: "TEMPLATE_HELD?template=order_confirmation&language=en_US&status=PAUSED" });
    const portuguese = await order("pt-BR", "+5511955550002");
    expect(portuguese).toMatchObject({ templateLanguage: "pt_BR" });
    expect(portuguese.status).not.toBe("SKIPPED");

    await templateEvent("REINSTATED", "en_US");
    const again = await order("en", "+5511955550003");
    expect(again).toMatchObject({ templateLanguage: "en_US" });
    await expect
      .poll(
        async () =>
          (await simJson<{ to: string; template?: { language: string } }[]>(sandbox.simUrl, "messages"))
            .filter((m) => m.to.startsWith("55119555500"))
            .map((m) => `${m.to}:${m.template?.language}`)
            .sort(),
        { timeout: 15_000 },
      )
      .toEqual(["5511955550002:pt_BR", "5511955550003:en_US"]);
  });

  it("orders status events by Meta's entry time: a late, older APPROVED does not undo a PAUSED", async () => {
    const now = Math.floor(Date.now() / 1000);
    const status = async () => (await sandbox.db.template.findFirstOrThrow({ where: { name: "order_confirmation", language: "es" } })).status;
    await templateEvent("PAUSED", "es", now);
    await templateEvent("APPROVED", "es", now - 60);
    expect(await status()).toBe("PAUSED");
    await templateEvent("REINSTATED", "es", now + 1);
    expect(await status()).toBe("APPROVED");
  });

  it("a template sync does not overwrite a status Meta set after the list was read", async () => {
    const status = async () => (await sandbox.db.template.findFirstOrThrow({ where: { name: "order_confirmation", language: "pt_BR" } })).status;
    // Meta paused it at a time after the sync below asks for the list (its clock a little ahead).
    await templateEvent("PAUSED", "pt_BR", Math.floor(Date.now() / 1000) + 120);
    // The sync still writes what it reads besides the status: the Meta id cleared here comes back.
    await sandbox.db.template.updateMany({ where: { name: "order_confirmation", language: "pt_BR" }, data: { metaTemplateId: null } });
    const sync = await fetch(`${sandbox.appUrl}/app/automations.data`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "user-agent": BROWSER_UA },
      body: new URLSearchParams({ intent: "sync" }),
    });
    expect(sync.status).toBe(200);
    expect((await sandbox.db.template.findFirstOrThrow({ where: { name: "order_confirmation", language: "pt_BR" } })).metaTemplateId).not.toBeNull();
    expect(await status()).toBe("PAUSED");
  });

  it("sends another approved language while the wanted one is in review or being deleted, never the one Meta would refuse", async () => {
    for (const [event, phone] of [
      ["PENDING", "+5511955550011"],
      ["PENDING_DELETION", "+5511955550012"],
    ] as const) {
      await templateEvent(event, "en_US", Math.floor(Date.now() / 1000) + 300);
      const english = await order("en", phone);
      expect(english.status).not.toBe("SKIPPED");
      expect(english.templateLanguage).not.toBe("en_US");
    }
  });
});
