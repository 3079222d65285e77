import { readFile } from "node:fs/promises";

import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { formatMicros } from "../../app/money";
import { startSandbox, type Sandbox } from "../../sandbox/harness";
import { expectAccessible } from "../helpers/axe";
import { hasChromium, launchBrowser, newContext, screenshotPath } from "../helpers/browser";
import { testDatabaseUrl } from "../helpers/db";
import { deliverShopifyWebhook } from "../helpers/http";
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
});
