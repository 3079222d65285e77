// The automations page's one Save over HTTP: every change in one request,
// checked before anything is written (a field refusal or a template the shop
// lacks saves nothing, and names the automation and field), only the calling
// shop's automations and settings change.
import { decode } from "turbo-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSandbox, type Sandbox } from "../sandbox/harness";
import { installShop } from "../sandbox/seed";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA } from "./helpers/http";

describe("the automations page's one save", () => {
  let sandbox: Sandbox;
  const otherShop = "other-automations.myshopify.com";

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() } });
    await installShop(sandbox.db, sandbox.config, otherShop);
    // The page makes each shop's default automations.
    for (const shop of [undefined, otherShop]) {
      expect((await fetch(sandbox.adminUrl("/app/automations", { shop }), { headers: { "user-agent": BROWSER_UA } })).status).toBe(200);
    }
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const save = async (changes: unknown, shop?: string) => {
    const response = await fetch(`${sandbox.appUrl}/app/automations.data`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken(shop)}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
      body: new URLSearchParams({ intent: "save", changes: typeof changes === "string" ? changes : JSON.stringify(changes) }).toString(),
    });
    expect(response.status).toBe(200);
    const stream = await decode(response.body!);
    await stream.done;
    return (stream.value as { data: Record<string, unknown> }).data;
  };
  const stored = async (domain = sandbox.shopDomain) => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain }, include: { automations: { orderBy: { trigger: "asc" } } } });
    return {
      cod: [shop.codCancelOrders, shop.codReminderHours],
      sms: shop.smsConsentCountsForWhatsApp,
      automations: Object.fromEntries(shop.automations.map((a) => [a.trigger, { enabled: a.enabled, templateName: a.templateName, delayMinutes: a.delayMinutes, mapping: a.variableMapping }])),
    };
  };
  const paid = { enabled: "on", templateName: "payment_received", mapping: ["customer_first_name", "order_name", "order_total"], delayMinutes: "5", secondReminderDelayMinutes: "" };
  const shipped = { enabled: "on", templateName: "shipping_update", mapping: ["customer_first_name", "order_name", "tracking_url"], delayMinutes: "0", secondReminderDelayMinutes: "" };

  it("refuses the whole save when a field is wrong or a template is missing, naming the automation and field", async () => {
    const before = await stored();
    expect(await save({ automations: { ORDER_PAID: { ...paid, delayMinutes: "-1" }, FULFILLMENT_CREATED: shipped }, cod: { cancelOrders: "on", reminderHours: "30" } })).toEqual({
      saved: false,
      errors: { ORDER_PAID: { delayMinutes: { key: "automationError.delayNegative", params: {} } }, COD_SETTINGS: { reminderHours: { key: "cod.settings.hoursError", params: {} } } },
    });
    expect(await save({ automations: { ORDER_PAID: paid, FULFILLMENT_CREATED: { ...shipped, templateName: "no_such_template" } }, smsConsentCounts: !before.sms })).toEqual({
      saved: false,
      errors: { FULFILLMENT_CREATED: { templateName: { key: "automationError.templateMissing", params: { template: "no_such_template" } } } },
    });
    expect(await save("{not json")).toEqual({ saved: false, errors: { PAGE: { changes: { key: "actionError.reload", params: {} } } } });
    expect(await save({ automations: { NOT_A_TRIGGER: paid } })).toMatchObject({ saved: false });
    expect(await stored()).toEqual(before);
  });

  it("stores every change of one save, and only the calling shop's", async () => {
    const before = await stored();
    const other = await stored(otherShop);
    expect(await save({ automations: { ORDER_PAID: paid, FULFILLMENT_CREATED: shipped }, cod: { cancelOrders: "on", reminderHours: "6" }, smsConsentCounts: !before.sms })).toEqual({ saved: true });
    const after = await stored();
    expect(after).toEqual({
      cod: [true, 6],
      sms: !before.sms,
      automations: {
        ...before.automations,
        ORDER_PAID: { enabled: true, templateName: "payment_received", delayMinutes: 5, mapping: paid.mapping },
        FULFILLMENT_CREATED: { enabled: true, templateName: "shipping_update", delayMinutes: 0, mapping: shipped.mapping },
      },
    });
    expect(await stored(otherShop)).toEqual(other);

    // Another shop's save changes its own automations only, never this one's.
    await save({ automations: { ORDER_PAID: { ...paid, enabled: "off" } }, cod: { cancelOrders: "off", reminderHours: "3" } }, otherShop);
    expect(await stored()).toEqual(after);
  });
});
