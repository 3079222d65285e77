import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

import { afterAll, describe, expect, it } from "vitest";

import { ROOT } from "../sandbox/harness";
import { freePort } from "../sandbox/ports";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA } from "./helpers/http";

describe("npm run demo", () => {
  let demo: ChildProcess | undefined;

  afterAll(async () => {
    if (demo && demo.exitCode === null) {
      const exited = new Promise((resolve) => demo!.once("exit", resolve));
      demo.kill("SIGTERM");
      await exited;
    }
  });

  it("starts both simulators and the app, honours PORT, SIM_PORT and SHOPIFY_SIM_PORT, and serves the printed URL", async () => {
    const [port, simPort, shopifyPort] = [await freePort(), await freePort(), await freePort()];
    demo = spawn(process.execPath, ["--import", "tsx", path.join(ROOT, "sandbox", "demo.ts")], {
      cwd: ROOT,
      env: { ...process.env, PORT: String(port), SIM_PORT: String(simPort), SHOPIFY_SIM_PORT: String(shopifyPort), DATABASE_URL: testDatabaseUrl(), ZAP_SKIP_BUILD: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    demo.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const printed = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed within 45 s:\n${output}`)), 45_000);
      demo!.stdout!.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = /(http:\/\/localhost:\d+\/app\?\S+)/.exec(output);
        if (match && output.includes("Press Ctrl+C")) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      demo!.once("exit", (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
    });

    expect(printed).toContain(`localhost:${port}/app?`);
    expect(output).toContain(`WHATSAPP_GRAPH_URL=http://127.0.0.1:${simPort}`);
    expect(output).toContain(`SHOPIFY_ADMIN_URL=http://127.0.0.1:${shopifyPort}`);
    const page = await fetch(printed, { headers: { "user-agent": BROWSER_UA } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Polaris-Page");
    expect(html).toContain("WhatsApp for Demo Store");

    const simulator = await fetch(`http://127.0.0.1:${simPort}/_sim/state`);
    expect(simulator.status).toBe(200);
    // The demo shop was installed through the Shopify simulator: its facts came from the Admin API.
    const calls = (await (await fetch(`http://127.0.0.1:${shopifyPort}/_sim/shopify/calls`)).json()) as { calls: { operation: string }[] };
    expect(calls.calls.map((c) => c.operation)).toContain("ShopFacts");
  });
});
