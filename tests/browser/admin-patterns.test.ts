// The admin's patterns in headless Chromium (the sandbox's Polaris stand-ins
// for App Bridge): the thread page's back action returns to the list as it was
// (filter tab and search), a bar shows while a page loads, saves say so in a
// toast, deleting asks first, and every main page fits a 390 px wide phone
// (tables scroll inside themselves).
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSandbox, type Sandbox } from "../../sandbox/harness";
import { SEED } from "../../sandbox/simulator/state";
import { expectAccessible } from "../helpers/axe";
import { hasChromium, launchBrowser, newContext, screenshotPath } from "../helpers/browser";
import { testDatabaseUrl } from "../helpers/db";
import { BROWSER_UA, simJson } from "../helpers/http";

describe.skipIf(!hasChromium)("admin patterns in headless Chromium", () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let contactId: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 10 } });
    browser = await launchBrowser();
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: "+5511955557101", name: "Lucía Hernández", text: "¿Tienen talla M?", phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
    contactId = (await sandbox.db.contact.findFirstOrThrow({ where: { phoneE164: "+5511955557101" } })).id;
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  it("the thread's back action lands on the list with the filter and search it was opened from", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(`${sandbox.adminUrl("/app/conversations")}&filter=needs-reply&q=Luc%C3%ADa`);
    await page.getByRole("link", { name: "Lucía Hernández" }).click();
    await page.waitForURL(/\/app\/conversations\/\w+/);
    await page.getByText("¿Tienen talla M?").waitFor();

    await page.locator(".Polaris-Page").getByRole("link", { name: "Conversations" }).click();
    await page.waitForURL((url) => url.pathname === "/app/conversations");
    const url = new URL(page.url());
    expect([url.searchParams.get("filter"), url.searchParams.get("q")]).toEqual(["needs-reply", "Lucía"]);
    expect(await page.getByRole("textbox", { name: "Search by order number, name or phone" }).inputValue()).toBe("Lucía");
    await page.getByRole("link", { name: "Lucía Hernández" }).waitFor();

    // Opened from the whole inbox, back is the whole inbox.
    await page.goto(sandbox.adminUrl(`/app/conversations/${contactId}`));
    await page.locator(".Polaris-Page").getByRole("link", { name: "Conversations" }).click();
    await page.waitForURL((url) => url.pathname === "/app/conversations");
    expect([...new URL(page.url()).searchParams.keys()].filter((key) => key === "filter" || key === "q")).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("shows a loading bar while the next page loads", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(sandbox.adminUrl("/app"));
    // The costs page's data is held back until the bar has been seen.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route(/\/app\/costs\.data/, async (route) => {
      await held;
      await route.continue();
    });
    const bar = page.getByRole("progressbar", { name: "Page loading bar" });
    expect(await bar.count()).toBe(0);
    await page.getByRole("link", { name: "Costs", exact: true }).first().click();
    await bar.waitFor();
    release();
    await page.getByRole("heading", { name: "WhatsApp costs" }).waitFor();
    await bar.waitFor({ state: "detached" });
    await context.close();
  });

  it("inbox settings say they saved in a toast, and a quick reply is deleted only once confirmed", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const reply = await sandbox.db.quickReply.create({ data: { shopId: shop.id, title: "Tallas", body: "Tenemos de la S a la XL.", locale: "es" } });
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(sandbox.adminUrl("/app/inbox-settings"));
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByTestId("toast").getByText("Settings saved.").waitFor();

    await page.getByRole("button", { name: "Delete Tallas" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete the quick reply “Tallas”?" });
    await dialog.waitFor();
    await expectAccessible(page, "quick reply delete dialog");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await sandbox.db.quickReply.count({ where: { id: reply.id } })).toBe(1);

    await page.getByRole("button", { name: "Delete Tallas" }).click();
    await dialog.getByRole("button", { name: "Delete", exact: true }).click();
    await dialog.waitFor({ state: "detached" });
    await page.getByText("Tenemos de la S a la XL.").waitFor({ state: "detached" });
    expect(await sandbox.db.quickReply.count({ where: { id: reply.id } })).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("no page scrolls sideways on a 390 px wide phone", async () => {
    const context = await browser.newContext({ userAgent: BROWSER_UA, viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const pages = [
      ["/app", "home"],
      ["/app/conversations", "conversations"],
      [`/app/conversations/${contactId}`, "thread"],
      ["/app/costs", "costs"],
      ["/app/automations", "automations"],
      ["/app/campaigns", "campaigns"],
    ];
    const widths: Record<string, number> = {};
    for (const [path, name] of pages) {
      await page.goto(sandbox.adminUrl(path!));
      await page.locator(".Polaris-Page").first().waitFor();
      await page.waitForLoadState("networkidle");
      widths[name!] = await page.evaluate(() => document.documentElement.scrollWidth);
      // The inbox's table is wider than the phone: it scrolls inside itself, and a keyboard can scroll it.
      if (name === "conversations") await page.getByRole("region", { name: "Table (scrolls sideways)" }).waitFor();
      await page.screenshot({ path: screenshotPath(`phone-${name}.png`), fullPage: true });
    }
    expect(Object.entries(widths).filter(([, width]) => width > 390)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
