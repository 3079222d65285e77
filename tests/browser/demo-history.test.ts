import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { daysEnding, localDay } from "../../app/pricing/time";
import { seedDemoHistory } from "../../sandbox/demo-history";
import { startSandbox, type Sandbox } from "../../sandbox/harness";
import { hasChromium, launchBrowser, newContext, screenshotPath } from "../helpers/browser";
import { testDatabaseUrl } from "../helpers/db";

const SEEDING_MS = 15 * 60_000;

describe.skipIf(!hasChromium)("the demo's history in headless Chromium", () => {
  let sandbox: Sandbox;
  let browser: Browser;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() } });
    // What `npm run demo` plays after it prints its URL.
    await seedDemoHistory(sandbox);
    browser = await launchBrowser();
  }, SEEDING_MS);
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  it("holds the story the issue tells, each part dated by the platform that dated it", async () => {
    const { db } = sandbox;
    const zone = (await db.whatsAppAccount.findFirstOrThrow()).timezone!;
    const period = daysEnding(localDay(new Date(), zone), 90);
    expect(await db.order.count()).toBeGreaterThan(200);
    const orders = await db.order.aggregate({ _min: { createdAt: true }, _max: { createdAt: true } });
    expect(localDay(orders._min.createdAt!, zone)).toBe(period.from);
    expect(localDay(orders._max.createdAt!, zone) <= period.to).toBe(true);
    // The report's days come from Meta's status timestamps: the first is the period's first.
    const days = await db.costDaily.findMany({ distinct: ["day"], select: { day: true }, orderBy: { day: "asc" } });
    expect(days[0]!.day).toBe(period.from);
    expect(days.length).toBeGreaterThan(60);
    const failed = await db.message.findMany({ where: { status: "FAILED" }, select: { errorCode: true, failedAt: true } });
    expect(failed.map((m) => m.errorCode)).toEqual([131026]);
    expect(localDay(failed[0]!.failedAt!, zone) < period.to).toBe(true);
    expect(await db.message.count({ where: { source: "CUSTOMER", occurredAt: { lt: new Date(Date.now() - 30 * 24 * 3600 * 1000) } } })).toBeGreaterThan(0);
    expect(await db.message.count({ where: { source: "PHONE_APP" } })).toBeGreaterThan(0);
    expect(await db.contact.count({ where: { marketingOptedOutAt: { not: null } } })).toBe(1);
    const recovered = await db.checkout.findMany({ where: { orderId: { not: null } }, select: { completedAt: true } });
    expect(recovered.length).toBeGreaterThan(0);
    expect(recovered.every((c) => localDay(c.completedAt!, zone) < period.to)).toBe(true);
    expect(await db.message.count({ where: { templateName: "abandoned_cart", costState: "CHARGED" } })).toBeGreaterThan(0);
  });

  it("shows the last 90 days of costs, dated on the chart's axis, with money spent in several markets", async () => {
    const zone = (await sandbox.db.whatsAppAccount.findFirstOrThrow()).timezone!;
    const period = daysEnding(localDay(new Date(), zone), 90);

    const context = await newContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(sandbox.adminUrl("/app/costs"));
    await page.getByRole("button", { name: "Last 90 days" }).click();
    await page.waitForURL(/from=/);
    expect(Object.fromEntries(new URL(page.url()).searchParams)).toMatchObject(period);
    const chart = page.getByTestId("cost-chart");
    await chart.locator("svg").first().waitFor();

    // The x axis names the days in the WABA's dates: the first is today−89, the last today.
    const label = (day: string) => new Intl.DateTimeFormat("en", { day: "numeric", month: "short", timeZone: "UTC" }).format(new Date(`${day}T12:00:00Z`));
    // Only a period past a month draws this axis: waiting for it waits for the 90 days, not the page it came from.
    await chart.getByTestId("cost-chart-axis").waitFor();
    const axis = await chart.getByTestId("cost-chart-axis").locator("li").allTextContents();
    expect(axis.length).toBeGreaterThan(2);
    expect(axis[0]).toBe(label(period.from));
    expect(axis.at(-1)).toBe(label(period.to));
    expect(await chart.locator('[data-type="BarGroup"]').count()).toBe(90);

    // Money went out in every market the demo sells to (Mexico's cart reminders have no published marketing rate).
    const markets = page
      .getByRole("table")
      .filter({ has: page.getByRole("columnheader", { name: "Sent" }) })
      .first();
    for (const market of ["Brazil", "Mexico", "Colombia", "Argentina", "Chile", "North America"]) {
      const cost =
        (await markets
          .getByRole("row", { name: new RegExp(`^${market}`) })
          .locator("td")
          .last()
          .textContent()) ?? "";
      // The amount, also when it reads "At least $X" with a note on the messages without a rate.
      expect(Number(/\d[\d,]*(\.\d+)?/.exec(cost)?.[0].replace(/,/g, ""))).toBeGreaterThan(0);
    }
    await page.screenshot({ path: screenshotPath("demo-costs-90-days.png"), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  });
});
