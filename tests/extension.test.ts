// @vitest-environment happy-dom
import { readFileSync } from "node:fs";
import path from "node:path";

import { render } from "preact";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

import { ROOT } from "../sandbox/harness";

const catalog = JSON.parse(readFileSync(path.join(ROOT, "extensions/order-thread/locales/en.default.json"), "utf8")) as Record<string, string>;
/** As the admin's i18n.translate: a counted entry ({ one, other }) picks its form by `count`. */
const entry = (key: string, count: unknown): string => {
  const value = catalog[key] as string | Record<string, string> | undefined;
  if (typeof value !== "object") return value ?? key;
  return value[new Intl.PluralRules("en").select(Number(count))] ?? value.other!;
};

const fixture = {
  order: { id: "o1", shopifyOrderId: "77", name: "#1077" },
  totalCostMicros: 6800,
  currency: "USD",
  timezone: "America/Sao_Paulo",
  messages: [
    {
      id: "m0",
      direction: "OUT",
      source: "AUTOMATION",
      type: "template",
      content: null,
      reaction: null,
      edited: false,
      deleted: false,
      templateName: "order_confirmation",
      text: "Oldest, not shown",
      status: "READ",
      error: null,
      occurredAt: "2026-11-20T10:00:00Z",
    },
    {
      id: "m1",
      direction: "OUT",
      source: "AUTOMATION",
      type: "template",
      content: null,
      reaction: null,
      edited: false,
      deleted: false,
      templateName: "order_confirmation",
      text: "Olá Ana, recebemos seu pedido #1077.",
      status: "READ",
      error: null,
      occurredAt: "2026-11-20T10:01:00Z",
    },
    {
      id: "m2",
      direction: "IN",
      source: "CUSTOMER",
      type: "text",
      content: null,
      reaction: "👍",
      edited: true,
      deleted: false,
      templateName: null,
      text: "Vocês entregam no sábado?",
      status: "RECEIVED",
      error: null,
      occurredAt: "2026-11-20T10:05:00Z",
    },
    {
      id: "m3",
      direction: "OUT",
      source: "PHONE_APP",
      type: "text",
      content: null,
      reaction: null,
      edited: false,
      deleted: false,
      templateName: null,
      text: "Entregamos sim.",
      status: "SENT",
      error: null,
      occurredAt: "2026-11-20T10:06:00Z",
    },
    {
      id: "m4",
      direction: "OUT",
      source: "AUTOMATION",
      type: "template",
      content: null,
      reaction: null,
      edited: false,
      deleted: false,
      templateName: "shipping_update",
      text: "Seu pedido está a caminho.",
      status: "DELIVERED",
      error: null,
      occurredAt: "2026-11-21T09:00:00Z",
    },
    {
      id: "m5",
      direction: "OUT",
      source: "AUTOMATION",
      type: "template",
      content: null,
      reaction: null,
      edited: false,
      deleted: false,
      templateName: "abandoned_cart",
      text: null,
      status: "SKIPPED",
      error: { code: "NO_CONSENT", params: {}, detail: null },
      occurredAt: "2026-11-21T09:30:00Z",
    },
  ],
};

const requests: string[] = [];
let respond: () => Response;

const unmount = () => render(null, document.body);

beforeEach(() => {
  requests.length = 0;
  unmount();
  Object.assign(globalThis, {
    shopify: {
      data: { selected: [{ id: "gid://shopify/Order/77" }] },
      i18n: {
        translate: (key: string, values: Record<string, unknown> = {}) => entry(key, values.count).replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name])),
        // As Shopify's: Intl underneath, in the browser's timezone unless told one (this machine's is UTC).
        formatDate: (date: Date, options: Intl.DateTimeFormatOptions = {}) => new Intl.DateTimeFormat("en-GB", { ...options, timeZone: options.timeZone ?? "UTC" }).format(date),
        formatCurrency: (value: number, options: { currency: string }) => `${options.currency} ${value}`,
      },
    },
    fetch: async (url: string) => {
      requests.push(url);
      return respond();
    },
  });
});
afterEach(unmount);

async function renderBlock() {
  // Loaded by path: the extension is Preact, type-checked by its own tsconfig, not the app's.
  const entry = path.join(ROOT, "extensions/order-thread/src/BlockExtension.tsx");
  const { default: main } = (await import(/* @vite-ignore */ entry)) as { default: () => Promise<void> };
  await main();
  const settled = () => Boolean(document.body.textContent) && !document.body.textContent!.includes(catalog.loading!);
  for (let i = 0; i < 100 && !settled(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe("order-page block extension", () => {
  it("shows the latest messages with source and status, the order's WhatsApp cost, and a link to the full thread", async () => {
    respond = () => new Response(JSON.stringify(fixture), { headers: { "content-type": "application/json" } });
    await renderBlock();
    expect(requests).toEqual(["/api/orders/gid%3A%2F%2Fshopify%2FOrder%2F77/thread"]);
    const block = document.querySelector("s-admin-block")!;
    expect(block.getAttribute("heading")).toBe("WhatsApp");
    const text = document.body.textContent ?? "";
    expect(text).not.toContain("Oldest, not shown");
    for (const expected of [
      "Olá Ana, recebemos seu pedido #1077.",
      "Vocês entregam no sábado?",
      "Phone app",
      "Entregamos sim.",
      "Delivered",
      "Not sent",
      "No marketing consent recorded for this customer",
    ]) {
      expect(text).toContain(expected);
    }
    expect([...document.querySelectorAll("s-badge")].map((b) => b.textContent)).toEqual(["Read", "Received", "Sent", "Delivered", "Not sent"]);
    expect(text).toContain("WhatsApp cost of this order: USD 0.0068");
    // Times in the shop's timezone (São Paulo, UTC−3), as the app's pages show them: 09:30 UTC is 06:30 there.
    expect(text).toContain("21/11/2026, 06:30");
    expect(text).not.toContain("21/11/2026, 09:30");
    expect(document.querySelector("s-link")?.getAttribute("href")).toBe("app:app/orders/77");
  });

  it("names what a message without text carries, and marks deleted, edited and reacted-to messages", async () => {
    const inbound = { direction: "IN", source: "CUSTOMER", templateName: null, text: null, reaction: null, edited: false, deleted: false, status: "RECEIVED", error: null };
    const messages = [
      {
        ...inbound,
        id: "p1",
        type: "image",
        content: { kind: "media", media: "image", mediaId: "media-1", mimeType: "image/jpeg", filename: null, voice: false, animated: false },
        occurredAt: "2026-11-20T10:00:00Z",
      },
      {
        ...inbound,
        id: "p2",
        type: "audio",
        content: { kind: "media", media: "audio", mediaId: "media-2", mimeType: "audio/ogg", filename: null, voice: true, animated: false },
        occurredAt: "2026-11-20T10:01:00Z",
      },
      { ...inbound, id: "p3", type: "location", content: { kind: "location", latitude: -23.56, longitude: -46.65, name: null, address: null, url: null }, occurredAt: "2026-11-20T10:02:00Z" },
      { ...inbound, id: "p4", type: "text", content: { kind: "deleted" }, deleted: true, occurredAt: "2026-11-20T10:03:00Z" },
      { ...inbound, id: "p5", type: "text", content: null, text: "Chega amanhã?", edited: true, reaction: "❤️", occurredAt: "2026-11-20T10:04:00Z" },
    ];
    respond = () => new Response(JSON.stringify({ ...fixture, messages }), { headers: { "content-type": "application/json" } });
    await renderBlock();
    const text = document.body.textContent ?? "";
    for (const expected of [catalog["kind.image"], catalog["kind.voice"], catalog["kind.location"], catalog.deleted, "Chega amanhã?", `${catalog.edited} · ❤️`]) {
      expect(text).toContain(expected);
    }
  });

  it("says so when the order has no conversation, and when the app cannot be reached", async () => {
    respond = () => new Response(JSON.stringify({ error: "Order not found" }), { status: 404 });
    await renderBlock();
    expect(document.body.textContent).toContain(catalog.empty);
    unmount();
    respond = () => new Response("", { status: 500 });
    await renderBlock();
    expect(document.querySelector("s-banner")?.textContent).toBe(catalog.failed);
  });

  it("targets the admin API version of the @shopify/ui-extensions it is built with", () => {
    const toml = readFileSync(path.join(ROOT, "extensions/order-thread/shopify.extension.toml"), "utf8");
    const built = (JSON.parse(readFileSync(path.join(ROOT, "node_modules/@shopify/ui-extensions/package.json"), "utf8")) as { version: string }).version;
    const [year, month] = built.split(".");
    expect(/api_version = "([\d-]+)"/.exec(toml)?.[1]).toBe(`${year}-${month!.padStart(2, "0")}`);
  });
});
