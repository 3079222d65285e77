// A little traffic for `npm run demo`, so the pages have something to show:
// three orders (Brazil, Mexico, Colombia) go through the signed Shopify
// webhook, their confirmations through the simulator, and one customer writes
// back. Everything takes the same path as real traffic.
import type { Sandbox } from "./harness";
import { orderPayload } from "./shopify-payloads";
import { postShopifyWebhook } from "./shopify-webhooks";
import { SEED } from "./simulator/state";

const CUSTOMERS = [
  { first_name: "Ana", phone: "+5511987650001", country: "BR", locale: "pt-BR", currency: "BRL", total: "149.90" },
  { first_name: "Lucía", phone: "+525512340002", country: "MX", locale: "es-MX", currency: "MXN", total: "899.00" },
  { first_name: "Camilo", phone: "+573001230003", country: "CO", locale: "es-CO", currency: "COP", total: "189900.00" },
];

export async function seedDemoActivity(sandbox: Sandbox): Promise<void> {
  for (const c of CUSTOMERS) {
    const order = orderPayload({
      customer_locale: c.locale,
      currency: c.currency,
      total_price: c.total,
      customer: { id: Date.now(), first_name: c.first_name, phone: c.phone, email: null },
      shipping_address: { first_name: c.first_name, phone: c.phone, country_code: c.country },
    });
    const response = await postShopifyWebhook(sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic: "orders/create", shop: sandbox.shopDomain, body: JSON.stringify(order) });
    if (response.status !== 200) throw new Error(`The demo order webhook was answered ${response.status}`);
  }
  // Let the confirmations go out before the first customer answers, so the reply joins her order.
  for (let i = 0; i < 100 && (await sandbox.db.message.count({ where: { status: { in: ["DELIVERED", "READ"] } } })) < CUSTOMERS.length; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await fetch(`${sandbox.simUrl}/_sim/inbound`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ from: CUSTOMERS[0]!.phone, text: "Oi! Dá para entregar no sábado?", phoneNumberId: SEED.cloudPhoneNumberId }),
  });
}
