// Ninety days of a store's life for `npm run demo`, played through the app's
// real paths: orders and carts arrive as signed Shopify webhooks (orders
// through the Shopify simulator), the app's automations send through its
// dispatcher to the WhatsApp simulator, and statuses, replies, button taps
// and phone-app echoes come back as signed Meta webhooks. The simulators'
// clocks are set back to each moment first, so every payload carries the
// time a real one would have; nothing is written to the database here except
// the two settings a merchant turns on (Shopify's SMS consent counts, the cart
// reminder). The same seed gives the same history.
import { saveConsentSettings } from "../app/messaging/consent.server";
import { localDay, startOfDay } from "../app/pricing/time";
import type { Sandbox } from "./harness";
import { checkoutPayload, fulfillmentPayload, orderPayload } from "./shopify-payloads";
import { postShopifyWebhook } from "./shopify-webhooks";
import { SEED } from "./simulator/state";

const MINUTE = 60_000;
// The app turns bots away from its admin routes; the upload comes from a browser, as the merchant's would.
const BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
const DAY_MS = 24 * 60 * MINUTE;

interface Market {
  country: string;
  locale: string;
  currency: string;
  prefix: string;
  names: string[];
  totals: [number, number];
  replies: string[];
  answer: string;
  gateway?: string;
}

const MARKETS: { weight: number; market: Market }[] = [
  {
    weight: 5,
    market: {
      country: "BR",
      locale: "pt-BR",
      currency: "BRL",
      prefix: "+551198765",
      names: ["Ana", "Bruno", "Camila", "Diego", "Fernanda", "Gabriel", "Juliana", "Lucas", "Mariana", "Rafael"],
      totals: [79, 480],
      replies: ["Oi! Dá para entregar no sábado?", "Obrigada! Qual é o prazo de entrega?", "Posso trocar o tamanho?"],
      answer: "Oi! Sim, separamos o seu pedido hoje.",
    },
  },
  {
    weight: 3,
    market: {
      country: "MX",
      locale: "es-MX",
      currency: "MXN",
      prefix: "+52551234",
      names: ["Lucía", "Mateo", "Valeria", "Santiago", "Ximena", "Emiliano"],
      totals: [350, 2400],
      replies: ["¡Hola! ¿Cuándo llega mi pedido?", "¿Puedo pagar en efectivo al recibir?"],
      answer: "¡Hola! Tu pedido sale mañana.",
      gateway: "Pago contra entrega",
    },
  },
  {
    weight: 2,
    market: {
      country: "CO",
      locale: "es-CO",
      currency: "COP",
      prefix: "+57300123",
      names: ["Camilo", "Daniela", "Andrés", "Paula", "Sebastián"],
      totals: [60000, 420000],
      replies: ["Hola, ¿me confirman la dirección de entrega?", "¡Gracias! ¿Tienen otra talla?"],
      answer: "¡Hola! Ya quedó confirmada.",
    },
  },
  {
    weight: 1,
    market: {
      country: "AR",
      locale: "es-AR",
      currency: "ARS",
      prefix: "+549112345",
      names: ["Martina", "Tomás", "Sofía", "Joaquín"],
      totals: [25000, 180000],
      replies: ["Hola, ¿hacen envíos a Córdoba?"],
      answer: "¡Hola! Sí, enviamos a todo el país.",
    },
  },
  {
    weight: 1,
    market: {
      country: "CL",
      locale: "es-CL",
      currency: "CLP",
      prefix: "+5699123",
      names: ["Catalina", "Benjamín", "Isidora", "Vicente"],
      totals: [15000, 120000],
      replies: ["Hola, ¿cuánto demora a Valparaíso?"],
      answer: "¡Hola! Entre 2 y 3 días hábiles.",
    },
  },
  {
    weight: 1,
    market: {
      country: "US",
      locale: "en-US",
      currency: "USD",
      prefix: "+1212460",
      names: ["Emily", "James", "Olivia", "Michael"],
      totals: [25, 160],
      replies: ["Hi! Can I change the shipping address?"],
      answer: "Hi! Sure, send us the new address.",
    },
  },
];

/** mulberry32: a small seeded generator, so every demo tells the same story. */
function generator(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Placed {
  id: number;
  phone: string;
  market: Market;
  cod: boolean;
  at: number;
}

export interface HistoryOptions {
  days?: number;
  seed?: number;
  onProgress?: (done: number, total: number, day: string) => void;
}

export async function seedDemoHistory(sandbox: Sandbox, options: HistoryOptions = {}): Promise<{ orders: number; messages: number }> {
  const days = options.days ?? 90;
  const random = generator(options.seed ?? 16);
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!;
  const totalWeight = MARKETS.reduce((sum, m) => sum + m.weight, 0);
  const market = () => {
    let roll = random() * totalWeight;
    return MARKETS.find((m) => (roll -= m.weight) < 0)!.market;
  };
  const { db } = sandbox;
  const shop = await db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } });
  const timeZone = (await db.whatsAppAccount.findUnique({ where: { shopId: shop.id } }))?.timezone ?? shop.timezone ?? "UTC";
  await saveConsentSettings(db, shop.id, { smsConsentCounts: true });
  await db.automation.updateMany({ where: { shopId: shop.id, trigger: "CHECKOUT_ABANDONED" }, data: { enabled: true } });
  await uploadEarlierRateCard(sandbox, localDay(new Date(Date.now() - days * DAY_MS), timeZone));

  const setClock = (at: number | null) => simPost(sandbox.simUrl, "clock", { at: at === null ? null : new Date(at).toISOString() });
  let customers = 0;
  const phoneOf = (m: Market) => `${m.prefix}${String(++customers).padStart(4, "0")}`;
  const placed: Placed[] = [];
  let orders = 0;
  let optedOut = false;

  const placeOrder = async (m: Market, phone: string, at: number, extra: Record<string, unknown> = {}) => {
    const cod = m.gateway !== undefined && random() < 0.4;
    const name = pick(m.names);
    const order = orderPayload({
      created_at: new Date(at).toISOString(),
      customer_locale: m.locale,
      currency: m.currency,
      total_price: (m.totals[0] + random() * (m.totals[1] - m.totals[0])).toFixed(2),
      financial_status: cod ? "pending" : "paid",
      email: null,
      customer: { id: 7_000_000 + customers, first_name: name, phone, email: null, sms_marketing_consent: { state: random() < 0.5 ? "subscribed" : "not_subscribed" } },
      shipping_address: { first_name: name, phone, country_code: m.country },
      billing_address: null,
      ...(cod ? { payment_gateway_names: [m.gateway] } : {}),
      ...extra,
    });
    const response = await fetch(`${sandbox.shopify.url}/_sim/shopify/orders`, { method: "POST", body: JSON.stringify({ shop: sandbox.shopDomain, order }) });
    if (response.status !== 200) throw new Error(`The Shopify simulator answered ${response.status} to a demo order`);
    orders++;
    const entry = { id: order.id, phone, market: m, cod, at };
    placed.push(entry);
    return entry;
  };
  const shopifyWebhook = (topic: string, body: unknown) =>
    postShopifyWebhook(sandbox.appUrl, sandbox.env.SHOPIFY_API_SECRET, { topic, shop: sandbox.shopDomain, body: JSON.stringify(body) }).then((r) => {
      if (r.status !== 200) throw new Error(`The app answered ${r.status} to a demo ${topic} webhook`);
    });
  const inbound = (body: Record<string, unknown>) => simPost(sandbox.simUrl, "inbound", { phoneNumberId: SEED.cloudPhoneNumberId, ...body });

  try {
    for (let i = 0; i < days; i++) {
      const day = localDay(new Date(Date.now() - (days - 1 - i) * DAY_MS), timeZone);
      for (const hour of [11, 18]) {
        const slot = startOfDay(day, timeZone).getTime() + hour * 60 * MINUTE;
        // Today's history stops at the present: nothing is dated ahead of the app's clock.
        if (slot + 60 * MINUTE > Date.now()) continue;

        // The slot's hour: new orders, most of those placed two days before shipped, now and then a cart left behind.
        await setClock(slot);
        // Once, Meta cannot deliver a message (the number is not on WhatsApp): the send is accepted, then fails.
        if (i === days - 20 && hour === 11) await simPost(sandbox.simUrl, "fail-next", { code: 131026, async: true });
        const fresh: Placed[] = [];
        for (let n = Math.floor(random() * 4); n > 0; n--) {
          const m = market();
          fresh.push(await placeOrder(m, phoneOf(m), slot - Math.floor(5 + random() * 50) * MINUTE));
        }
        for (const order of placed.filter((o) => o.at < slot - 1.5 * DAY_MS && o.at >= slot - 2 * DAY_MS && !o.cod && random() < 0.8)) {
          await shopifyWebhook("fulfillments/create", fulfillmentPayload(order.id, { created_at: new Date(slot).toISOString(), updated_at: new Date(slot).toISOString() }));
        }
        // A cart left an hour ago: its reminder (marketing) is due now.
        const cart = hour === 11 && i % 9 === 4 ? MARKETS[Math.floor(i / 9) % 3]!.market : null;
        const cartCheckout = cart ? cartPayload(cart, phoneOf(cart), slot - 62 * MINUTE, pick(cart.names), customers) : null;
        if (cartCheckout) await shopifyWebhook("checkouts/create", cartCheckout);
        await quiet(sandbox);

        // Forty minutes on: some customers write back and staff answer from the phone app; cash-on-delivery
        // orders are confirmed with a tap; the cart comes back as an order; once, a customer asks to stop.
        await setClock(slot + 40 * MINUTE);
        for (const order of fresh) {
          if (order.cod) {
            const ask = await db.message.findFirst({
              where: { shopId: shop.id, templateName: "cod_confirmation", wamid: { not: null }, order: { shopifyOrderId: String(order.id) } },
              select: { wamid: true },
            });
            if (ask?.wamid) await inbound({ from: order.phone, contextWamid: ask.wamid, button: { index: 0 } });
          } else if (random() < 0.3) {
            await inbound({ from: order.phone, text: pick(order.market.replies) });
            if (random() < 0.6) {
              await setClock(slot + 48 * MINUTE);
              await simPost(sandbox.simUrl, "echo", { to: order.phone, text: order.market.answer, phoneNumberId: SEED.cloudPhoneNumberId });
              await setClock(slot + 40 * MINUTE);
            }
          } else if (!optedOut && i >= days / 2 && order.market.country === "BR") {
            await inbound({ from: order.phone, text: "PARAR" });
            optedOut = true;
          }
        }
        if (cart && cartCheckout) {
          const phone = (cartCheckout.customer as { phone: string }).phone;
          await placeOrder(cart, phone, slot + 30 * MINUTE, { checkout_token: cartCheckout.token, customer: cartCheckout.customer });
        }
        await quiet(sandbox);
      }
      options.onProgress?.(i + 1, days, day);
    }
  } finally {
    await setClock(null);
  }
  return { orders, messages: await db.message.count({ where: { shopId: shop.id } }) };
}

function cartPayload(m: Market, phone: string, at: number, name: string, customer: number) {
  return checkoutPayload({
    email: null,
    customer_locale: m.locale,
    currency: m.currency,
    total_price: ((m.totals[0] + m.totals[1]) / 2).toFixed(2),
    created_at: new Date(at - 5 * MINUTE).toISOString(),
    updated_at: new Date(at).toISOString(),
    customer: { id: 7_000_000 + customer, first_name: name, phone, sms_marketing_consent: { state: "subscribed" } },
    shipping_address: { first_name: name, phone: null, country_code: m.country },
  });
}

/**
 * The bundled rate card starts on 2026-10-01; the merchant uploads the one in
 * force before it (the same rates) on the costs page, so the earlier days are
 * priced rather than unknown.
 */
async function uploadEarlierRateCard(sandbox: Sandbox, from: string): Promise<void> {
  const form = new FormData();
  form.set("intent", "rate-card");
  form.set("effectiveFrom", from);
  const csv =
    "Market,Currency,Marketing,Utility,Authentication\nBrazil,USD,0.0625,0.0068,0.0068\nArgentina,USD,0.0618,0.026,0.026\nColombia,USD,0.0125,0.0008,0.0008\nChile,USD,0.0889,0.02,0.02\nNorth America,USD,0.025,0.0034,0.0034\nMexico,USD,,0.0085,\n";
  form.set("rates", new File([csv], "rates-before-october.csv", { type: "text/csv" }));
  const response = await fetch(`${sandbox.appUrl}/app/costs.data`, { method: "POST", headers: { authorization: `Bearer ${sandbox.sessionToken()}`, "user-agent": BROWSER_UA }, body: form });
  if (response.status !== 200) throw new Error(`The costs page answered ${response.status} to the demo's rate card`);
}

async function simPost(simUrl: string, path: string, body: unknown): Promise<void> {
  const response = await fetch(`${simUrl}/_sim/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (response.status !== 200) throw new Error(`The WhatsApp simulator answered ${response.status} to /_sim/${path}: ${await response.text()}`);
}

/** Until the app has handled every webhook and sent everything due, so the next moment's clock dates nothing of this one. */
async function quiet(sandbox: Sandbox): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    await sandbox.settled();
    const due = await sandbox.db.message.count({ where: { direction: "OUT", status: { in: ["QUEUED", "SENDING"] }, OR: [{ scheduledFor: null }, { scheduledFor: { lte: new Date() } }] } });
    if (due === 0) break;
    if (Date.now() > deadline) throw new Error(`${due} demo messages still waiting to be sent after a minute`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await sandbox.settled();
}
