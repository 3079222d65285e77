import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { reason } from "../../app/core/reasons";
import { startSandbox, type Sandbox } from "../../sandbox/harness";
import { testDatabaseUrl } from "../helpers/db";
import { expectAccessible } from "../helpers/axe";
import { hasChromium, launchBrowser, newContext, screenshotPath } from "../helpers/browser";
import { deliverShopifyWebhook } from "../helpers/http";
import { orderPayload } from "../helpers/shopify-payloads";

describe.skipIf(!hasChromium)("automations page in headless Chromium", () => {
  let sandbox: Sandbox;
  let browser: Browser;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  it("maps a variable with a live preview from a real order, switches the automation on, and shows field errors", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    await sandbox.db.automation.update({ where: { shopId_trigger: { shopId: shop.id, trigger: "ORDER_CREATED" } }, data: { enabled: false } });
    const order = orderPayload();
    await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(order) });

    const context = await newContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(sandbox.adminUrl("/app/automations"));
    const card = page.getByTestId("automation-ORDER_CREATED");
    const preview = page.getByTestId("preview-ORDER_CREATED");
    await preview.waitFor();
    expect(await card.getByText(`Preview with ${order.name}`).count()).toBe(1);
    expect(await preview.textContent()).toBe(`Hi Ana, we received your order ${order.name} for R$ 149,90. We will let you know when it ships.`);
    await expectAccessible(page, "automations");

    await card.getByLabel("Variable {{3}}").selectOption("order_status_url");
    expect(await preview.textContent()).toBe(`Hi Ana, we received your order ${order.name} for [order_status_url]. We will let you know when it ships.`);
    await card.getByLabel("Variable {{3}}").selectOption("order_total");
    await card.getByLabel("On: send this message").check();

    await card.getByLabel("Delay (minutes)").fill("-5");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await card.getByText("The delay cannot be negative").waitFor();
    await expectAccessible(page, "automations with a field error");
    expect((await sandbox.db.automation.findUniqueOrThrow({ where: { shopId_trigger: { shopId: shop.id, trigger: "ORDER_CREATED" } } })).enabled).toBe(false);

    await card.getByLabel("Delay (minutes)").fill("0");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await page.getByTestId("toast").getByText("Saved", { exact: true }).waitFor();
    await page.screenshot({ path: screenshotPath("automations.png"), fullPage: true });
    const saved = await sandbox.db.automation.findUniqueOrThrow({ where: { shopId_trigger: { shopId: shop.id, trigger: "ORDER_CREATED" } } });
    expect(saved).toMatchObject({ enabled: true, templateName: "order_confirmation", delayMinutes: 0, variableMapping: ["customer_first_name", "order_name", "order_total"] });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows a save bar once something changed, stores every change with its one Save, Discard restores the page, and a paused automation resumes", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const automation = (trigger: string) => sandbox.db.automation.findUniqueOrThrow({ where: { shopId_trigger: { shopId: shop.id, trigger } } });
    await sandbox.db.automation.updateMany({ where: { shopId: shop.id, trigger: { in: ["ORDER_PAID", "FULFILLMENT_CREATED"] } }, data: { enabled: false, delayMinutes: 0 } });
    await sandbox.db.shop.update({ where: { id: shop.id }, data: { codReminderHours: 4 } });

    const context = await newContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(sandbox.adminUrl("/app/automations"));
    const save = page.getByRole("button", { name: "Save", exact: true });
    const discard = page.getByRole("button", { name: "Discard", exact: true });
    const paid = page.getByTestId("automation-ORDER_PAID");
    const shipped = page.getByTestId("automation-FULFILLMENT_CREATED");
    await paid.waitFor();
    expect(await save.count()).toBe(0);

    await paid.getByLabel("On: send this message").check();
    await page.getByText("Unsaved changes").waitFor();
    await shipped.getByLabel("Delay (minutes)").fill("15");
    await page.getByLabel("Hours without an answer before the one reminder").fill("6");
    await expectAccessible(page, "automations with unsaved changes");
    await save.click();
    await page.getByTestId("toast").getByText("Saved", { exact: true }).waitFor();
    await save.waitFor({ state: "detached" });
    expect(await automation("ORDER_PAID")).toMatchObject({ enabled: true });
    expect(await automation("FULFILLMENT_CREATED")).toMatchObject({ enabled: false, delayMinutes: 15 });
    expect((await sandbox.db.shop.findUniqueOrThrow({ where: { id: shop.id } })).codReminderHours).toBe(6);

    await paid.getByLabel("On: send this message").uncheck();
    await shipped.getByLabel("Delay (minutes)").fill("30");
    await discard.click();
    await save.waitFor({ state: "detached" });
    expect(await paid.getByLabel("On: send this message").isChecked()).toBe(true);
    expect(await shipped.getByLabel("Delay (minutes)").inputValue()).toBe("15");
    expect(await automation("ORDER_PAID")).toMatchObject({ enabled: true });
    expect(await automation("FULFILLMENT_CREATED")).toMatchObject({ delayMinutes: 15 });

    // A paused automation resumes as it is: its banner's Resume is a change the save bar saves.
    await sandbox.db.automation.update({
      where: { shopId_trigger: { shopId: shop.id, trigger: "ORDER_CANCELLED" } },
      data: { pausedReason: reason("TEMPLATE_HELD", { template: "order_cancelled", language: "en_US", status: "PAUSED" }) },
    });
    await page.reload();
    const cancelled = page.getByTestId("automation-ORDER_CANCELLED");
    await cancelled.getByText(/^Paused: /).waitFor();
    expect(await save.count()).toBe(0);
    await cancelled.getByRole("button", { name: "Resume" }).click();
    await save.click();
    await page.getByTestId("toast").getByText("Saved", { exact: true }).waitFor();
    await save.waitFor({ state: "detached" });
    expect(await automation("ORDER_CANCELLED")).toMatchObject({ pausedReason: null });
    expect(await cancelled.getByText(/^Paused: /).count()).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
