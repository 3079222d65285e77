// Headless Chromium from Debian (never a downloaded browser), driven by
// playwright-core. Tests that need it skip when /usr/bin/chromium is absent;
// .ci/run installs it.
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";

import { type Browser, chromium } from "playwright-core";

import { ROOT } from "../../sandbox/harness";
import { BROWSER_UA } from "./http";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** A context that looks like a person's browser (the Shopify library turns bots away). */
export async function newContext(browser: Browser) {
  return browser.newContext({ userAgent: BROWSER_UA, viewport: { width: 1280, height: 900 } });
}

export function screenshotPath(name: string): string {
  const dir = path.join(ROOT, "tests", "artifacts", "screenshots");
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
