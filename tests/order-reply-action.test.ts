import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

import { type HTMLElement as DomElement, Window } from "happy-dom";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { buildExtension, LIMIT_BYTES } from "../extensions/build";
import { ROOT, startSandbox, type Sandbox } from "../sandbox/harness";
import { signSessionToken } from "../sandbox/session-token";
import { installShop } from "../sandbox/seed";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, deliverShopifyWebhook, simJson } from "./helpers/http";
import { orderPayload } from "./helpers/shopify-payloads";

const EXTENSION = path.join(ROOT, "extensions/order-reply-action");
const EXTENSION_ORIGIN = "https://extensions.shopifycdn.com";

interface SimMessage {
  to: string;
  type: string;
  text?: string;
  template?: { name: string };
}

// The order page's "Reply on WhatsApp" action: the reply box reads the order's
// customer and window from the app and sends through it, under the thread
// page's rules, as the staff member of the admin session token.
describe("order-page reply action", () => {
  let sandbox: Sandbox;
  const otherShop = "reply-other.myshopify.com";

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 10 } });
    await installShop(sandbox.db, sandbox.config, otherShop);
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const api = (orderId: string, init: { body?: unknown; shop?: string; token?: string } = {}) =>
    fetch(`${sandbox.appUrl}/api/orders/${encodeURIComponent(orderId)}/reply`, {
      method: init.body === undefined ? "GET" : "POST",
      headers: {
        authorization: `Bearer ${init.token ?? sandbox.sessionToken(init.shop)}`,
        origin: EXTENSION_ORIGIN,
        "user-agent": BROWSER_UA,
        ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  const sentTo = async (phone: string) => (await simJson<SimMessage[]>(sandbox.simUrl, "messages")).filter((m) => m.to === phone.slice(1));
  const staffRows = (phone: string) => sandbox.db.message.findMany({ where: { source: "STAFF", recipientPhone: phone } });
  /** A reply another request or the worker claimed first is still on its way: wait until it has left. */
  const delivered = (phone: string) => settle(async () => (await staffRows(phone)).every((m) => !["QUEUED", "SENDING"].includes(m.status)));
  async function settle(check: () => Promise<boolean>) {
    for (let i = 0; i < 100 && !(await check()); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  }

  /** An order from Shopify whose confirmation has gone out; with `writes`, the customer then writes in (the window opens). */
  async function orderOf(firstName: string, phone: string, writes: boolean) {
    const order = orderPayload({ customer: { id: Math.floor(Math.random() * 1e12), first_name: firstName, last_name: "Alves", phone } });
    await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(order) });
    await settle(async () => (await sandbox.db.message.count({ where: { idempotencyKey: `ORDER_CREATED:${order.id}`, status: "READ" } })) === 1);
    if (writes) {
      await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: phone, text: "Posso trocar o tamanho?", phoneNumberId: SEED.cloudPhoneNumberId } });
      await sandbox.settled();
    }
    return order;
  }

  it("inside the window sends free text once, even when posted twice with the same requestId", async () => {
    const phone = "+5511944440101";
    const order = await orderOf("Lúcia", phone, true);
    const context = await api(order.admin_graphql_api_id);
    expect(context.status).toBe(200);
    expect(context.headers.get("access-control-allow-origin")).toBe(EXTENSION_ORIGIN);
    expect(await context.json()).toMatchObject({ order: { name: order.name }, customerName: "Lúcia", canReply: true, window: { open: true, closesAt: expect.any(String) } });

    const requestId = crypto.randomUUID();
    const body = { kind: "text", text: "Pode sim, Lúcia! Qual tamanho?", requestId };
    const answers = await Promise.all([api(String(order.id), { body }), api(String(order.id), { body })]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(await answers[0]!.json()).toMatchObject({ ok: true });
    await api(String(order.id), { body });
    await delivered(phone);
    expect((await sentTo(phone)).filter((m) => m.type === "text")).toMatchObject([{ text: "Pode sim, Lúcia! Qual tamanho?" }]);
    expect((await staffRows(phone)).map((m) => [m.body, m.staffUserId, m.staffName])).toEqual([["Pode sim, Lúcia! Qual tamanho?", "1", "Mariana Costa"]]);

    // Refusals name the field and say why in a code the extension words; nothing is sent.
    const empty = await api(String(order.id), { body: { kind: "text", text: "  ", requestId: crypto.randomUUID() } });
    expect(empty.status).toBe(400);
    expect(await empty.json()).toMatchObject({ ok: false, field: "text", code: "empty" });
    const tooLong = await api(String(order.id), { body: { kind: "text", text: "a".repeat(4097), requestId: crypto.randomUUID() } });
    expect(tooLong.status).toBe(400);
    expect(await tooLong.json()).toMatchObject({ ok: false, field: "text", code: "tooLong" });
    const noId = await api(String(order.id), { body: { kind: "text", text: "Oi" } });
    expect(noId.status).toBe(400);
    expect(await noId.json()).toMatchObject({ ok: false, field: "requestId", code: "invalid" });
    expect(await staffRows(phone)).toHaveLength(1);
  });

  it("outside the window refuses free text naming the field, and sends an approved template", async () => {
    const phone = "+5511944440202";
    const order = await orderOf("Bruno", phone, false);
    await simJson(sandbox.simUrl, "messages", { method: "DELETE" });
    const context = (await (await api(String(order.id))).json()) as { window: { open: boolean }; templates: string[] };
    expect(context.window.open).toBe(false);
    expect(context.templates).toContain("order_confirmation");

    const refused = await api(String(order.id), { body: { kind: "text", text: "Oi Bruno!", requestId: crypto.randomUUID() } });
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ ok: false, field: "text", code: "windowClosed", detail: null });
    expect(await sentTo(phone)).toEqual([]);
    expect(await staffRows(phone)).toEqual([]);

    const unknown = await api(String(order.id), { body: { kind: "template", templateName: "no_such_template", requestId: crypto.randomUUID() } });
    expect(await unknown.json()).toMatchObject({ ok: false, field: "templateName", code: "templateUnavailable" });

    const sent = await api(String(order.id), { body: { kind: "template", templateName: "order_confirmation", requestId: crypto.randomUUID() } });
    expect(sent.status).toBe(200);
    await delivered(phone);
    expect(await sentTo(phone)).toMatchObject([{ type: "template", template: { name: "order_confirmation" } }]);
    expect(await staffRows(phone)).toMatchObject([{ type: "template", templateName: "order_confirmation", staffName: "Mariana Costa" }]);
  });

  it("another shop's token naming this shop's order is not found, and a bad token is refused", async () => {
    const phone = "+5511944440303";
    const order = await orderOf("Carla", phone, true);
    const body = { kind: "text", text: "Oi Carla", requestId: crypto.randomUUID() };

    const foreignRead = await api(String(order.id), { shop: otherShop });
    expect(foreignRead.status).toBe(404);
    expect(JSON.stringify(await foreignRead.json())).not.toContain("Carla");
    expect((await api(String(order.id), { shop: otherShop, body })).status).toBe(404);

    const forged = signSessionToken({ shop: sandbox.shopDomain, apiKey: sandbox.config.SHOPIFY_API_KEY, apiSecret: "not-the-app-secret" });
    const badRead = await api(String(order.id), { token: forged });
    expect(badRead.status).toBe(401);
    expect(await badRead.text()).not.toContain("Carla");
    expect((await api(String(order.id), { token: forged, body })).status).toBe(401);
    expect((await api(String(order.id), { token: "not-a-token", body })).status).toBe(401);

    expect(await staffRows(phone)).toEqual([]);
    expect((await sentTo(phone)).filter((m) => m.type === "text")).toEqual([]);
  });

  it("the built action targets admin.order-details.action.render and, in the admin's host, replies in the merchant's language", async () => {
    const toml = readFileSync(path.join(EXTENSION, "shopify.extension.toml"), "utf8");
    expect(/^target = "([\w.-]+)"/m.exec(toml)?.[1]).toBe("admin.order-details.action.render");
    const module = /^module = "([^"]+)"/m.exec(toml)?.[1];
    expect(existsSync(path.join(EXTENSION, module!))).toBe(true);
    const built = (JSON.parse(readFileSync(path.join(ROOT, "node_modules/@shopify/ui-extensions/package.json"), "utf8")) as { version: string }).version.split(".");
    expect(/api_version = "([\d-]+)"/.exec(toml)?.[1]).toBe(`${built[0]}-${built[1]!.padStart(2, "0")}`);
    expect(await buildExtension("order-reply-action")).toBeLessThan(LIMIT_BYTES);
    const { default: main } = (await import(/* @vite-ignore */ pathToFileURL(path.join(EXTENSION, "dist", "order-reply-action.js")).href)) as { default: () => Promise<void> };
    const catalog = JSON.parse(readFileSync(path.join(EXTENSION, "locales/pt-BR.json"), "utf8")) as Record<string, string>;
    const nodeFetch = globalThis.fetch;
    const posted: { requestId: string }[] = [];
    const asked = new Set<string>();
    // Set: the next reply reaches the app but its answer is lost on the way back.
    let loseAnswer = false;
    let closed = 0;
    const windows: Window[] = [];
    // The admin's host, in Portuguese: a document, the `shopify` API for the selected order, and a
    // fetch that resolves the extension's relative URLs against the app with the session token.
    async function open(orderGid: string) {
      const window = new Window();
      windows.push(window);
      Object.assign(globalThis, {
        document: window.document,
        shopify: {
          data: { selected: [{ id: orderGid }] },
          i18n: {
            translate: (key: string, values: Record<string, unknown> = {}) => {
              asked.add(key);
              return (catalog[key] ?? key).replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name]));
            },
          },
          close: () => closed++,
        },
        // The simulators run in this process and call out with fetch too: only the extension's relative URLs are the app's.
        fetch: async (url: string, init: RequestInit = {}) => {
          if (!url.startsWith("/")) return nodeFetch(url, init);
          if (init.method === "POST") posted.push(JSON.parse(String(init.body)) as { requestId: string });
          const response = await nodeFetch(`${sandbox.appUrl}${url}`, {
            ...init,
            headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${sandbox.sessionToken()}`, origin: EXTENSION_ORIGIN, "user-agent": BROWSER_UA },
          });
          if (init.method !== "POST" || !loseAnswer) return response;
          loseAnswer = false;
          await response.text();
          throw new TypeError("Failed to fetch");
        },
      });
      await main();
      return { window, body: window.document.body, send: () => window.document.body.querySelector<DomElement>('s-button[slot="primary-action"]')! };
    }
    // Up to 30 s (a reply goes to WhatsApp inside the request, slow on a loaded machine); a failure shows what the action showed.
    const until = async (done: () => boolean) => {
      for (let i = 0; i < 1200 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 25));
      const shown = windows.at(-1)?.document.body;
      expect(done(), `the action showed: ${shown?.textContent} ${shown?.querySelector("s-text-area")?.getAttribute("error") ?? ""}`).toBe(true);
    };

    try {
      const inside = await orderOf("Dora", "+5511944440404", true);
      const action = await open(inside.admin_graphql_api_id);
      await until(() => Boolean(action.body.querySelector("s-text-area")));
      expect(action.body.querySelector("s-admin-action")?.getAttribute("heading")).toBe(`Resposta pelo WhatsApp · ${inside.name}`);
      expect(action.body.textContent).toContain("Para Dora");
      expect(action.body.textContent).toContain("O cliente escreveu há pouco");
      // The time left in the merchant's units, from the locale files (each language has every key).
      expect(asked).toContain("timeLeft.hours");
      const keys = (file: string) => Object.keys(JSON.parse(readFileSync(path.join(EXTENSION, "locales", file), "utf8")) as object).sort();
      for (const file of ["es.json", "pt-BR.json"]) expect(keys(file)).toEqual(keys("en.default.json"));
      const field = action.body.querySelector("s-text-area")!;
      Object.assign(field, { value: "Oi Dora, seu pedido sai amanhã." });
      field.dispatchEvent(new action.window.Event("input"));
      await until(() => !action.send().hasAttribute("disabled"));
      expect(action.send().textContent).toBe("Enviar");
      // A double click: every post carries the same one-time request id, and one message goes out.
      action.send().click();
      action.send().click();
      await until(() => action.body.textContent!.includes("Enviado."));
      await delivered("+5511944440404");
      expect(posted.length).toBeGreaterThan(0);
      expect(new Set(posted.map((p) => p.requestId)).size).toBe(1);
      expect((await sentTo("+5511944440404")).filter((m) => m.type === "text")).toMatchObject([{ text: "Oi Dora, seu pedido sai amanhã." }]);
      expect(await staffRows("+5511944440404")).toHaveLength(1);
      action.body.querySelector<DomElement>('s-button[slot="secondary-actions"]')!.click();
      expect(closed).toBe(1);

      // Outside the window: no free text, a choice of the approved templates.
      const outside = await orderOf("Elisa", "+5511944440505", false);
      const templated = await open(outside.admin_graphql_api_id);
      await until(() => Boolean(templated.body.querySelector("s-select")));
      expect(templated.body.querySelector("s-text-area")).toBeNull();
      expect(templated.body.textContent).toContain("O WhatsApp só permite um modelo aprovado");
      expect([...templated.body.querySelectorAll("s-option")].map((o) => o.getAttribute("value"))).toContain("order_confirmation");
      const select = templated.body.querySelector("s-select")!;
      Object.assign(select, { value: "order_confirmation" });
      select.dispatchEvent(new templated.window.Event("change"));
      // Preact renders the choice on the next tick; the click then sends it.
      await new Promise((resolve) => setTimeout(resolve, 0));
      expect(templated.send().textContent).toBe("Enviar modelo");
      templated.send().click();
      await until(() => templated.body.textContent!.includes("Enviado."));
      expect(await staffRows("+5511944440505")).toMatchObject([{ type: "template", templateName: "order_confirmation" }]);

      // WhatsApp refuses a reply: staff edit the text and send again, and that goes out as a new message.
      const phone = "+5511944440606";
      const retried = await open((await orderOf("Fábio", phone, true)).admin_graphql_api_id);
      await until(() => Boolean(retried.body.querySelector("s-text-area")));
      const type = async (text: string) => {
        const area = retried.body.querySelector("s-text-area")!;
        Object.assign(area, { value: text });
        area.dispatchEvent(new retried.window.Event("input"));
        // Preact renders the text on the next tick; the click then sends it.
        await new Promise((resolve) => setTimeout(resolve, 0));
        expect(retried.send().hasAttribute("disabled")).toBe(false);
      };
      await simJson(sandbox.simUrl, "fail-next", { method: "POST", body: { code: 131026, phoneNumberId: SEED.cloudPhoneNumberId } });
      await type("Oi Fábio, o código é");
      posted.length = 0;
      retried.send().click();
      await until(() => Boolean(retried.body.querySelector("s-text-area")!.getAttribute("error")?.startsWith("O WhatsApp recusou a mensagem")));
      await type("Oi Fábio, o código de rastreio é BR123.");
      retried.send().click();
      await until(() => retried.body.textContent!.includes("Enviado."));
      // The answer to the next reply is lost: the outcome unknown, sending again keeps the id and sends it once.
      await type("Oi Fábio, chega amanhã.");
      loseAnswer = true;
      retried.send().click();
      await until(() => retried.body.textContent!.includes("Não foi possível falar com o app"));
      retried.send().click();
      await until(() => retried.body.textContent!.includes("Enviado."));
      await delivered(phone);
      expect(posted.map((p) => p.requestId).filter((id, i, ids) => ids.indexOf(id) === i)).toHaveLength(3);
      expect(posted[2]!.requestId).toBe(posted[3]!.requestId);
      expect((await sentTo(phone)).filter((m) => m.type === "text").map((m) => m.text)).toEqual(["Oi Fábio, o código de rastreio é BR123.", "Oi Fábio, chega amanhã."]);
      expect((await staffRows(phone)).sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).map((m) => [m.body, m.status === "FAILED"])).toEqual([
        ["Oi Fábio, o código é", true],
        ["Oi Fábio, o código de rastreio é BR123.", false],
        ["Oi Fábio, chega amanhã.", false],
      ]);
    } finally {
      Object.assign(globalThis, { fetch: nodeFetch });
      for (const window of windows) await window.happyDOM.close();
    }
  });
});
