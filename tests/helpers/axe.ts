// axe-core run inside a page the browser tests have open: serious and critical
// violations of WCAG 2 A/AA and axe's best practices fail the test, listed so
// the failure says what to fix and where.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

import type { AxeResults, Result } from "axe-core";
import type { Page } from "playwright-core";

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

const FAILING_IMPACTS = new Set(["serious", "critical"]);

export function describeViolations(violations: Result[]): string {
  return violations
    .map((v) => {
      const targets = v.nodes.map((n) => `    ${n.target.join(" ")}${n.failureSummary ? ` (${n.failureSummary.replace(/\s+/g, " ").trim()})` : ""}`);
      return `  ${v.id} [${v.impact}]: ${v.help}\n${targets.join("\n")}`;
    })
    .join("\n");
}

// Violations inside third-party markup we cannot change, each by rule and the
// elements it is allowed on:
// - Polaris Viz's BarChart gives its <svg> and its legend role="list" while
//   their children are the bars' own list and the legend's buttons
//   (@shopify/polaris-viz 16, ChartSVG and LegendContainer).
// (Polaris's DataTable scroll containers are made focusable by the app itself:
// app/ui/useScrollableTables.ts.)
const THIRD_PARTY: { rule: string; selector: string }[] = [{ rule: "aria-required-children", selector: '[data-testid="cost-chart"] [role="list"]' }];

/** Serious and critical violations on the page as it is now (wait for it to settle first). */
export async function seriousViolations(page: Page): Promise<Result[]> {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ content: AXE_SOURCE });
  const violations = await page.evaluate(async (thirdParty) => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<AxeResults> } }).axe;
    const results = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "best-practice"] }, resultTypes: ["violations"] });
    const allowed = (rule: string, target: string) => thirdParty.some((t) => t.rule === rule && document.querySelector(target)?.matches(t.selector));
    return results.violations
      .map((v) => ({ ...v, nodes: v.nodes.filter((n) => !(n.target.length === 1 && typeof n.target[0] === "string" && allowed(v.id, n.target[0]))) }))
      .filter((v) => v.nodes.length > 0);
  }, THIRD_PARTY);
  return violations.filter((v) => v.impact && FAILING_IMPACTS.has(v.impact));
}

export async function expectAccessible(page: Page, label: string): Promise<void> {
  const violations = await seriousViolations(page);
  if (violations.length > 0) throw new Error(`Accessibility violations on ${label} (${page.url().replace(/\?.*$/, "")}):\n${describeViolations(violations)}`);
}
