// The team inbox as staff use it, in headless Chromium and in the demo shop's
// language (Portuguese): a customer who writes from an ad (no order) shows
// up, is assigned, answered and closed; the conversation's activity shows each
// step with who took it.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSandbox, type Sandbox } from "../../sandbox/harness";
import { SEED } from "../../sandbox/simulator/state";
import { expectAccessible } from "../helpers/axe";
import { hasChromium, launchBrowser, newContext, screenshotPath } from "../helpers/browser";
import { testDatabaseUrl } from "../helpers/db";
import { simJson } from "../helpers/http";

describe.skipIf(!hasChromium)("team inbox in headless Chromium", () => {
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

  const inbox = (filter?: string) => `${sandbox.adminUrl("/app/conversations", { locale: "pt-BR" })}${filter ? `&filter=${filter}` : ""}`;

  it("a customer with no order writes in, is assigned, answered and closed, and the activity shows each step", async () => {
    await simJson(sandbox.simUrl, "inbound", {
      method: "POST",
      body: { from: "+5491155550123", name: "Valentina Gómez", text: "Hola, ¿hacen envíos a Córdoba?", phoneNumberId: SEED.cloudPhoneNumberId },
    });
    await sandbox.settled();

    const context = await newContext(browser);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    await page.goto(inbox());
    await page.getByRole("link", { name: "Valentina Gómez" }).waitFor();
    await expectAccessible(page, "inbox");
    await page.getByRole("link", { name: "Valentina Gómez" }).click();
    await page.waitForURL(/\/app\/conversations\/\w+/);
    await page.getByText("Hola, ¿hacen envíos a Córdoba?").waitFor();
    await page.getByText("Nenhum pedido ainda").waitFor();
    await expectAccessible(page, "conversation");

    await page.getByRole("button", { name: "Atribuir a mim" }).click();
    await page.getByText("Mariana Costa atribuiu a Mariana Costa").waitFor();

    await page.getByLabel("Nota interna").fill("Perguntar ao depósito sobre Córdoba");
    await page.getByRole("button", { name: "Adicionar nota" }).click();
    await page.getByText("Mariana Costa deixou uma nota").waitFor();

    await page.getByLabel("Mensagem").fill("¡Sí! Enviamos a todo el país.");
    await page.getByRole("button", { name: "Enviar", exact: true }).click();
    await page.getByText("Enviado.").waitFor();
    await page.getByText("Mariana Costa respondeu").waitFor();

    await page.getByRole("button", { name: "Encerrar conversa" }).click();
    await page.getByText("Mariana Costa encerrou").waitFor();
    await page.screenshot({ path: screenshotPath("inbox-conversation.png"), fullPage: true });
    await expectAccessible(page, "closed conversation");
    const activity = await page.getByText(/Mariana Costa (atribuiu a Mariana Costa|deixou uma nota|respondeu|encerrou)/).allTextContents();
    expect(activity.map((line) => line.replace(/ · .*$/, ""))).toEqual([
      "Mariana Costa atribuiu a Mariana Costa",
      "Mariana Costa deixou uma nota",
      "Mariana Costa respondeu",
      "Mariana Costa encerrou",
    ]);

    // The note never went to the customer; the reply did.
    const sent = await simJson<{ to: string; text?: string }[]>(sandbox.simUrl, "messages");
    expect(sent.map((m) => m.text)).toEqual(["¡Sí! Enviamos a todo el país."]);

    // Closed: out of the open views, in the closed one; the customer writing again reopens it.
    await page.goto(inbox());
    await page.getByRole("heading", { name: "Conversas" }).waitFor();
    expect(await page.getByRole("link", { name: "Valentina Gómez" }).count()).toBe(0);
    await page.goto(inbox("closed"));
    await page.getByRole("link", { name: "Valentina Gómez" }).waitFor();
    await expectAccessible(page, "inbox, closed view");
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: "+5491155550123", text: "¡Gracias!", phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
    await page.goto(inbox("mine"));
    await page.getByRole("link", { name: "Valentina Gómez" }).waitFor();
    const contact = await sandbox.db.contact.findFirstOrThrow({ where: { name: "Valentina Gómez" } });
    expect((await sandbox.db.conversationEvent.findMany({ where: { contactId: contact.id }, orderBy: { at: "asc" } })).map((e) => `${e.kind}:${e.actorType}`)).toEqual([
      "ASSIGNED:STAFF",
      "NOTE:STAFF",
      "REPLIED:STAFF",
      "CLOSED:STAFF",
      "REOPENED:CUSTOMER",
    ]);
    expect(errors).toEqual([]);
  });
});
