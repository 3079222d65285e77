// What cannot be undone asks first, in headless Chromium: stopping a
// customer's marketing (cancel changes nothing, confirm stops it, and the undo
// needs the customer's request as its reason), a template reply outside the
// 24-hour window chosen by staff and read filled in before it goes, and
// disconnecting WhatsApp.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSandbox, type Sandbox } from "../../sandbox/harness";
import { SEED } from "../../sandbox/simulator/state";
import { expectAccessible } from "../helpers/axe";
import { hasChromium, launchBrowser, newContext, screenshotPath } from "../helpers/browser";
import { testDatabaseUrl } from "../helpers/db";
import { simJson } from "../helpers/http";

describe.skipIf(!hasChromium)("confirmations in headless Chromium", () => {
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

  it("asks before stopping marketing, undoes it with a reason, and previews a template chosen outside the window", async () => {
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: "+5511955557001", name: "Beatriz Souza", text: "START", phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    // The customer last wrote two days ago: only a template may go now.
    const contact = await sandbox.db.contact.update({ where: { shopId_phoneE164: { shopId: shop.id, phoneE164: "+5511955557001" } }, data: { lastInboundAt: new Date(Date.now() - 48 * 3600_000) } });
    await sandbox.db.order.create({
      data: { shopId: shop.id, shopifyOrderId: "97001", name: "#7001", contactId: contact.id, customerName: "Beatriz", locale: "en", totalPrice: "149.90", currency: "BRL" },
    });
    const marketing = () => sandbox.db.contact.findUniqueOrThrow({ where: { id: contact.id }, select: { marketingConsent: true, marketingOptedOutAt: true, marketingOptOutSource: true } });
    const before = await marketing();
    expect(before).toMatchObject({ marketingConsent: true, marketingOptedOutAt: null });

    const context = await newContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(sandbox.adminUrl(`/app/conversations/${contact.id}`, { locale: "en" }));
    await page.getByText("START").first().waitFor();

    const optOutDialog = page.getByRole("dialog", { name: "Stop marketing messages to this customer?" });
    await page.getByRole("button", { name: "Opt out of marketing" }).click();
    await optOutDialog.getByText("any waiting to go out are cancelled").waitFor();
    await expectAccessible(page, "opt-out confirmation");
    await optOutDialog.getByRole("button", { name: "Cancel" }).click();
    await optOutDialog.waitFor({ state: "detached" });
    expect(await marketing()).toEqual(before);

    await page.getByRole("button", { name: "Opt out of marketing" }).click();
    await optOutDialog.getByRole("button", { name: "Stop marketing" }).click();
    await page.getByText("This customer opted out of marketing messages").waitFor();
    await optOutDialog.waitFor({ state: "detached" });
    expect(await marketing()).toMatchObject({ marketingConsent: false, marketingOptOutSource: "staff:1" });

    const optInDialog = page.getByRole("dialog", { name: "Send offers to this customer again?" });
    await page.getByRole("button", { name: "Opt back in" }).click();
    await optInDialog.getByRole("button", { name: "Opt back in" }).click();
    await optInDialog.getByText("Write why: what the customer asked").waitFor();
    expect(await marketing()).toMatchObject({ marketingConsent: false, marketingOptOutSource: "staff:1" });
    await optInDialog.getByLabel("Why (the customer's request)").fill("The customer asked to receive offers again");
    await optInDialog.getByRole("button", { name: "Opt back in" }).click();
    await optInDialog.waitFor({ state: "detached" });
    await page.getByText("opted the customer back in to marketing messages").waitFor();
    expect(await marketing()).toMatchObject({ marketingConsent: true, marketingOptedOutAt: null });

    const template = page.getByLabel("Template", { exact: true });
    expect(await template.inputValue()).toBe("");
    expect(await template.locator("option:checked").textContent()).toBe("Choose a template");
    await page.getByRole("button", { name: "Send template" }).click();
    await page.getByText("Choose a template to send").waitFor();
    await template.selectOption("order_confirmation");
    const preview = page.getByTestId("template-preview");
    await preview.waitFor();
    expect(await preview.textContent()).toMatch(/^Hi Beatriz, we received your order #7001 for .*149[.,]90\. We will let you know when it ships\.$/);
    await page.screenshot({ path: screenshotPath("template-preview.png"), fullPage: true });
    expect(await sandbox.db.message.count({ where: { contactId: contact.id, source: "STAFF" } })).toBe(0);

    await page.getByRole("button", { name: "Send template" }).click();
    await page.getByText("Sent.").waitFor();
    expect(await sandbox.db.message.findFirstOrThrow({ where: { contactId: contact.id, source: "STAFF" }, select: { templateName: true } })).toEqual({ templateName: "order_confirmation" });
    expect(errors).toEqual([]);
    await context.close();
  });

  it("asks before disconnecting WhatsApp, saying what stops", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(sandbox.adminUrl("/app/connect", { locale: "en" }));
    const dialog = page.getByRole("dialog", { name: "Disconnect WhatsApp?" });
    await page.getByRole("button", { name: "Disconnect WhatsApp" }).click();
    await dialog.getByText("Automations stop").waitFor();
    await dialog.getByText("Replies stop").waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    const account = () => sandbox.db.whatsAppAccount.findFirstOrThrow({ select: { onboardingState: true } });
    expect(await account()).toEqual({ onboardingState: "CONNECTED" });

    await page.getByRole("button", { name: "Disconnect WhatsApp" }).click();
    await dialog.getByRole("button", { name: "Disconnect WhatsApp" }).click();
    await expect.poll(async () => (await account()).onboardingState).toBe("DISCONNECTED");
    await context.close();
  });
});
