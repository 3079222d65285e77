import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSandbox, type Sandbox } from "../../sandbox/harness";
import { installShop } from "../../sandbox/seed";
import { testDatabaseUrl } from "../helpers/db";
import { expectAccessible } from "../helpers/axe";
import { hasChromium, launchBrowser, newContext, screenshotPath } from "../helpers/browser";
import { simJson } from "../helpers/http";

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
    await expectAccessible(page, "connect");

    const popupOpened = page.waitForEvent("popup");
    await page.getByRole("button", { name: "Connect my WhatsApp Business app" }).click();
    const popup = await popupOpened;
    await popup.getByRole("button", { name: "Finish" }).click();

    const number = page.getByTestId("connected-number");
    await number.waitFor({ timeout: 20_000 });
    expect(await number.textContent()).toBe("+55 11 98765-0002");
    await page.screenshot({ path: screenshotPath("connect-connected.png"), fullPage: true });
    await expectAccessible(page, "connect, connected");
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
    await page.getByText("El registro se cerró antes de terminar (al agregar el número de teléfono). No se cambió nada.").waitFor({ timeout: 10_000 });
    await expectAccessible(page, "connect, signup cancelled");
    await context.close();
  });

  it("a signup finished in a window of its own waits on the connect page until a staff member connects it, in Portuguese", async () => {
    const domain = "browser-parked.myshopify.com";
    const shop = await installShop(sandbox.db, sandbox.config, domain);
    const context = await newContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(sandbox.adminUrl("/app/connect", { shop: domain, locale: "pt-BR" }));
    await page.waitForFunction(() => Boolean((window as unknown as { FB?: unknown }).FB));

    const windowOpened = context.waitForEvent("page");
    await page.getByRole("link", { name: "App WhatsApp Business, em uma nova janela" }).click();
    const dialog = await windowOpened;
    await dialog.getByRole("button", { name: "Finish" }).click();
    await dialog.getByText("Quase pronto: +55 11 98765-0002 está preparado.").waitFor({ timeout: 20_000 });
    // The window had no admin session: nothing is connected yet.
    expect(await sandbox.db.whatsAppAccount.findUnique({ where: { shopId: shop.id } })).toBeNull();

    await page.reload();
    await page.getByText("Confirme o número conectado em outra janela").waitFor({ timeout: 20_000 });
    expect(await page.getByTestId("parked-number").textContent()).toBe("+55 11 98765-0002");
    await page.screenshot({ path: screenshotPath("connect-parked.png"), fullPage: true });
    await expectAccessible(page, "connect, signup waiting for confirmation");
    await page.getByRole("button", { name: "Conectar este número" }).click();
    const number = page.getByTestId("connected-number");
    await number.waitFor({ timeout: 30_000 });
    expect(await number.textContent()).toBe("+55 11 98765-0002");
    await page.getByTestId("parked-number").waitFor({ state: "detached" });
    expect(await sandbox.db.whatsAppAccount.findUniqueOrThrow({ where: { shopId: shop.id } })).toMatchObject({ onboardingState: "CONNECTED", coexistence: true });
    expect(errors).toEqual([]);
    await context.close();
  });

  // Issue 13, item 12: whatever order the finish event and the login callback
  // come in, or if one never comes, or the callback has no code, the page
  // settles: connected, or a translated message with "Try again".
  let shopCounter = 0;
  async function connectPage(locale = "en") {
    const domain = `browser-order-${++shopCounter}.myshopify.com`;
    await installShop(sandbox.db, sandbox.config, domain);
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(sandbox.adminUrl("/app/connect", { shop: domain, locale }));
    await page.waitForFunction(() => Boolean((window as unknown as { FB?: unknown }).FB));
    return { page, close: () => context.close() };
  }
  async function signupWith(page: Page, order: string, clickTo: () => Promise<void>, button = "Finish") {
    await simJson(sandbox.simUrl, "settings", { method: "PATCH", body: { signupOrder: order } });
    const popupOpened = page.waitForEvent("popup");
    await clickTo();
    const popup = await popupOpened;
    const closed = popup.waitForEvent("close");
    await popup.getByRole("button", { name: button }).click();
    await closed;
  }
  const status = (page: Page) => page.getByTestId("signup-status");

  it("connects whichever channel comes first, and with a code but no session event", async () => {
    for (const order of ["event-first", "code-first", "code-only"]) {
      const { page, close } = await connectPage();
      await signupWith(page, order, () => page.getByRole("button", { name: "Connect a new number" }).click());
      await page.getByTestId("connected-number").waitFor({ timeout: 30_000 });
      expect(await page.getByTestId("connected-number").textContent()).toBe("+1 555-010-0001");
      await close();
    }
  });

  for (const order of ["no-code", "no-code-first"]) {
    it(`says the finish came without a code (${order}) and connects on "Try again"`, async () => {
      const { page, close } = await connectPage();
      await signupWith(page, order, () => page.getByRole("button", { name: "Connect my WhatsApp Business app" }).click());
      await page.getByText("Meta says signup finished, but the Facebook window sent no authorization code").waitFor({ timeout: 20_000 });
      await page.screenshot({ path: screenshotPath(`connect-${order}.png`), fullPage: true });
      await signupWith(page, "event-first", () => page.getByRole("button", { name: "Try again" }).click());
      await page.getByTestId("connected-number").waitFor({ timeout: 30_000 });
      expect(await page.getByTestId("connected-number").textContent()).toBe("+55 11 98765-0002");
      await close();
    });
  }

  it("gives up with a way to retry when the login callback never comes after the finish event", async () => {
    const { page, close } = await connectPage("es");
    await signupWith(page, "event-only", () => page.getByRole("button", { name: "Conectar un número nuevo" }).click());
    await page.getByText("El registro de Meta no respondió a tiempo y no se conectó nada.").waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Intentar de nuevo" }).waitFor();
    await close();
  });

  it("shows Meta's reported error in Portuguese, with its message and id", async () => {
    const { page, close } = await connectPage("pt-BR");
    await signupWith(page, "event-first", () => page.getByRole("button", { name: "Conectar um número novo" }).click(), "Report an error");
    await page.getByText("This phone number is already registered to a WhatsApp account (524126)").waitFor({ timeout: 20_000 });
    expect(await status(page).textContent()).toMatch(/^A Meta informou um problema no cadastro: /);
    await page.getByRole("button", { name: "Tentar de novo" }).waitFor();
    await close();
  });
});
