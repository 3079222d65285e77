import { readFile } from "node:fs/promises";

import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { formatMicros } from "../../app/ui/money";
import { localDay } from "../../app/pricing/time";
import { startSandbox, type Sandbox } from "../../sandbox/harness";
import { expectAccessible } from "../helpers/axe";
import { hasChromium, launchBrowser, newContext, screenshotPath } from "../helpers/browser";
import { testDatabaseUrl } from "../helpers/db";
import { BROWSER_UA, deliverShopifyWebhook } from "../helpers/http";
import { orderPayload } from "../helpers/shopify-payloads";

describe.skipIf(!hasChromium)("cost report in headless Chromium", () => {
  let sandbox: Sandbox;
  let browser: Browser;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 10 } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  it("shows the cost by category with Meta's figures beside the estimate, and exports a CSV with the same total", async () => {
    // Three confirmations to Brazil and one to Colombia, outside any service window: utility, charged.
    const phones = ["+5511911110001", "+5511911110002", "+5511911110003", "+573001234567"];
    for (const phone of phones) {
      const order = orderPayload({ customer: { first_name: "Ana", phone }, shipping_address: { first_name: "Ana", phone, country_code: phone.startsWith("+57") ? "CO" : "BR" } });
      await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(order) });
    }
    const charged = () => sandbox.db.message.count({ where: { costState: "CHARGED" } });
    for (let i = 0; i < 100 && (await charged()) < phones.length; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await charged()).toBe(phones.length);
    const expectedMicros = 3 * 6_800 + 800;

    const context = await newContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(sandbox.adminUrl("/app/costs"));
    const total = page.getByTestId("cost-total");
    expect(await total.textContent()).toBe(formatMicros(expectedMicros, "USD", "en"));
    await page.getByText("Meta's own figures have not been fetched yet").waitFor();
    await expectAccessible(page, "costs");

    // Reconciliation: Meta's pricing_analytics (the simulator's) is stored and shown beside the estimate.
    await page.getByRole("button", { name: "Fetch Meta's figures" }).click();
    await page.getByText(/Meta's figures updated/).waitFor();
    const stored = await sandbox.db.metaCostDaily.findMany();
    expect(stored.reduce((sum, r) => sum + r.volume, 0)).toBe(phones.length);
    expect(stored.map((r) => [r.market, r.category, r.pricingType]).sort()).toEqual([
      ["Brazil", "utility", "regular"],
      ["Colombia", "utility", "regular"],
    ]);
    expect(stored.reduce((sum, r) => sum + Number(r.costMicros), 0)).toBe(expectedMicros);
    await page.getByText(`Meta reports ${formatMicros(expectedMicros, "USD", "en")}`).waitFor();
    const utilityRow = page.getByRole("row", { name: /^Utility/ });
    expect(await utilityRow.textContent()).toContain(`${formatMicros(expectedMicros, "USD", "en")}${formatMicros(expectedMicros, "USD", "en")}${formatMicros(0, "USD", "en")}`);
    await page.getByTestId("cost-chart").locator("svg").first().waitFor();

    // The export adds up to the total on screen.
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export CSV" }).click()]);
    const lines = (await readFile((await download.path())!, "utf8")).trim().split("\n");
    expect(lines[0]).toBe("day,category,market,template,automation,pricing_type,sent,delivered,read,failed,replied,charged,free,unknown_rate,cost_usd");
    const rows = lines.slice(1, -1).map((l) => l.split(","));
    const csvMicros = rows.reduce((sum, r) => sum + Math.round(Number(r.at(-1)) * 1_000_000), 0);
    expect(formatMicros(csvMicros, "USD", "en")).toBe(await total.textContent());
    expect(lines.at(-1)).toMatch(/^total,/);
    expect(Math.round(Number(lines.at(-1)!.split(",").at(-1)) * 1_000_000)).toBe(csvMicros);

    // A budget that is not an amount names the field; a small one raises the alert.
    await page.getByLabel("Budget per month (USD)").fill("ten dollars");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Enter an amount like 150 or 150.50, or leave it empty").waitFor();
    await page.getByLabel("Budget per month (USD)").fill("0.02");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("This month's WhatsApp budget is spent").waitFor();
    await page.screenshot({ path: screenshotPath("costs.png"), fullPage: true });
    await expectAccessible(page, "costs with Meta's figures and a budget alert");
    expect(errors).toEqual([]);
    await context.close();
  });

  it("renders the same page in a browser on another timezone, marks the chosen period, dates the chart and confirms saves", async () => {
    // A staff member in Tokyo; the WhatsApp account runs on São Paulo's days, the server on UTC. Any
    // date formatted without an explicit timezone would differ between server and browser.
    const context = await browser.newContext({ userAgent: BROWSER_UA, viewport: { width: 1280, height: 900 }, timezoneId: "Asia/Tokyo" });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    // React reports a hydration mismatch on the console; the sandbox cannot reach Shopify's CDN, which is no error of the page.
    page.on("console", (message) => message.type() === "error" && !message.text().startsWith("Failed to load resource") && errors.push(message.text()));
    await page.goto(sandbox.adminUrl("/app/costs"));
    await page.getByRole("button", { name: "Fetch Meta's figures" }).click();
    await page.getByText(/Meta's figures fetched/).waitFor();
    await page.reload();
    await page.getByTestId("cost-chart").locator("svg").first().waitFor();

    // The period shown is the preset that is pressed; choosing another presses it instead.
    const preset = (days: number) => page.getByRole("button", { name: `Last ${days} days` });
    expect(await preset(30).getAttribute("aria-pressed")).toBe("true");
    expect(await preset(7).getAttribute("aria-pressed")).toBe("false");
    await preset(7).click();
    await page.waitForURL(/from=/);
    await page.waitForFunction(() => document.querySelector("[aria-pressed=true]")?.textContent === "Last 7 days");
    expect(await preset(30).getAttribute("aria-pressed")).toBe("false");
    const shown = new URL(page.url()).searchParams;
    expect([await page.getByLabel("From", { exact: true }).inputValue(), await page.getByLabel("To", { exact: true }).inputValue()]).toEqual([shown.get("from"), shown.get("to")]);

    // The chart's x axis names the days, in the staff member's language, the WABA's dates.
    const zone = (await sandbox.db.whatsAppAccount.findFirstOrThrow()).timezone!;
    const today = localDay(new Date(), zone);
    const label = new Intl.DateTimeFormat("en", { day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(`${today}T12:00:00Z`));
    await page.getByTestId("cost-chart").locator("svg text", { hasText: label }).first().waitFor();

    // Saving the budget and uploading a rate card each say so; a card lacking markets names them.
    await page.getByLabel("Budget per month (USD)").fill("150");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Budget saved.").waitFor();
    await page.getByLabel("In force from").fill("2026-10-01");
    await page
      .locator('input[type="file"]:not([name])')
      .first()
      .setInputFiles({
        name: "rates.csv",
        mimeType: "text/csv",
        buffer: Buffer.from("Market,Currency,Marketing,Utility,Authentication\nBrazil,USD,0.0625,0.0068,0.0068\nColombia,USD,0.0125,0.0008,0.0008\n"),
      });
    await page.getByRole("button", { name: "Upload", exact: true }).click();
    await page.getByText("Rate card uploaded.", { exact: false }).waitFor();
    await page.getByText("This card has no rate for these markets").waitFor();
    // Each market and category the old card priced and this one does not.
    const lost = await page.getByText("Argentina (Marketing)", { exact: false }).innerText();
    for (const rate of ["Argentina (Utility)", "Chile (Marketing)", "Mexico (Utility)", "North America (Authentication)"]) expect(lost).toContain(rate);
    expect(lost).not.toContain("Brazil");
    await page.screenshot({ path: screenshotPath("costs-tokyo.png"), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});
