import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSandbox, type Sandbox } from "../../sandbox/harness";
import { SEED } from "../../sandbox/simulator/state";
import { expectAccessible } from "../helpers/axe";
import { hasChromium, launchBrowser, newContext, screenshotPath } from "../helpers/browser";
import { testDatabaseUrl } from "../helpers/db";
import { deliverShopifyWebhook, simJson } from "../helpers/http";
import { orderPayload } from "../helpers/shopify-payloads";

describe.skipIf(!hasChromium)("thread page in headless Chromium", () => {
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

  it("shows the conversation and sends a free-text reply inside the customer's window", async () => {
    const order = orderPayload({ customer: { first_name: "Ana", phone: "+5511966665555" } });
    await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(order) });
    for (let i = 0; i < 50 && (await sandbox.db.message.count({ where: { idempotencyKey: `ORDER_CREATED:${order.id}`, status: "READ" } })) === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: "+5511966665555", text: "Posso trocar o tamanho?", phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();

    const context = await newContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    // Rafael Lima, the demo shop's employee (user 2), has the thread open.
    await page.goto(sandbox.adminUrl(`/app/orders/${order.id}`, { userId: 2 }));
    await page.getByText("Posso trocar o tamanho?").waitFor();
    expect((await page.getByText(`Hi Ana, we received your order ${order.name}`).count()) + (await page.getByText(`Olá Ana, recebemos seu pedido ${order.name}`).count())).toBe(1);
    await page.getByText(/you can reply freely for 2[34] h/).waitFor();
    await expectAccessible(page, "order thread");

    await page.getByLabel("Message").fill("Claro! Responda com o novo tamanho.");
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.getByText("Sent.").waitFor();
    await page.getByText("Claro! Responda com o novo tamanho.").last().waitFor();
    // The page re-reads the thread after the reply: the bubble names its author.
    await page.getByText("Staff · Rafael Lima").waitFor();
    await page.screenshot({ path: screenshotPath("thread.png"), fullPage: true });

    const sent = await simJson<{ to: string; type: string; text?: string }[]>(sandbox.simUrl, "messages");
    expect(sent.filter((m) => m.type === "text")).toMatchObject([{ to: "5511966665555", text: "Claro! Responda com o novo tamanho." }]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("renders the window's time left as the server did when the browser's clock is off, then counts from the browser's clock", async () => {
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: "+5511955550199", name: "Marisol", text: "¿Llega mañana?", phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
    const contact = await sandbox.db.contact.findFirstOrThrow({ where: { phoneE164: "+5511955550199" } });
    const context = await newContext(browser);
    const page = await context.newPage();
    // A staff member's phone or laptop whose clock runs 10 minutes ahead of the server's.
    await page.clock.install({ time: Date.now() + 10 * 60_000 });
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(sandbox.adminUrl(`/app/conversations/${contact.id}`), { waitUntil: "networkidle" });
    await page.getByText("you can reply freely for 23 h 50 min").waitFor();
    // React threw the server's HTML away (errors #418, #423, #425) when the browser's first render said otherwise.
    expect(errors).toEqual([]);
    await context.close();
  });
});
