// A little of today's traffic, where a browser walk starts (`npm run demo`
// plays 90 days instead: demo-history.ts): three orders (Brazil, Mexico,
// Colombia) are placed in the Shopify simulator, which delivers their signed
// orders/create webhooks; their confirmations go through the WhatsApp
// simulator; one customer writes back, and the Mexican order, paid on
// delivery, is confirmed with a tap. Everything takes the same path as real
// traffic.
import type { Sandbox } from "./harness";
import { orderPayload } from "./shopify-payloads";
import { SEED } from "./simulator/state";

const CUSTOMERS = [
  { first_name: "Ana", phone: "+5511987650001", country: "BR", locale: "pt-BR", currency: "BRL", total: "149.90" },
  { first_name: "Lucía", phone: "+525512340002", country: "MX", locale: "es-MX", currency: "MXN", total: "899.00", gateway: "Pago contra entrega" },
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
      ...("gateway" in c ? { payment_gateway_names: [c.gateway] } : {}),
    });
    const response = await fetch(`${sandbox.shopify.url}/_sim/shopify/orders`, { method: "POST", body: JSON.stringify({ shop: sandbox.shopDomain, order }) });
    if (response.status !== 200) throw new Error(`The Shopify simulator answered ${response.status} to a demo order`);
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
  const cod = await sandbox.db.message.findFirst({ where: { templateName: "cod_confirmation", wamid: { not: null } }, select: { wamid: true } });
  if (cod?.wamid) {
    await fetch(`${sandbox.simUrl}/_sim/inbound`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ from: CUSTOMERS[1]!.phone, contextWamid: cod.wamid, button: { index: 0 }, phoneNumberId: SEED.cloudPhoneNumberId }),
    });
  }
}
