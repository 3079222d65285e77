// `npm run dev` (what `shopify app dev` runs) is the app a developer tries
// first: it must send messages too, not only serve pages.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startSandbox, type Sandbox } from "../sandbox/harness";
import { testDatabaseUrl } from "./helpers/db";
import { deliverShopifyWebhook, simJson } from "./helpers/http";
import { orderPayload } from "./helpers/shopify-payloads";

describe("npm run dev", () => {
  let sandbox: Sandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({ dev: true, env: { DATABASE_URL: testDatabaseUrl() } });
  }, 180_000);
  afterAll(async () => {
    await sandbox?.stop();
  });

  it("sends the order confirmation for an order placed while the dev server runs", { timeout: 120_000 }, async () => {
    const order = orderPayload({ name: "#DEV1" });
    const delivered = await deliverShopifyWebhook(sandbox.db, sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(order) });
    expect(delivered).toEqual({ status: 200, receiptStatus: "PROCESSED" });
    let sent: { template?: { name: string; parameters: string[] } }[] = [];
    for (let i = 0; i < 300 && !sent.some((m) => m.template?.parameters.includes("#DEV1")); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      sent = await simJson(sandbox.simUrl, "messages");
    }
    expect(sent.filter((m) => m.template?.name === "order_confirmation" && m.template.parameters.includes("#DEV1"))).toHaveLength(1);
  });
});
