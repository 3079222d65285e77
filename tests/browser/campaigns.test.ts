// A campaign as a Mexican merchant runs it, in headless Chromium and in
// Spanish: a draft over a few hundred customers, its message (a marketing
// template, its variables, a preview with a real customer's name), a test to
// the merchant's own WhatsApp, then sent now and followed to the end, and its
// results read: a recipient's reply and the order another placed.
import type { Browser } from "playwright-core";
import { Prisma } from "../../app/generated/prisma/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { formatMicros } from "../../app/ui/money";
import { startSandbox, type Sandbox } from "../../sandbox/harness";
import { expectAccessible } from "../helpers/axe";
import { hasChromium, launchBrowser, newContext, screenshotPath } from "../helpers/browser";
import { testDatabaseUrl } from "../helpers/db";
import { postShopifyWebhook, simJson } from "../helpers/http";
import { orderPayload } from "../helpers/shopify-payloads";

describe.skipIf(!hasChromium)("a campaign in headless Chromium, in Spanish", () => {
  let sandbox: Sandbox;
  let browser: Browser;
  let storeName: string;
  // 300 Mexican and Colombian customers; every tenth never subscribed to WhatsApp marketing.
  const customers = Array.from({ length: 300 }, (_, i) => ({
    id: 9_400_001 + i,
    firstName: `Cliente ${i + 1}`,
    phone: i % 2 ? `+57 310 ${String(100 + (i % 900)).padStart(3, "0")} ${String(1000 + i).padStart(4, "0")}` : `+52 55 ${String(3000 + i).padStart(4, "0")} ${String(4000 + i).padStart(4, "0")}`,
    countryCode: i % 2 ? "CO" : "MX",
    whatsAppMarketingState: i % 10 === 9 ? ("NEVER_SUBSCRIBED" as const) : ("SUBSCRIBED" as const),
  }));
  const recipients = customers.filter((c) => c.whatsAppMarketingState === "SUBSCRIBED");

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 10 } });
    browser = await launchBrowser();
    const facts = await fetch(`${sandbox.shopify.url}/_sim/shopify/shop`, { method: "POST", body: JSON.stringify({ shop: sandbox.shopDomain, facts: { countryCode: "MX", primaryLocale: "es" } }) });
    expect(facts.status).toBe(200);
    await sandbox.settled();
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    expect(shop.locale).toBe("es");
    storeName = shop.name ?? shop.domain;
    // No quiet hours on the shop's marketing (the cart reminders'): the test runs at any hour.
    const quiet = await sandbox.db.automation.updateMany({ where: { shopId: shop.id, trigger: "CHECKOUT_ABANDONED" }, data: { quietHours: Prisma.DbNull } });
    expect(quiet.count).toBe(1);
    const seeded = await fetch(`${sandbox.shopify.url}/_sim/shopify/customers`, { method: "POST", body: JSON.stringify({ shop: sandbox.shopDomain, customers }) });
    expect(seeded.status).toBe(200);
  });
  afterAll(async () => {
    await browser?.close();
    await sandbox?.stop();
  });

  it("creates a draft, maps the template's variables, previews a real customer, sends a test, sends it to the end and reads its results", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(sandbox.adminUrl("/app/campaigns", { locale: "es" }));
    await page.getByRole("heading", { name: "Nueva campaña" }).waitFor();
    await expectAccessible(page, "campaigns");
    await page.getByLabel("Nombre", { exact: true }).fill("Hot Sale");
    await page.getByLabel("Clientes que cumplen unos filtros").check();
    await page.getByRole("button", { name: "Crear borrador" }).click();
    await page.waitForURL(/\/app\/campaigns\/\w+/);
    const id = /\/app\/campaigns\/(\w+)/.exec(page.url())![1]!;
    await page.getByText(`${recipients.length} la recibirían`).waitFor({ timeout: 60_000 });
    await expectAccessible(page, "campaign draft");

    await page.getByLabel("Plantilla de marketing").selectOption("abandoned_cart");
    await page.getByLabel("Variable {{1}}").selectOption({ label: "Nombre del cliente" });
    await page.getByLabel("Variable {{2}}").selectOption({ label: "Nombre de la tienda" });
    await page.getByLabel("Variable {{3}}").selectOption({ label: "Nombre de la tienda" });
    const intro = await page.getByText(/^Como lo recibiría Cliente \d+ \(plantilla en español\)$/).textContent();
    const name = /(Cliente \d+)/.exec(intro ?? "")![1]!;
    expect(recipients.map((c) => c.firstName)).toContain(name);
    expect(await page.getByTestId("campaign-preview").textContent()).toBe(`Hola ${name}, dejaste ${storeName} en tu carrito. Termina tu compra aquí: ${storeName}`);
    await page.getByRole("button", { name: "Guardar mensaje" }).click();
    await page.getByText("Mensaje guardado.").waitFor();
    expect(await sandbox.db.campaign.findUniqueOrThrow({ where: { id }, select: { templateName: true, variableMapping: true } })).toEqual({
      templateName: "abandoned_cart",
      variableMapping: ["first_name", "store_name", "store_name"],
    });

    await page.getByLabel("Tu número de WhatsApp").fill("55 9999 0001");
    await page.getByRole("button", { name: "Enviar prueba" }).click();
    await page.getByText("Prueba enviada a tu WhatsApp.").waitFor();
    const sent = async () => (await simJson<{ to: string; template?: { name: string; parameters: string[] } }[]>(sandbox.simUrl, "messages")).filter((m) => m.template?.name === "abandoned_cart");
    expect((await sent()).map((m) => ({ to: m.to, parameters: m.template!.parameters }))).toEqual([{ to: "525599990001", parameters: [name, storeName, storeName] }]);
    await page.screenshot({ path: screenshotPath("campaign-message.png"), fullPage: true });

    // Now: every recipient receives it once; the page follows it to the end.
    await page.getByLabel("Ahora").check();
    await page.getByRole("button", { name: "Programar campaña" }).click();
    await page.getByText(`${recipients.length} de ${recipients.length} mensajes procesados`).waitFor({ timeout: 90_000 });
    await page.getByText("Enviada", { exact: true }).waitFor({ timeout: 30_000 });
    expect(await page.locator("#progress-failed").textContent()).toBe("0");
    const progress =
      Number(await page.locator("#progress-delivered").textContent()) + Number(await page.locator("#progress-read").textContent()) + Number(await page.locator("#progress-sent").textContent());
    expect(progress).toBe(recipients.length);
    await page.screenshot({ path: screenshotPath("campaign-progress.png"), fullPage: true });
    await expectAccessible(page, "campaign sent");
    expect((await sent()).filter((m) => m.to !== "525599990001")).toHaveLength(recipients.length);

    // Afterwards one recipient writes back and another buys: the results page counts the reply and the order.
    const [replier, buyer] = [recipients[0]!, recipients[1]!];
    const e164 = (c: (typeof customers)[number]) => `+${c.phone.replace(/\D/g, "")}`;
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: e164(replier), text: "¿Tienen talla M?" } });
    const order = orderPayload({
      id: 7_900_001,
      name: "#HS1",
      currency: "COP",
      total_price: "250000.00",
      customer_locale: "es-CO",
      customer: { id: buyer.id, first_name: buyer.firstName, last_name: "Díaz", phone: e164(buyer), email: null, sms_marketing_consent: null },
      shipping_address: { first_name: buyer.firstName, phone: e164(buyer), country_code: "CO", city: "Bogotá" },
    });
    expect((await postShopifyWebhook(sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(order) })).status).toBe(200);
    await sandbox.settled();
    await page.getByRole("link", { name: "Ver resultados" }).click();
    await page.getByRole("heading", { name: "Resultados: Hot Sale" }).waitFor();
    const shown = (await page.locator("body").innerText()).replace(/\s+/g, " ");
    const count = (label: string) => Number(new RegExp(`${label} (\\d+)`).exec(shown)?.[1]);
    expect(count("Mensajes")).toBe(recipients.length);
    expect(count("Respondidos")).toBe(1);
    expect(count("Fallidos")).toBe(0);
    expect(shown).toContain("#HS1");
    // Mexico's deliveries have no rate in the card: their cost is unknown, not 0.
    expect(shown).toContain(`150 Tarifa desconocida`);
    expect(shown).not.toContain(" 0,00 US$");
    expect(shown).toContain("Pedido del destinatario");
    expect(shown).toContain(formatMicros(250_000_000_000, "COP", "es").replace(/\s+/g, " "));
    await page.screenshot({ path: screenshotPath("campaign-results.png"), fullPage: true });
    expect(errors).toEqual([]);
  }, 300_000);
});
