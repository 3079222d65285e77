// Shopify webhook bodies as Shopify sends them (the fields the app reads, plus noise).
import { randomBytes } from "node:crypto";

let nextId = 5_000_000_000;
export const newId = () => ++nextId;

/** Shopify's confirmation number: random, nine capitals and digits, shown to the buyer on the thank-you page. */
export function confirmationNumber(): string {
  const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
  return Array.from(randomBytes(9), (b) => alphabet[b % alphabet.length]).join("");
}

export function orderPayload(overrides: Record<string, unknown> = {}) {
  const id = newId();
  return {
    id,
    admin_graphql_api_id: `gid://shopify/Order/${id}`,
    name: `#${1000 + (id % 1000)}`,
    email: "ana@example.com",
    phone: null,
    customer_locale: "pt-BR",
    currency: "BRL",
    total_price: "149.90",
    financial_status: "pending",
    fulfillment_status: null,
    buyer_accepts_marketing: false,
    checkout_token: null,
    payment_gateway_names: ["manual"],
    customer: { id: newId(), first_name: "Ana", last_name: "Souza", phone: "+5511987654321", email: "ana@example.com", sms_marketing_consent: null },
    shipping_address: { first_name: "Ana", phone: "11 98765-4321", country_code: "BR", city: "São Paulo" },
    billing_address: { first_name: "Ana", phone: null, country_code: "BR" },
    line_items: [{ id: newId(), title: "Camiseta Azul", quantity: 2, price: "59.95" }],
    order_status_url: `https://demo-store.myshopify.com/orders/${id}`,
    confirmation_number: confirmationNumber(),
    ...overrides,
  };
}

export function fulfillmentPayload(orderId: number, overrides: Record<string, unknown> = {}) {
  return {
    id: newId(),
    order_id: orderId,
    status: "success",
    shipment_status: null,
    tracking_company: "Correios",
    tracking_number: "BR123456789",
    tracking_numbers: ["BR123456789"],
    tracking_url: "https://rastreamento.correios.com.br/app/index.php?objeto=BR123456789",
    tracking_urls: ["https://rastreamento.correios.com.br/app/index.php?objeto=BR123456789"],
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
    ...overrides,
  };
}

export function checkoutPayload(overrides: Record<string, unknown> = {}) {
  const id = newId();
  return {
    id,
    token: `tok${id}`,
    cart_token: `cart${id}`,
    email: "bruno@example.com",
    phone: null,
    customer_locale: "es-MX",
    currency: "MXN",
    total_price: "899.00",
    buyer_accepts_marketing: true,
    completed_at: null,
    created_at: new Date(Date.now() - 120_000).toISOString(),
    updated_at: new Date().toISOString(),
    abandoned_checkout_url: `https://demo-store.myshopify.com/checkouts/${id}/recover?key=abc`,
    customer: { id: newId(), first_name: "Bruno", phone: "+525512345678", sms_marketing_consent: { state: "subscribed" } },
    shipping_address: { first_name: "Bruno", phone: null, country_code: "MX" },
    billing_address: null,
    line_items: [{ title: "Tenis Rojos", quantity: 1 }],
    ...overrides,
  };
}
