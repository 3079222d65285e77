// Quick replies as staff use them, in headless Chromium and in the demo
// shop's language (Portuguese): saved on the inbox settings page, inserted in
// a conversation's reply box with the customer's name, order number and
// tracking link filled in, edited, sent, and received by the customer.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSandbox, type Sandbox } from "../../sandbox/harness";
import { SEED } from "../../sandbox/simulator/state";
import { expectAccessible } from "../helpers/axe";
import { hasChromium, launchBrowser, newContext, screenshotPath } from "../helpers/browser";
import { testDatabaseUrl } from "../helpers/db";
import { simJson } from "../helpers/http";

describe.skipIf(!hasChromium)("quick replies in headless Chromium", () => {
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

  it("a quick reply saved in the settings is inserted filled in, edited and sent to the customer", async () => {
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: "+5511955554001", name: "Beatriz Souza", text: "Cadê meu pedido?", phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const contact = await sandbox.db.contact.findFirstOrThrow({ where: { shopId: shop.id, waId: "5511955554001" } });
    await sandbox.db.order.create({
      data: { shopId: shop.id, shopifyOrderId: "94001", name: "#4001", contactId: contact.id, customerName: "Beatriz Souza", locale: "pt-BR", trackingUrl: "https://rastreio.example/BR4001" },
    });

    const context = await newContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(sandbox.adminUrl("/app/inbox-settings", { locale: "pt-BR" }));
    await page.getByText("Horários no fuso da loja (America/Sao_Paulo)").waitFor();
    await expectAccessible(page, "inbox settings");

    await page.getByLabel("Meta de primeira resposta (minutos)").fill("20");
    await page.getByRole("button", { name: "Salvar configurações" }).click();
    await page.getByText("Configurações salvas.").waitFor();
    expect((await sandbox.db.shop.findUniqueOrThrow({ where: { id: shop.id } })).firstResponseTargetMinutes).toBe(20);

    await page.getByLabel("Título", { exact: true }).fill("Rastreio");
    await page.getByLabel("Idioma", { exact: true }).selectOption({ label: "Português (Brasil)" });
    await page.getByLabel("Texto", { exact: true }).fill("Olá {customer_name}, seu pedido {order_number} está a caminho: {tracking_link}");
    await page.getByRole("button", { name: "Salvar resposta rápida" }).click();
    await page.getByText("Resposta rápida salva.").waitFor();
    await page.getByRole("heading", { name: "Rastreio" }).waitFor();
    await page.screenshot({ path: screenshotPath("inbox-settings.png"), fullPage: true });

    await page.goto(sandbox.adminUrl(`/app/conversations/${contact.id}`, { locale: "pt-BR" }));
    await page.getByText("Cadê meu pedido?").waitFor();
    await page.getByLabel("Resposta rápida", { exact: true }).selectOption({ label: "Rastreio · Português (Brasil)" });
    const message = page.getByLabel("Mensagem", { exact: true });
    const filled = "Olá Beatriz Souza, seu pedido #4001 está a caminho: https://rastreio.example/BR4001";
    await expect.poll(() => message.inputValue()).toBe(filled);
    await message.fill(`${filled} Qualquer dúvida, estamos aqui.`);
    await page.screenshot({ path: screenshotPath("quick-reply-inserted.png"), fullPage: true });
    await expectAccessible(page, "conversation with a quick reply inserted");
    await page.getByRole("button", { name: "Enviar", exact: true }).click();
    await page.getByText("Enviado.").waitFor();

    await expect
      .poll(async () => (await simJson<{ to: string; text?: string }[]>(sandbox.simUrl, "messages")).filter((m) => m.to === "5511955554001").map((m) => m.text))
      .toEqual([`${filled} Qualquer dúvida, estamos aqui.`]);
    expect(errors).toEqual([]);
  });
});
