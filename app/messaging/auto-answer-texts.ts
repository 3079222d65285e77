// What the app answers a customer by itself, in the customer's language: the
// away reply (closed now, when it opens again) and the where-is-my-order
// answer (the order's payment and shipment status, carrier and tracking link).
// Customer-facing WhatsApp text, so not in the admin's UI catalogs.
import type { Locale } from "../i18n";
import { isTimeZone } from "../pricing/time";

interface Texts {
  away: (opening: string | null) => string;
  order: (name: string, status: string) => string;
  carrier: (name: string) => string;
  trackingNumber: (number: string) => string;
  trackingUrl: (url: string) => string;
  more: string;
  /** Shopify's financial_status. */
  payment: Record<string, string>;
  /** Shopify's fulfillment_status (none yet: unfulfilled). */
  fulfillment: Record<string, string>;
  /** Shopify's shipment_status of the latest fulfillment. */
  shipment: Record<string, string>;
}

const TEXTS: Record<Locale, Texts> = {
  en: {
    away: (opening) => `Thanks for your message! We're closed right now${opening ? `; we'll get back to you when we open again, ${opening}` : ", and we'll get back to you as soon as we can"}.`,
    order: (name, status) => `Your order ${name}: ${status}.`,
    carrier: (name) => `Carrier: ${name}`,
    trackingNumber: (number) => `Tracking number: ${number}`,
    trackingUrl: (url) => `Track it here: ${url}`,
    more: "Anything else? Just reply and someone from our team will help you.",
    payment: {
      pending: "payment pending",
      authorized: "payment authorized",
      paid: "paid",
      partially_paid: "partly paid",
      refunded: "refunded",
      partially_refunded: "partly refunded",
      voided: "payment voided",
    },
    fulfillment: { unfulfilled: "being prepared", partial: "partly shipped", fulfilled: "shipped", restocked: "returned to stock" },
    shipment: {
      label_printed: "label printed, about to ship",
      label_purchased: "label created, about to ship",
      confirmed: "shipped",
      carrier_picked_up: "picked up by the carrier",
      in_transit: "in transit",
      delayed: "delayed",
      out_for_delivery: "out for delivery",
      attempted_delivery: "a delivery was attempted",
      ready_for_pickup: "ready for pickup",
      picked_up: "picked up",
      delivered: "delivered",
      failure: "delivery problem",
    },
  },
  es: {
    away: (opening) => `¡Gracias por escribirnos! En este momento estamos cerrados${opening ? `; te responderemos cuando volvamos a abrir, el ${opening}` : "; te responderemos lo antes posible"}.`,
    order: (name, status) => `Tu pedido ${name}: ${status}.`,
    carrier: (name) => `Transportista: ${name}`,
    trackingNumber: (number) => `Número de seguimiento: ${number}`,
    trackingUrl: (url) => `Síguelo aquí: ${url}`,
    more: "¿Algo más? Responde y una persona de nuestro equipo te ayudará.",
    payment: {
      pending: "pago pendiente",
      authorized: "pago autorizado",
      paid: "pagado",
      partially_paid: "pagado en parte",
      refunded: "reembolsado",
      partially_refunded: "reembolsado en parte",
      voided: "pago anulado",
    },
    fulfillment: { unfulfilled: "en preparación", partial: "enviado en parte", fulfilled: "enviado", restocked: "devuelto al inventario" },
    shipment: {
      label_printed: "etiqueta impresa, a punto de salir",
      label_purchased: "etiqueta creada, a punto de salir",
      confirmed: "enviado",
      carrier_picked_up: "recogido por la transportadora",
      in_transit: "en camino",
      delayed: "con retraso",
      out_for_delivery: "en reparto",
      attempted_delivery: "se intentó la entrega",
      ready_for_pickup: "listo para recoger",
      picked_up: "recogido",
      delivered: "entregado",
      failure: "problema en la entrega",
    },
  },
  "pt-BR": {
    away: (opening) => `Obrigado pela mensagem! Estamos fechados agora${opening ? `; responderemos quando abrirmos de novo, ${opening}` : "; responderemos assim que possível"}.`,
    order: (name, status) => `Seu pedido ${name}: ${status}.`,
    carrier: (name) => `Transportadora: ${name}`,
    trackingNumber: (number) => `Código de rastreio: ${number}`,
    trackingUrl: (url) => `Acompanhe aqui: ${url}`,
    more: "Mais alguma coisa? É só responder que alguém da nossa equipe vai te ajudar.",
    payment: {
      pending: "pagamento pendente",
      authorized: "pagamento autorizado",
      paid: "pago",
      partially_paid: "pago em parte",
      refunded: "reembolsado",
      partially_refunded: "reembolsado em parte",
      voided: "pagamento anulado",
    },
    fulfillment: { unfulfilled: "em preparação", partial: "enviado em parte", fulfilled: "enviado", restocked: "devolvido ao estoque" },
    shipment: {
      label_printed: "etiqueta impressa, prestes a sair",
      label_purchased: "etiqueta criada, prestes a sair",
      confirmed: "enviado",
      carrier_picked_up: "coletado pela transportadora",
      in_transit: "em trânsito",
      delayed: "atrasado",
      out_for_delivery: "saiu para entrega",
      attempted_delivery: "houve uma tentativa de entrega",
      ready_for_pickup: "pronto para retirada",
      picked_up: "retirado",
      delivered: "entregue",
      failure: "problema na entrega",
    },
  },
};

/** The away reply, naming the next opening (weekday and time in the shop's timezone) when there is one. */
export function awayText(locale: Locale, opening: Date | null, timeZone: string): string {
  // The shop's zone named (customers write from other countries), and the date (the next opening may be days away).
  const zone = isTimeZone(timeZone) ? timeZone : "UTC";
  const when = opening
    ? new Intl.DateTimeFormat(locale, { timeZone: zone, weekday: "long", day: "numeric", month: "long", hour: "numeric", minute: "2-digit", timeZoneName: "short" }).format(opening)
    : null;
  return TEXTS[locale].away(when);
}

export interface OrderFacts {
  name: string;
  financialStatus: string | null;
  fulfillmentStatus: string | null;
  shipmentStatus: string | null;
  trackingNumber: string | null;
  trackingUrl: string | null;
  trackingCompany: string | null;
}

/** The where-is-my-order answer: payment, then how far the shipment got (a fulfillment with tracking has shipped), then carrier and tracking. */
export function orderStatusText(locale: Locale, order: OrderFacts): string {
  const texts = TEXTS[locale];
  const shipped = order.trackingNumber || order.trackingUrl ? "fulfilled" : null;
  const delivery = (order.shipmentStatus && texts.shipment[order.shipmentStatus]) ?? texts.fulfillment[shipped ?? order.fulfillmentStatus ?? "unfulfilled"];
  const payment = order.financialStatus ? texts.payment[order.financialStatus] : undefined;
  const status = [payment, delivery].filter(Boolean).join(", ");
  return [
    texts.order(order.name, status),
    order.trackingCompany ? texts.carrier(order.trackingCompany) : null,
    order.trackingNumber ? texts.trackingNumber(order.trackingNumber) : null,
    order.trackingUrl ? texts.trackingUrl(order.trackingUrl) : null,
    "",
    texts.more,
  ]
    .filter((line) => line !== null)
    .join("\n");
}
