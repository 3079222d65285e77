import { spawnSync } from "node:child_process";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { ConfigError, parseConfig } from "../app/core/config.server";
import { ROOT, sandboxEnv } from "../sandbox/harness";

const valid = sandboxEnv({}, { app: 3000, sim: 4010, shopify: 4020 });

function startServer(env: Record<string, string | undefined>) {
  const clean = Object.fromEntries(Object.entries({ PATH: process.env.PATH, HOME: process.env.HOME, ...env }).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
  return spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "server.ts")], { cwd: ROOT, env: clean, encoding: "utf8", timeout: 30_000 });
}

describe("configuration", () => {
  it("accepts the sandbox values and derives scopes and the key", () => {
    const config = parseConfig(valid);
    expect(config.scopes).toEqual(["read_orders", "write_orders", "read_customers", "read_fulfillments", "read_checkouts"]);
    expect(config.encryptionKey).toHaveLength(32);
    expect(config.WHATSAPP_GRAPH_VERSION).toBe("v25.0");
  });

  it("defaults the Graph URL to Meta and the database to SQLite", () => {
    const { WHATSAPP_GRAPH_URL: _url, DATABASE_URL: _db, ...rest } = valid;
    const config = parseConfig(rest);
    expect(config.WHATSAPP_GRAPH_URL).toBe("https://graph.facebook.com");
    expect(config.DATABASE_URL).toMatch(/^file:/);
  });

  it("names every missing or malformed variable", () => {
    const { SHOPIFY_API_SECRET: _secret, ...rest } = valid;
    try {
      parseConfig({ ...rest, ENCRYPTION_KEY: "too-short", WHATSAPP_GRAPH_VERSION: "25" });
      expect.fail("parseConfig accepted a broken configuration");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const variables = (error as ConfigError).problems.map((p) => p.variable).sort();
      expect(variables).toEqual(["ENCRYPTION_KEY", "SHOPIFY_API_SECRET", "WHATSAPP_GRAPH_VERSION"]);
      expect((error as Error).message).toContain("SHOPIFY_API_SECRET: is required but not set");
    }
  });

  it("stops start-up with a non-zero exit naming SHOPIFY_API_SECRET when it is missing", () => {
    const result = startServer({ ...valid, SHOPIFY_API_SECRET: undefined });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("SHOPIFY_API_SECRET");
    expect(result.stdout).not.toContain("listening");
  });

  it("stops start-up naming ENCRYPTION_KEY when it is malformed", () => {
    const result = startServer({ ...valid, ENCRYPTION_KEY: "not-a-32-byte-key" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("ENCRYPTION_KEY");
  });

  it("lets SHOPIFY_ADMIN_URL name only a local stand-in in production", () => {
    const production = { ...valid, NODE_ENV: "production", ZAP_SANDBOX: "0" };
    expect(parseConfig({ ...production, SHOPIFY_ADMIN_URL: "http://127.0.0.1:4020" }).SHOPIFY_ADMIN_URL).toBe("http://127.0.0.1:4020");
    expect(parseConfig({ ...production, SHOPIFY_ADMIN_URL: undefined }).SHOPIFY_ADMIN_URL).toBeUndefined();
    expect(() => parseConfig({ ...production, SHOPIFY_ADMIN_URL: "https://collector.example.com" })).toThrow(/SHOPIFY_ADMIN_URL: must be unset in production/);
  });

  it("refuses the sandbox in production", () => {
    const result = startServer({ ...valid, NODE_ENV: "production" });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("ZAP_SANDBOX=1 is refused when NODE_ENV=production");
  });
});
