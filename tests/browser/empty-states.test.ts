// The inbox's "no match" empty state in headless Chromium, in Spanish: a
// search that finds nothing says so, and "Quitar filtros" brings every
// conversation back with the search field emptied (the page is not remounted,
// so the field must follow the address).
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSandbox, type Sandbox } from "../../sandbox/harness";
import { SEED } from "../../sandbox/simulator/state";
import { expectAccessible } from "../helpers/axe";
import { hasChromium, launchBrowser, newContext } from "../helpers/browser";
import { testDatabaseUrl } from "../helpers/db";
import { simJson } from "../helpers/http";

describe.skipIf(!hasChromium)("the inbox's empty states in headless Chromium", () => {
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

  it("a search with no match offers to clear it, and clearing shows every conversation with the field empty", async () => {
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: "+5491155554101", name: "Camila Ruiz", text: "¿Tienen envío a Rosario?", phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();

    const context = await newContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(sandbox.adminUrl("/app/conversations", { locale: "es" }));
    await page.getByRole("link", { name: "Camila Ruiz" }).waitFor();

    const search = page.getByLabel("Buscar por número de pedido, nombre o teléfono");
    await search.fill("zapatillas");
    await page.getByRole("button", { name: "Buscar", exact: true }).click();
    await page.getByText("Ninguna conversación en «Todas» coincide con «zapatillas».").waitFor();
    expect(await page.getByRole("link", { name: "Camila Ruiz" }).count()).toBe(0);
    await expectAccessible(page, "inbox-no-match");

    await page.getByRole("link", { name: "Quitar filtros" }).click();
    await page.getByRole("link", { name: "Camila Ruiz" }).waitFor();
    expect(new URL(page.url()).searchParams.get("q")).toBeNull();
    expect(await search.inputValue()).toBe("");
    expect(errors).toEqual([]);
    await context.close();
  });
});
