// The staff member's language sticks, in headless Chromium: a Spanish-speaking
// staff member of a Brazilian shop (the shop and their Shopify account are in
// Portuguese) opens the app once with `locale=es`, then clicks through the nav,
// a conversations filter tab, the costs page and a cost preset (a button); every page,
// the nav and <html lang> stay Spanish. Polaris `url` buttons and tabs in the
// sandbox navigate like the admin's, to the page and not to a login screen.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { es } from "../../app/i18n/es";
import { formatDay } from "../../app/ui/dates";
import { startSandbox, type Sandbox } from "../../sandbox/harness";
import { installShop } from "../../sandbox/seed";
import { hasChromium, launchBrowser, newContext, screenshotPath } from "../helpers/browser";
import { testDatabaseUrl } from "../helpers/db";

describe.skipIf(!hasChromium)("the staff member's language in headless Chromium", () => {
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

  /** The page under `heading`, with the Spanish nav, <html lang="es"> and its Spanish title. */
  const inSpanish = async (page: Page, heading: string, title: string) => {
    await page.getByRole("heading", { name: heading, exact: true }).waitFor();
    expect(await page.locator("html").getAttribute("lang")).toBe("es");
    expect(await page.title()).toBe(`${title} · ${es["app.name"]}`);
    for (const key of ["nav.home", "nav.conversations", "nav.costs", "nav.team"] as const) {
      await page.getByRole("link", { name: es[key], exact: true }).waitFor();
    }
    expect(await page.getByRole("button", { name: "Log in" }).count()).toBe(0);
  };

  it("stays Spanish from home through conversations, a filter tab, costs and a cost preset", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    expect(shop.locale).toBe("pt-BR");
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));

    await page.goto(sandbox.adminUrl("/app", { locale: "es" }));
    await inSpanish(page, es["home.title"].replace("{shop}", shop.name ?? ""), es["nav.home"]);

    await page.getByRole("link", { name: es["nav.conversations"], exact: true }).click();
    await page.waitForURL(/\/app\/conversations$/);
    await inSpanish(page, es["conversations.title"], es["conversations.title"]);

    await page.getByRole("tab", { name: es["conversations.filter.unassigned"] }).click();
    await page.waitForURL(/\/app\/conversations\?filter=unassigned$/);
    await page.getByRole("tab", { name: es["conversations.filter.unassigned"], selected: true }).waitFor();
    await inSpanish(page, es["conversations.title"], es["conversations.title"]);

    await page.getByRole("link", { name: es["nav.costs"], exact: true }).click();
    await page.waitForURL(/\/app\/costs$/);
    await inSpanish(page, es["costs.title"], es["costs.title"]);

    const lastWeek = es["costs.lastDays"].replace("{days}", "7");
    await page.getByRole("button", { name: lastWeek }).click();
    await page.waitForURL(/\/app\/costs\?from=[\d-]+&to=[\d-]+$/);
    const period = new URL(page.url()).searchParams;
    const subtitle = es["costs.subtitle"].replace("{from}", formatDay(period.get("from")!, "es")).replace("{to}", formatDay(period.get("to")!, "es"));
    // The subtitle starts with it (a text match is case-blind, and an empty period's heading says "Ningún mensaje del …").
    await page.getByText(new RegExp(`^${subtitle.slice(0, subtitle.indexOf(" · "))}`)).waitFor();
    await inSpanish(page, es["costs.title"], es["costs.title"]);
    await page.screenshot({ path: screenshotPath("locale-costs-es.png"), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("a Polaris url button lands on its page: home's Connect WhatsApp opens the connect page", async () => {
    const domain = "browser-locale.myshopify.com";
    await installShop(sandbox.db, sandbox.config, domain);
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(sandbox.adminUrl("/app", { shop: domain, locale: "es" }));
    await page.getByRole("link", { name: es["home.connection.connectButton"] }).click();
    await page.waitForURL(/\/app\/connect$/);
    await inSpanish(page, es["connect.title"], es["connect.title"]);
    await context.close();
  });
});
