// Every app page, with data in it, checked by axe-core in headless Chromium:
// in English, Spanish and Portuguese, at a desktop and a phone's size. A
// serious or critical violation (WCAG 2 A/AA, axe's best practices) fails.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

import { scheduleCampaign } from "../../app/campaigns/sending.server";
import { Prisma } from "../../app/generated/prisma/client";
import { startSandbox, type Sandbox } from "../../sandbox/harness";
import { SEED } from "../../sandbox/simulator/state";
import { describeViolations, seriousViolations } from "../helpers/axe";
import { hasChromium, launchBrowser } from "../helpers/browser";
import { testDatabaseUrl } from "../helpers/db";
import { BROWSER_UA, deliverShopifyWebhook, simJson } from "../helpers/http";
import { orderPayload } from "../helpers/shopify-payloads";

const VIEWPORTS = { desktop: { width: 1280, height: 800 }, mobile: { width: 390, height: 844 } } as const;
const LOCALES = ["en", "es", "pt-BR"] as const;

// expect.poll belongs to tests; the setup below waits in beforeAll.
const until = (ready: () => Promise<boolean>) => vi.waitFor(async () => expect(await ready()).toBe(true), { timeout: 60_000, interval: 200 });

describe.skipIf(!hasChromium)("accessibility of every page (axe-core)", () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let pages: { route: string; path: string; shows: string }[];

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 10 } });
    browser = await launchBrowser();
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    // No quiet hours on the shop's marketing: the campaign below is sent at any hour.
    await sandbox.db.automation.updateMany({ where: { shopId: shop.id, trigger: "CHECKOUT_ABANDONED" }, data: { quietHours: Prisma.DbNull } });

    // An order confirmation (a conversation, an order, a cost) the customer answers.
    const order = orderPayload({ customer: { first_name: "Ana", phone: "+5511966667777" } });
    await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(order) });
    await until(async () => (await sandbox.db.message.count({ where: { idempotencyKey: `ORDER_CREATED:${order.id}`, status: { in: ["DELIVERED", "READ"] } } })) === 1);
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: "+5511966667777", text: "Posso trocar o tamanho?", phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
    const contact = await sandbox.db.contact.findFirstOrThrow({ where: { shopId: shop.id, waId: "5511966667777" } });
    // Mariana answers in the app: the team report has her in it.
    const answered = await fetch(`${sandbox.appUrl}/app/conversations/${contact.id}`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
      body: new URLSearchParams({ intent: "text", text: "Claro! Qual tamanho?", requestId: crypto.randomUUID() }).toString(),
    });
    expect(answered.status).toBe(200);
    await sandbox.settled();

    // Two campaigns over a few customers: a draft, and one sent whose results have figures.
    const customers = ["+5511955557001", "+5511955557002", "+5511955557003"].map((phone, i) => ({
      id: 9_500_000 + i,
      firstName: `Cliente ${i}`,
      phone,
      countryCode: "BR",
      tags: ["a11y"],
      whatsAppMarketingState: "SUBSCRIBED",
    }));
    expect((await fetch(`${sandbox.shopify.url}/_sim/shopify/customers`, { method: "POST", body: JSON.stringify({ shop: sandbox.shopDomain, customers }) })).status).toBe(200);
    const draft = async (name: string) => {
      const created = await fetch(`${sandbox.appUrl}/app/campaigns?index`, {
        method: "POST",
        redirect: "manual",
        headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
        body: new URLSearchParams({ name, audience: "filters", tag: "a11y", templateName: "abandoned_cart" }).toString(),
      });
      expect(created.status).toBe(302);
      const id = /\/app\/campaigns\/([\w-]+)/.exec(created.headers.get("location") ?? "")![1]!;
      await until(async () => (await sandbox.db.campaign.findUniqueOrThrow({ where: { id } })).audienceStatus === "READY");
      return id;
    };
    const draftId = await draft("Dia das Mães");
    const sentId = await draft("Black Friday");
    await sandbox.db.campaign.updateMany({ where: { id: { in: [draftId, sentId] } }, data: { variableMapping: ["first_name", "store_name", "store_name"] } });
    expect(await scheduleCampaign(sandbox.db, shop.id, sentId, { id: "1", name: "Owner" }, { kind: "NOW", overBudgetApproved: false })).toEqual({ ok: true });
    await until(async () => (await sandbox.db.message.count({ where: { campaignId: sentId, status: { in: ["DELIVERED", "READ"] } } })) === customers.length);
    await sandbox.settled();

    // Each page by its route, and a selector for some of the data above on it (in any language).
    pages = [
      { route: "app._index", path: "/app", shows: "text=+1 555-010-0001" },
      { route: "app.connect", path: "/app/connect", shows: '[data-testid="connected-number"]' },
      { route: "app.conversations._index", path: "/app/conversations", shows: `text=${order.name}` },
      { route: "app.conversations.$contactId", path: `/app/conversations/${contact.id}`, shows: "text=Claro! Qual tamanho?" },
      { route: "app.orders.$orderId", path: `/app/orders/${order.id}`, shows: "text=Posso trocar o tamanho?" },
      { route: "app.costs", path: "/app/costs", shows: '[data-testid="cost-chart"] svg' },
      { route: "app.automations", path: "/app/automations", shows: '[data-testid="preview-ORDER_CREATED"]' },
      { route: "app.team", path: "/app/team", shows: "text=Mariana Costa" },
      { route: "app.inbox-settings", path: "/app/inbox-settings", shows: "text=America/Sao_Paulo" },
      { route: "app.campaigns._index", path: "/app/campaigns", shows: "text=Black Friday" },
      { route: "app.campaigns.$campaignId", path: `/app/campaigns/${draftId}`, shows: '[data-testid="campaign-preview"]' },
      { route: "app.campaigns.$campaignId_.results", path: `/app/campaigns/${sentId}/results`, shows: ".Polaris-DataTable" },
    ];
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  async function visit(page: Page, { path, shows }: { path: string; shows: string }, locale: string) {
    await page.goto(sandbox.adminUrl(path, { locale }), { waitUntil: "networkidle" });
    await page.locator(".Polaris-Page").locator(shows).first().waitFor();
  }

  for (const [viewportName, viewport] of Object.entries(VIEWPORTS)) {
    for (const locale of LOCALES) {
      it(`has no serious or critical violation on any page (${locale}, ${viewportName})`, async () => {
        const context = await browser.newContext({ userAgent: BROWSER_UA, viewport, isMobile: viewportName === "mobile" });
        const page = await context.newPage();
        const errors: string[] = [];
        page.on("pageerror", (error) => errors.push(error.message));
        const report: string[] = [];
        for (const entry of pages) {
          await visit(page, entry, locale);
          const violations = await seriousViolations(page);
          if (violations.length > 0) report.push(`${entry.route}:\n${describeViolations(violations)}`);
        }
        await context.close();
        expect(report.join("\n")).toBe("");
        expect(errors).toEqual([]);
      }, 180_000);
    }
  }
});
