import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { reason } from "../app/core/reasons";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA } from "./helpers/http";

describe("app home inside the admin (real authenticate.admin path)", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() } });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const page = (url: string) => fetch(url, { headers: { "user-agent": BROWSER_UA }, redirect: "manual" });

  it("serves /healthz", async () => {
    const response = await fetch(`${sandbox.appUrl}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok");
  });

  it("renders the connection, and activity (none yet: what to do instead) with Polaris for a valid session token", async () => {
    const response = await page(sandbox.adminUrl("/app"));
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Polaris-Page");
    expect(html).toContain("WhatsApp for Demo Store");
    expect(html).toContain("+1 555-010-0001");
    // The seeded shop has sent nothing: no row of zeros, but where messages come from.
    expect(html).toContain("No messages in the last 30 days");
    expect(html).not.toContain("Approved templates");
    expect(html).not.toContain("sim-business-token");
    expect(html).not.toContain(sandbox.env.SHOPIFY_API_SECRET);
  });

  it("speaks Spanish and Brazilian Portuguese", async () => {
    expect(await (await page(sandbox.adminUrl("/app", { locale: "es-MX" }))).text()).toContain("Ningún mensaje en los últimos 30 días");
    expect(await (await page(sandbox.adminUrl("/app", { locale: "pt-BR" }))).text()).toContain("Nenhuma mensagem nos últimos 30 dias");
  });

  it("tells of a number a signup window left waiting for confirmation, and forgets it once it expired", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const parked = { linkIssuedAt: new Date(), wabaId: "waba-parked", phoneNumberId: "pn-parked", displayPhoneNumber: "+55 11 98765-0002", accessTokenCiphertext: "not-read-here" };
    await sandbox.db.parkedSignup.create({ data: { shopId: shop.id, ...parked } });
    const html = await (await page(sandbox.adminUrl("/app", { locale: "pt-BR" }))).text();
    expect(html).toContain("+55 11 98765-0002 concluiu o cadastro da Meta em outra janela e aguarda sua confirmação");
    expect(html).toContain("Confirmar ou descartar");
    // Past its 30 minutes it is gone, from the page and the database.
    await sandbox.db.parkedSignup.update({ where: { shopId: shop.id }, data: { parkedAt: new Date(Date.now() - 31 * 60_000) } });
    expect(await (await page(sandbox.adminUrl("/app", { locale: "pt-BR" }))).text()).not.toContain("+55 11 98765-0002");
    expect(await sandbox.db.parkedSignup.count({ where: { shopId: shop.id } })).toBe(0);
  });

  it("names a cart reminder that did not go out by its checkout, in the staff member's language", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const checkout = await sandbox.db.checkout.create({ data: { shopId: shop.id, shopifyCheckoutId: "880011", lastUpdatedAt: new Date() } });
    await sandbox.db.message.create({
      data: { shopId: shop.id, direction: "OUT", source: "AUTOMATION", type: "template", status: "SKIPPED", templateName: "cart_recovery", checkoutId: checkout.id, skipReason: reason("NO_PHONE") },
    });
    const html = await (await page(sandbox.adminUrl("/app", { locale: "pt-BR" }))).text();
    expect(html).toContain("Carrinho 880011");
    expect(html).not.toContain("checkout 880011");
  });

  it("tells a page that does not exist, or a request it cannot handle, in the staff member's language", async () => {
    const missing = await page(sandbox.adminUrl("/app/campaigns/no-such-campaign", { locale: "es" }));
    expect(missing.status).toBe(404);
    const html = await missing.text();
    expect(/data-testid="app-error">([^<]*)</.exec(html)?.[1]).toBe("Esta página no existe, o lo que mostraba fue eliminado.");
    // The sandbox runs outside the admin, as the layout does: its stand-in for App Bridge, not Shopify's.
    expect(html).toContain("zap-sandbox-id-token");
    expect(html).not.toContain("cdn.shopify.com/shopifycloud/app-bridge");
    const unknown = await fetch(sandbox.adminUrl("/app/costs", { locale: "pt-BR" }), {
      method: "POST",
      headers: { "user-agent": BROWSER_UA, "content-type": "application/x-www-form-urlencoded", authorization: `Bearer ${sandbox.sessionToken()}` },
      body: "intent=no-such-intent",
    });
    expect(unknown.status).toBe(400);
    expect(/data-testid="app-error">([^<]*)</.exec(await unknown.text())?.[1]).toBe("Não foi possível processar esta solicitação. Recarregue a página e tente de novo.");
  });

  it("does not render for a missing, forged or other-app session token", async () => {
    const noToken = sandbox.adminUrl("/app").replace(/&id_token=[^&]+/, "");
    expect((await page(noToken)).status).toBe(302);
    const forged = sandbox.adminUrl("/app").replace(/id_token=([^.]+)\.([^.]+)\.[^&]+/, "id_token=$1.$2.forgedsignature");
    expect((await page(forged)).status).not.toBe(200);
  });
});
