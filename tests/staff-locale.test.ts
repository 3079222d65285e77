// The staff member's language. The admin names it in the `locale` query
// parameter of document loads only; the app's own requests (navigations,
// forms, actions) come without it and find the language the admin last named
// with that staff member's session. Another staff member keeps theirs, a
// parameter that names no language changes nothing, and the shop's language
// is the last resort.
import { Session } from "@shopify/shopify-api";
import { decode } from "turbo-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { en } from "../app/i18n/en";
import { es } from "../app/i18n/es";
import { localeFromAcceptLanguage } from "../app/i18n";
import { localeFor } from "../app/i18n/locale.server";
import { ptBR } from "../app/i18n/pt-BR";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA } from "./helpers/http";

describe("localeFor", () => {
  const request = (query = "") => new Request(`https://zap.example/app/costs${query}`);
  const staff = (locale?: string) => {
    const session = new Session({ id: "demo.myshopify.com_1", shop: "demo.myshopify.com", state: "", isOnline: true });
    if (locale) session.onlineAccessInfo = { associated_user: { locale } } as Session["onlineAccessInfo"];
    return session;
  };
  const shop = { locale: "pt-BR" };

  it("takes the query parameter first, then the staff member's language, then the shop's", () => {
    expect(localeFor(request("?locale=es-MX"), staff("en"), shop)).toBe("es");
    expect(localeFor(request(), staff("es"), shop)).toBe("es");
    expect(localeFor(request(), staff(), shop)).toBe("pt-BR");
    expect(localeFor(request(), staff(), { locale: "fr" })).toBe("en");
  });

  it("passes over a parameter that names no language", () => {
    expect(localeFor(request("?locale=%3Cscript%3E"), staff("es"), shop)).toBe("es");
    expect(localeFor(request("?locale="), staff(), shop)).toBe("pt-BR");
  });
});

describe("localeFromAcceptLanguage", () => {
  it("takes the supported language the browser weighs highest, English when it names none", () => {
    expect(localeFromAcceptLanguage("es-MX,es;q=0.9,en;q=0.8")).toBe("es");
    expect(localeFromAcceptLanguage("fr-FR, pt;q=0.5, en;q=0.4")).toBe("pt-BR");
    expect(localeFromAcceptLanguage("en;q=0.2, es-AR")).toBe("es");
    expect(localeFromAcceptLanguage("pt-PT;q=0.7, es;q=0.7")).toBe("pt-BR");
    expect(localeFromAcceptLanguage("es;q=0, fr")).toBe("en");
    expect(localeFromAcceptLanguage("fr-CA, *;q=0.1")).toBe("en");
    expect(localeFromAcceptLanguage("estonian-nonsense, et")).toBe("en");
    expect(localeFromAcceptLanguage(null)).toBe("en");
  });
});

describe("the staff member's language over real HTTP", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() } });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const page = async (url: string) => (await fetch(url, { headers: { "user-agent": BROWSER_UA } })).text();
  // A document load as the app's own links make it: the session token, no `locale`.
  const noLocale = (path: string, userId = 1) => sandbox.adminUrl(path, { userId }).replace(/&locale=[^&]*/, "");
  const settingsAction = async (fields: Record<string, string>) => {
    const response = await fetch(`${sandbox.appUrl}/app/inbox-settings.data`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "user-agent": BROWSER_UA },
      body: new URLSearchParams(fields),
    });
    const stream = await decode(response.body!);
    await stream.done;
    return (stream.value as { data: { errors: Record<string, string> } }).data;
  };

  it("keeps the language the admin named for the staff member's later requests, pages and actions alike", async () => {
    // The demo shop and its owner's Shopify account are Brazilian; the admin asks for Spanish.
    const first = await page(sandbox.adminUrl("/app/conversations", { locale: "es" }));
    expect(first).toContain('<html lang="es">');
    expect(first).toContain(`<title>${es["conversations.title"]} · ${es["app.name"]}</title>`);

    const later = await page(noLocale("/app/costs"));
    expect(later).toContain('<html lang="es">');
    expect(later).toContain(`<title>${es["costs.title"]} · ${es["app.name"]}</title>`);
    expect(later).toContain(es["nav.conversations"]);
    expect((await settingsAction({ intent: "unknown" })).errors.intent).toBe(es["inboxSettings.error.intent"]);

    // A parameter that names no language leaves the choice as it was.
    expect(await page(sandbox.adminUrl("/app/team", { locale: "<script>" }))).toContain('<html lang="es">');
    expect(await page(noLocale("/app/team"))).toContain('<html lang="es">');

    // The admin naming another language changes it.
    await page(sandbox.adminUrl("/app", { locale: "pt-BR" }));
    const back = await page(noLocale("/app/costs"));
    expect(back).toContain('<html lang="pt-BR">');
    expect(back).toContain(`<title>${ptBR["costs.title"]} · ${ptBR["app.name"]}</title>`);
  });

  it("leaves each staff member their own language: one Shopify knows in English reads English in a Brazilian shop", async () => {
    await page(sandbox.adminUrl("/app", { locale: "es" }));
    const other = await page(noLocale("/app/costs", 7));
    expect(other).toContain('<html lang="en">');
    expect(other).toContain("<title>WhatsApp costs · Zap for WhatsApp</title>");
  });

  it("words the login page outside the admin in the browser's language, its errors included", async () => {
    const login = async (acceptLanguage: string, shop?: string) => {
      const headers = { "user-agent": BROWSER_UA, "accept-language": acceptLanguage };
      const response =
        shop === undefined
          ? await fetch(`${sandbox.appUrl}/auth/login`, { headers })
          : await fetch(`${sandbox.appUrl}/auth/login`, { method: "POST", headers: { ...headers, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ shop }) });
      expect(response.status).toBe(200);
      return response.text();
    };
    const portuguese = await login("pt-BR,pt;q=0.9,en;q=0.8");
    expect(portuguese).toContain('<html lang="pt-BR">');
    expect(portuguese).toContain(`<title>${ptBR["login.title"]} · ${ptBR["app.name"]}</title>`);
    expect(portuguese).toContain(ptBR["login.shop"]);
    expect(portuguese).not.toContain(en["login.shop"]);

    const invalid = await login("es-MX,es;q=0.9", "not a shop!");
    expect(invalid).toContain('<html lang="es">');
    expect(invalid).toContain(es["login.invalidShop"]);
    expect(await login("es-419", "")).toContain(es["login.missingShop"]);

    const english = await login("fr-FR");
    expect(english).toContain('<html lang="en">');
    expect(english).toContain(`<title>${en["login.title"]} · ${en["app.name"]}</title>`);
  });
});
