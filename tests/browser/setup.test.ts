// A brand-new shop's setup path in headless Chromium: the merchant follows
// only the home page's checklist, its one primary action each time: connect
// WhatsApp (Embedded Signup with the simulator), create the built-in templates
// (the simulator approves them), turn an automation on, send themselves a
// test; the simulator receives the test and the checklist is gone.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { en } from "../../app/i18n/en";
import { startSandbox, type Sandbox } from "../../sandbox/harness";
import { installShop } from "../../sandbox/seed";
import { hasChromium, launchBrowser, newContext, screenshotPath } from "../helpers/browser";
import { testDatabaseUrl } from "../helpers/db";
import { simJson } from "../helpers/http";

describe.skipIf(!hasChromium)("a new shop's setup path in headless Chromium", () => {
  let sandbox: Sandbox;
  let browser: Browser;
  const domain = "browser-setup.myshopify.com";

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, seed: false });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  const checklist = (page: Page) => page.getByTestId("setup-checklist");
  const action = (page: Page, step: "connect" | "templates" | "automations" | "test") => checklist(page).getByRole("link", { name: en[`setup.action.${step}`] });
  const home = async (page: Page) => {
    await page.goto(sandbox.adminUrl("/app", { shop: domain, locale: "en" }));
    await page.getByRole("heading", { name: en["setup.title"] }).waitFor();
  };
  /** Home, and the checklist's primary action, which must be the one for `step`. */
  const nextStep = async (page: Page, step: "connect" | "templates" | "automations" | "test") => {
    await home(page);
    expect(await action(page, step).count()).toBe(1);
    await action(page, step).click();
    await page.waitForURL(step === "connect" ? /\/app\/connect(\?|$)/ : /\/app\/automations(\?|$)/);
  };

  it("connects, gets the templates approved, turns an automation on and sends a test, from the checklist alone", async () => {
    await installShop(sandbox.db, sandbox.config, domain);
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));

    await nextStep(page, "connect");
    await page.waitForFunction(() => Boolean((window as unknown as { FB?: unknown }).FB));
    const popupOpened = page.waitForEvent("popup");
    await page.getByRole("button", { name: "Connect a new number" }).click();
    await (await popupOpened).getByRole("button", { name: "Finish" }).click();
    await page.getByTestId("connected-number").waitFor({ timeout: 30_000 });

    await nextStep(page, "templates");
    await page.getByRole("button", { name: en["templates.createLibrary"] }).click();
    await page.getByText(/templates? sent to Meta for review\./).waitFor({ timeout: 20_000 });

    // The simulator approves the templates a moment later. Until the checklist moves on, its action
    // leads back to the templates, where the merchant syncs them from WhatsApp.
    await expect
      .poll(
        async () => {
          await home(page);
          if (await action(page, "automations").count()) return true;
          await nextStep(page, "templates");
          await page.getByRole("button", { name: en["templates.sync"] }).click();
          await page.getByText(/templates? synced from WhatsApp\./).waitFor();
          return false;
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe(true);
    await nextStep(page, "automations");
    // The first card is the order confirmation's.
    await page.getByRole("checkbox", { name: en["automations.enabled"] }).first().check();
    await page.getByRole("button", { name: en["admin.saveBar.save"], exact: true }).click();
    await page.getByText(en["admin.saved"], { exact: true }).waitFor();

    await nextStep(page, "test");
    await page.getByRole("textbox", { name: en["automations.test.phone"] }).first().fill("+55 11 97777 0001");
    await page.getByRole("button", { name: en["automations.test.send"] }).first().click();
    await page.getByText(en["automations.test.sent"]).waitFor({ timeout: 20_000 });

    const sent = (await simJson<{ to: string; template?: { name: string; parameters: string[] } }[]>(sandbox.simUrl, "messages")).filter((m) => m.to === "5511977770001");
    expect(sent.map((m) => m.template)).toMatchObject([{ name: "order_confirmation", parameters: ["Ana", "#1001", "R$ 149,90"] }]);

    await page.goto(sandbox.adminUrl("/app", { shop: domain, locale: "en" }));
    await page.getByRole("heading", { name: en["home.connection.heading"] }).waitFor();
    expect(await checklist(page).count()).toBe(0);
    await page.screenshot({ path: screenshotPath("setup-done.png"), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});
