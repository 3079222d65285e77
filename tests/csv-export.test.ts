import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { formatMicros } from "../app/ui/money";
import { spreadsheetText } from "../app/pricing/report.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA } from "./helpers/http";

describe("cost CSV export and spreadsheet formulas", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() } });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("quotes text cells a spreadsheet would run as formulas, and keeps numbers numbers", () => {
    for (const formula of ["=1+2", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rx"]) expect(spreadsheetText(formula)).toBe(`'${formula}`);
    for (const plain of ["-0.0012", "-3", "+4.5", "0.006800", "order_confirmation", "", "a=b"]) expect(spreadsheetText(plain)).toBe(plain);
  });

  it("exports template names starting with = quoted, and a total line that matches the page total", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const row = { shopId: shop.id, day: "2026-03-10", market: "Brazil", category: "utility", pricingType: "regular", automation: "ORDER_CREATED", sent: 1, delivered: 1, charged: 1 };
    const templates = ['=HYPERLINK("https://evil.example","open")', "@SUM(1+1)", "-2+3", "order_confirmation"];
    await sandbox.db.costDaily.createMany({ data: templates.map((templateName, i) => ({ ...row, templateName, costMicros: BigInt(6_800 * (i + 1)) })) });
    const period = { from: "2026-03-01", to: "2026-03-31" };

    const response = await fetch(`${sandbox.appUrl}/app/costs/export?${new URLSearchParams(period)}`, {
      headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "user-agent": BROWSER_UA },
    });
    expect(response.status).toBe(200);
    const lines = parse(await response.text()) as string[][];
    const header = lines[0]!;
    const template = header.indexOf("template");
    const rows = lines.slice(1, -1);
    expect(rows.map((r) => r[template]).sort()).toEqual(templates.map((name) => (name === "order_confirmation" ? name : `'${name}`)).sort());
    for (const r of lines) expect(r.every((cell) => !/^[=+\-@\t\r]/.test(cell) || /^-?\d+(\.\d+)?$/.test(cell))).toBe(true);

    const total = lines.at(-1)!;
    expect(total[0]).toBe("total");
    const totalMicros = Math.round(Number(total.at(-1)) * 1_000_000);
    expect(totalMicros).toBe(6_800 * (1 + 2 + 3 + 4));
    expect(rows.reduce((sum, r) => sum + Math.round(Number(r.at(-1)) * 1_000_000), 0)).toBe(totalMicros);
    const page = await (await fetch(`${sandbox.adminUrl("/app/costs", { locale: "en" })}&${new URLSearchParams(period)}`, { headers: { "user-agent": BROWSER_UA } })).text();
    expect(page).toContain(`<span data-testid="cost-total">${formatMicros(totalMicros, header.at(-1)!.replace("cost_", "").toUpperCase(), "en")}</span>`);
  });

  it("writes the page's counts and rates as the staff member's language does", async () => {
    const shop = await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
    const row = { shopId: shop.id, day: "2026-04-10", market: "Brazil", category: "utility", pricingType: "regular", automation: "ORDER_CREATED", templateName: "order_confirmation" };
    await sandbox.db.costDaily.create({ data: { ...row, sent: 12_345, delivered: 8_230, charged: 8_230, costMicros: BigInt(8_230 * 6_800) } });
    const shown = async (locale: string) =>
      (await (await fetch(`${sandbox.adminUrl("/app/costs", { locale })}&${new URLSearchParams({ from: "2026-04-01", to: "2026-04-30" })}`, { headers: { "user-agent": BROWSER_UA } })).text())
        .replace(/<[^>]+>/g, " ")
        .replace(/\s+/g, " ");
    const es = await shown("es");
    expect(es).toContain("12.345 enviados");
    expect(es).toContain("Entregados: 66,7 %");
    const en = await shown("en");
    expect(en).toContain("12,345 sent");
    expect(en).toContain("Delivered: 66.7%");
  });
});
