// Issue 16: a merchant who reads Spanish walks the app (home, conversations, a
// thread, costs, automations) on a shop with the demo's traffic plus a message
// WhatsApp refused, one skipped for want of a phone and a template in review,
// and meets no English sentence from the catalogue and no raw code (quality
// GREEN, TIER_2K, MARKETING, en_US, a skip code) on any page.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { seedDemoActivity } from "../../sandbox/demo-activity";
import { startSandbox, type Sandbox } from "../../sandbox/harness";
import { orderPayload } from "../../sandbox/shopify-payloads";
import { SEED } from "../../sandbox/simulator/state";
import { hasChromium, launchBrowser, newContext, screenshotPath } from "../helpers/browser";
import { testDatabaseUrl } from "../helpers/db";
import { simJson } from "../helpers/http";
import { findUntranslated } from "../helpers/untranslated";

describe.skipIf(!hasChromium)("the app in Spanish, page by page", () => {
  let sandbox: Sandbox;
  let browser: Browser;

  const placeOrder = async (order: ReturnType<typeof orderPayload>) => {
    const response = await fetch(`${sandbox.shopify.url}/_sim/shopify/orders`, { method: "POST", body: JSON.stringify({ shop: sandbox.shopDomain, order }) });
    expect(response.status).toBe(200);
    await sandbox.settled();
  };

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 10 } });
    browser = await launchBrowser();
    await sandbox.settled();
    await seedDemoActivity(sandbox);
    await sandbox.settled();
    // WhatsApp refuses one confirmation; another order has no usable phone, so its confirmation is skipped.
    await simJson(sandbox.simUrl, "fail-next", { method: "POST", body: { code: 131026, phoneNumberId: SEED.cloudPhoneNumberId } });
    await placeOrder(
      orderPayload({
        customer_locale: "es-AR",
        customer: { id: 880_001, first_name: "Martina", phone: "+5491155550177", email: null },
        shipping_address: { country_code: "AR", phone: "+5491155550177" },
      }),
    );
    await placeOrder(orderPayload({ customer_locale: "es-AR", customer: { id: 880_002, first_name: "Tomás", phone: "12", email: null }, shipping_address: { country_code: "AR", phone: null } }));
    // settled() waits for webhooks, not for the send: the refused one fails when the dispatcher reaches it.
    await vi.waitFor(async () => expect(await sandbox.db.message.count({ where: { status: "FAILED" } })).toBe(1), { timeout: 15_000, interval: 100 });
    // Meta has one template language back in review.
    await simJson(sandbox.simUrl, "webhook", {
      method: "POST",
      body: {
        field: "message_template_status_update",
        wabaId: SEED.wabaId,
        value: { event: "PENDING", message_template_name: "order_confirmation", message_template_language: "en_US", reason: "NONE" },
      },
    });
    await sandbox.settled();
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  const untranslatedOn = async (page: Page, appPath: string, ready: string) => {
    await page.goto(sandbox.adminUrl(appPath, { locale: "es" }));
    await page.getByText(ready, { exact: false }).first().waitFor();
    await page.screenshot({ path: screenshotPath(`spanish${appPath.replace(/\W+/g, "-")}.png`), fullPage: true });
    return findUntranslated(await page.evaluate(() => document.body.innerText), "es");
  };

  it("the demo traffic has what the walk needs: sent, failed, skipped and a template in review", async () => {
    const statuses = (await sandbox.db.message.findMany({ where: { direction: "OUT" }, select: { status: true } })).map((m) => m.status);
    expect(statuses).toEqual(expect.arrayContaining(["FAILED", "SKIPPED"]));
    expect(statuses.filter((s) => s === "DELIVERED" || s === "READ").length).toBeGreaterThan(0);
    expect(await sandbox.db.template.count({ where: { name: "order_confirmation", language: "en_US", status: "PENDING" } })).toBe(1);
  });

  it("home, conversations, a thread, costs and automations show no English and no raw code", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const failed = await sandbox.db.message.findFirstOrThrow({ where: { status: "FAILED" }, select: { contactId: true } });

    const found: Record<string, string[]> = {};
    found.home = await untranslatedOn(page, "/app", "Mensajes que no salieron");
    found.conversations = await untranslatedOn(page, "/app/conversations", "Conversaciones");
    found.thread = await untranslatedOn(page, `/app/conversations/${failed.contactId}`, "WhatsApp rechazó el mensaje (error 131026)");
    found.costs = await untranslatedOn(page, "/app/costs", "Costos");
    found.automations = await untranslatedOn(page, "/app/automations", "En revisión");
    expect(found).toEqual({ home: [], conversations: [], thread: [], costs: [], automations: [] });

    // The failure and the skip are worded, with Meta's own words only as a detail.
    await page.goto(sandbox.adminUrl("/app", { locale: "es" }));
    await page.getByText("El pedido no tiene un teléfono válido (cliente, envío o facturación)").waitFor();
    await page
      .getByText(/WhatsApp rechazó el mensaje \(error 131026\) \(detalles: .+\)/)
      .first()
      .waitFor();
    await context.close();
  });
});
