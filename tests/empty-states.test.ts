// Empty states and "connect your number first" notices over HTTP (issue 16):
// a brand-new shop without a connected number (in Spanish) is told on every
// page what to do next and where, with actions that cannot work disabled and
// the reason beside them; a connected shop sees no connect notice, and a filter
// with no match says so and offers to clear it. Another shop naming the new
// shop's campaign or customer finds nothing.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSandbox, type Sandbox } from "../sandbox/harness";
import { installShop } from "../sandbox/seed";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, simJson } from "./helpers/http";

describe("empty states and the connect notice", () => {
  let sandbox: Sandbox;
  const newShop = "empty-new.myshopify.com";
  let newShopId: string;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 5 } });
    newShopId = (await installShop(sandbox.db, sandbox.config, newShop)).id;
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  /** The page as text (tags dropped), and its HTML for links. */
  const page = async (path: string, options: { shop?: string; locale?: string; query?: Record<string, string> } = {}) => {
    const query = options.query ? `&${new URLSearchParams(options.query)}` : "";
    const response = await fetch(`${sandbox.adminUrl(path, { shop: options.shop, locale: options.locale ?? "en" })}${query}`, { headers: { "user-agent": BROWSER_UA } });
    const html = await response.text();
    return {
      status: response.status,
      html,
      text: html
        .replace(/<[^>]+>/g, " ")
        .replace(/&#x27;/g, "'")
        .replace(/\s+/g, " "),
    };
  };
  const es = (path: string, query?: Record<string, string>) => page(path, { shop: newShop, locale: "es", query });

  it("tells a new shop without a number what to do on each page, in Spanish, linking to connect", async () => {
    const home = await es("/app");
    expect(home.text).toContain("Ningún mensaje en los últimos 30 días");
    expect(home.text).toContain("Configurar automatizaciones");
    expect(home.text).not.toContain("Plantillas aprobadas");

    const conversations = await es("/app/conversations");
    expect(conversations.text).toContain("Conecta tu número de WhatsApp para recibir y responder aquí los mensajes de tus clientes");
    expect(conversations.text).toContain("Todavía no hay conversaciones");
    expect(conversations.html).toMatch(/href="\/app\/connect"[^>]*>[\s\S]*?Conectar WhatsApp/);

    const campaigns = await es("/app/campaigns");
    expect(campaigns.text).toContain("Conecta tu número de WhatsApp para enviar campañas");
    expect(campaigns.text).toContain("Todavía no hay campañas");
    expect(campaigns.text).toContain("Todavía no hay ninguna plantilla de marketing aprobada");

    const automations = await es("/app/automations");
    expect(automations.text).toContain("Conecta tu número de WhatsApp para que aprueben tus plantillas y enviar automatizaciones y pruebas");
    expect(automations.text).toContain("Todavía no hay plantillas aprobadas");
    // Each automation's test send is disabled, with the reason under it.
    const automationCount = await sandbox.db.automation.count({ where: { shopId: newShopId } });
    expect(automationCount).toBeGreaterThan(0);
    expect(automations.text.split("Disponible cuando tu número de WhatsApp esté conectado.").length - 1).toBeGreaterThanOrEqual(automationCount);

    const costs = await es("/app/costs");
    expect(costs.text).toContain("Conecta tu número de WhatsApp para ver cuánto cuestan sus mensajes");
    expect(costs.text).toMatch(/Ningún mensaje del \d{1,2} [a-z]+\.? \d{4} al \d{1,2} [a-z]+\.? \d{4}/);
    expect(costs.text).not.toContain("Costo por día y categoría");
    // Phone-app traffic has only Meta's figures: the empty period still offers to fetch them.
    expect(costs.text).toContain("Obtener cifras de Meta");

    expect((await es("/app/team")).text).toContain("Todavía no hay actividad del equipo");
    expect((await es("/app/inbox-settings")).text).toContain("Todavía no hay respuestas rápidas");
  });

  it("says a filter or a search with no match, and offers to clear it", async () => {
    const unread = await es("/app/conversations", { filter: "unread" });
    expect(unread.text).toContain("Ninguna conversación coincide");
    expect(unread.text).toContain("Ahora no hay conversaciones en «No leídas».");
    expect(unread.html).toMatch(/href="\/app\/conversations"[^>]*>[\s\S]*?Quitar filtros/);
    expect(unread.text).not.toContain("Todavía no hay conversaciones");

    const searched = await es("/app/conversations", { q: "zapatos" });
    expect(searched.text).toContain("Ninguna conversación en «Todas» coincide con «zapatos».");
  });

  it("shows a campaign's results as not sent yet, and a customer's thread with the connect notice; another shop finds neither", async () => {
    const campaign = await sandbox.db.campaign.create({ data: { shopId: newShopId, name: "Hot Sale" } });
    const results = await es(`/app/campaigns/${campaign.id}/results`);
    expect(results.status).toBe(200);
    expect(results.text).toContain("Todavía no se envió nada");
    expect(results.html).toContain(`href="/app/campaigns/${campaign.id}"`);
    expect(results.text).not.toContain("Alcance");
    const detail = await es(`/app/campaigns/${campaign.id}`);
    expect(detail.text).toContain("Conecta tu número de WhatsApp para enviar campañas");
    expect(detail.text.split("Disponible cuando tu número de WhatsApp esté conectado.").length - 1).toBe(2);

    const contact = await sandbox.db.contact.create({ data: { shopId: newShopId, phoneE164: "+5491155554001", name: "Lucía" } });
    expect((await es(`/app/conversations/${contact.id}`)).text).toContain("Conecta tu número de WhatsApp para responder a este cliente");

    expect((await page(`/app/campaigns/${campaign.id}/results`)).status).toBe(404);
    expect((await page(`/app/conversations/${contact.id}`)).text).not.toContain("Lucía");
  });

  it("shows a connected shop no connect notice, and its conversations once a customer writes", async () => {
    for (const path of ["/app/conversations", "/app/campaigns", "/app/automations", "/app/costs"]) {
      expect((await page(path)).text).not.toContain("Connect your WhatsApp number");
    }
    const before = await page("/app/conversations");
    expect(before.text).toContain("No conversations yet");
    expect(before.text).toContain("Turn on order updates");

    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: "+5511955554002", name: "Bruna", text: "Oi, vocês entregam em Campinas?", phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
    const after = await page("/app/conversations");
    expect(after.text).toContain("Bruna");
    expect(after.text).not.toContain("No conversations yet");
    const thread = await sandbox.db.contact.findFirstOrThrow({ where: { phoneE164: "+5511955554002" } });
    expect((await page(`/app/conversations/${thread.id}`)).text).not.toContain("Connect your WhatsApp number");

    const closed = await page("/app/conversations", { query: { filter: "closed" } });
    expect(closed.text).toContain("No conversations in “Closed” right now.");
    expect(closed.text).toContain("Clear filters");
    expect(closed.text).not.toContain("Bruna");
  });
});
