// The built client files over real HTTP from server.ts: brotli or gzip for a
// browser that asks for it, the same bytes plain for one that does not.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { request } from "node:http";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { encodingFor } from "../app/core/compressed-assets.server";
import { buildDir, startSandbox, type Sandbox } from "../sandbox/harness";
import { testDatabaseUrl } from "./helpers/db";

function get(url: string, headers: Record<string, string>, method = "GET"): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("compressed assets", () => {
  let sandbox: Sandbox;
  const assets = path.join(buildDir(), "client", "assets");
  // The largest stylesheet of the build (Polaris'), and its script entry.
  const largest = (ext: string) =>
    readdirSync(assets)
      .filter((name) => name.endsWith(ext))
      .sort((a, b) => statSync(path.join(assets, b)).size - statSync(path.join(assets, a)).size)[0]!;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() } });
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("serves an asset brotli-compressed, gzip-compressed or plain, by what the browser accepts", async () => {
    for (const name of [largest(".css"), largest(".js")]) {
      const url = `${sandbox.appUrl}/assets/${name}`;
      const original = readFileSync(path.join(assets, name));

      const br = await get(url, { "accept-encoding": "gzip, deflate, br, zstd" });
      expect(br.status).toBe(200);
      expect(br.headers["content-encoding"]).toBe("br");
      expect(br.headers.vary).toContain("Accept-Encoding");
      expect(br.headers["cache-control"]).toContain("immutable");
      expect(br.body.length).toBeLessThan(original.length / 2);
      expect(brotliDecompressSync(br.body).equals(original)).toBe(true);

      const gzip = await get(url, { "accept-encoding": "br;q=0, gzip" });
      expect(gzip.headers["content-encoding"]).toBe("gzip");
      expect(gunzipSync(gzip.body).equals(original)).toBe(true);

      const plain = await get(url, {});
      expect(plain.status).toBe(200);
      expect(plain.headers["content-encoding"]).toBeUndefined();
      expect(plain.headers.vary).toContain("Accept-Encoding");
      expect(plain.body.equals(original)).toBe(true);
    }
    expect((await get(`${sandbox.appUrl}/assets/${largest(".css")}`, { "accept-encoding": "identity" })).headers["content-encoding"]).toBeUndefined();
  });

  it("answers HEAD with the headers alone, and a file the build never made or one outside it as not found", async () => {
    const head = await get(`${sandbox.appUrl}/assets/${largest(".css")}`, { "accept-encoding": "br" }, "HEAD");
    expect(head.headers["content-encoding"]).toBe("br");
    expect(head.body.length).toBe(0);
    expect((await get(`${sandbox.appUrl}/assets/missing-abc123.js`, { "accept-encoding": "br" })).status).toBe(404);
    expect((await get(`${sandbox.appUrl}/assets/..%2f..%2fpackage.json`, { "accept-encoding": "br" })).status).toBe(404);
  });

  it("reads Accept-Encoding: brotli first, gzip next, nothing a q of 0 refuses", () => {
    expect(encodingFor("gzip, deflate, br")).toBe("br");
    expect(encodingFor("gzip;q=0.8, br;q=0")).toBe("gzip");
    expect(encodingFor("*")).toBe("br");
    expect(encodingFor("identity")).toBeNull();
    expect(encodingFor("br;q=0, gzip;q=0, *;q=1")).toBeNull();
    expect(encodingFor(undefined)).toBeNull();
  });
});
