import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSandbox, type Sandbox } from "../../sandbox/harness";
import { installShop } from "../../sandbox/seed";
import { testDatabaseUrl } from "../helpers/db";
import { hasChromium, launchBrowser, newContext, screenshotPath } from "../helpers/browser";

describe.skipIf(!hasChromium)("connect page in headless Chromium", () => {
  let sandbox: Sandbox;
  let browser: Browser;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, seed: false });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  it("completes a simulated Coexistence signup through the SDK popup and shows the connected number", async () => {
    const domain = "browser-coex.myshopify.com";
    const shop = await installShop(sandbox.db, sandbox.config, domain, { name: "Loja do Navegador" });
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));

    await page.goto(sandbox.adminUrl("/app/connect", { shop: domain }));
    await page.getByRole("button", { name: "Connect my WhatsApp Business app" }).waitFor();
    await page.waitForFunction(() => Boolean((window as unknown as { FB?: unknown }).FB));
    await page.screenshot({ path: screenshotPath("connect-choices.png"), fullPage: true });

    const popupOpened = page.waitForEvent("popup");
    await page.getByRole("button", { name: "Connect my WhatsApp Business app" }).click();
    const popup = await popupOpened;
    await popup.getByRole("button", { name: "Finish" }).click();

    const number = page.getByTestId("connected-number");
    await number.waitFor({ timeout: 20_000 });
    expect(await number.textContent()).toBe("+55 11 98765-0002");
    await page.screenshot({ path: screenshotPath("connect-connected.png"), fullPage: true });
    expect(errors).toEqual([]);

    const account = await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId: shop.id } });
    expect(account).toMatchObject({ onboardingState: "CONNECTED", coexistence: true, registeredAt: null });
    expect(account.historySyncRequestedAt).not.toBeNull();
    await context.close();
  });

  it("tells the merchant when the signup is cancelled, in Spanish", async () => {
    const domain = "browser-cancel.myshopify.com";
    await installShop(sandbox.db, sandbox.config, domain);
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(sandbox.adminUrl("/app/connect", { shop: domain, locale: "es" }));
    await page.waitForFunction(() => Boolean((window as unknown as { FB?: unknown }).FB));
    const popupOpened = page.waitForEvent("popup");
    await page.getByRole("button", { name: "Conectar un número nuevo" }).click();
    const popup = await popupOpened;
    await popup.getByRole("button", { name: "Cancel" }).click();
    await page.getByText("El registro se cerró antes de terminar (en el paso: PHONE_NUMBER_SETUP)").waitFor({ timeout: 10_000 });
    await context.close();
  });
});
