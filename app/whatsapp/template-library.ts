// Built-in templates a new shop can create with one click, written to pass
// Meta's category rules: order updates carry no promotion (UTILITY); the cart
// reminder is MARKETING, as Meta's own guide classifies it. Each exists in
// en_US, es and pt_BR. Parameters are positional; `parameters` names the order
// or checkout field each one takes by default, so automations can map them.

export type TemplateLanguage = "en_US" | "es" | "pt_BR";

export interface LibraryTemplate {
  name: string;
  category: "UTILITY" | "MARKETING";
  parameters: string[];
  bodies: Record<TemplateLanguage, string>;
  examples: string[];
  /** Quick-reply buttons, per language (cash-on-delivery confirmation). */
  quickReplies?: Record<TemplateLanguage, string[]>;
}

export const TEMPLATE_LIBRARY: LibraryTemplate[] = [
  {
    name: "order_confirmation",
    category: "UTILITY",
    parameters: ["customer_first_name", "order_name", "order_total"],
    bodies: {
      en_US: "Hi {{1}}, we received your order {{2}} for {{3}}. We will let you know when it ships.",
      es: "Hola {{1}}, recibimos tu pedido {{2}} por {{3}}. Te avisaremos cuando sea enviado.",
      pt_BR: "Olá {{1}}, recebemos seu pedido {{2}} no valor de {{3}}. Avisaremos quando for enviado.",
    },
    examples: ["Ana", "#1001", "R$ 149,90"],
  },
  {
    name: "payment_received",
    category: "UTILITY",
    parameters: ["customer_first_name", "order_name", "order_total"],
    bodies: {
      en_US: "Hi {{1}}, we received the payment for order {{2}} ({{3}}). We are preparing it now.",
      es: "Hola {{1}}, recibimos el pago del pedido {{2}} ({{3}}). Ya lo estamos preparando.",
      pt_BR: "Olá {{1}}, recebemos o pagamento do pedido {{2}} ({{3}}). Já estamos preparando tudo.",
    },
    examples: ["Ana", "#1001", "R$ 149,90"],
  },
  {
    name: "shipping_update",
    category: "UTILITY",
    parameters: ["customer_first_name", "order_name", "tracking_url"],
    bodies: {
      en_US: "Hi {{1}}, your order {{2}} is on its way. Track it here: {{3}}",
      es: "Hola {{1}}, tu pedido {{2}} está en camino. Síguelo aquí: {{3}}",
      pt_BR: "Olá {{1}}, seu pedido {{2}} está a caminho. Acompanhe aqui: {{3}}",
    },
    examples: ["Ana", "#1001", "https://track.example.com/BR123"],
  },
  {
    name: "out_for_delivery",
    category: "UTILITY",
    parameters: ["customer_first_name", "order_name"],
    bodies: {
      en_US: "Hi {{1}}, your order {{2}} is out for delivery today.",
      es: "Hola {{1}}, tu pedido {{2}} sale hoy para entrega.",
      pt_BR: "Olá {{1}}, seu pedido {{2}} saiu para entrega hoje.",
    },
    examples: ["Ana", "#1001"],
  },
  {
    name: "order_delivered",
    category: "UTILITY",
    parameters: ["customer_first_name", "order_name"],
    bodies: {
      en_US: "Hi {{1}}, your order {{2}} was delivered. Reply here if anything is wrong.",
      es: "Hola {{1}}, tu pedido {{2}} fue entregado. Responde aquí si algo no está bien.",
      pt_BR: "Olá {{1}}, seu pedido {{2}} foi entregue. Responda aqui se algo estiver errado.",
    },
    examples: ["Ana", "#1001"],
  },
  {
    name: "order_cancelled",
    category: "UTILITY",
    parameters: ["customer_first_name", "order_name"],
    bodies: {
      en_US: "Hi {{1}}, your order {{2}} was cancelled. If you paid, the refund is on its way.",
      es: "Hola {{1}}, tu pedido {{2}} fue cancelado. Si pagaste, el reembolso está en camino.",
      pt_BR: "Olá {{1}}, seu pedido {{2}} foi cancelado. Se você pagou, o reembolso está a caminho.",
    },
    examples: ["Ana", "#1001"],
  },
  {
    name: "cod_confirmation",
    category: "UTILITY",
    parameters: ["customer_first_name", "order_name", "order_total"],
    bodies: {
      en_US: "Hi {{1}}, please confirm your cash-on-delivery order {{2}} for {{3}}.",
      es: "Hola {{1}}, confirma tu pedido {{2}} con pago contra entrega por {{3}}.",
      pt_BR: "Olá {{1}}, confirme seu pedido {{2}} com pagamento na entrega de {{3}}.",
    },
    examples: ["Ana", "#1001", "R$ 149,90"],
    quickReplies: {
      en_US: ["Confirm order", "Cancel order"],
      es: ["Confirmar pedido", "Cancelar pedido"],
      pt_BR: ["Confirmar pedido", "Cancelar pedido"],
    },
  },
  {
    name: "abandoned_cart",
    category: "MARKETING",
    parameters: ["customer_first_name", "items", "checkout_url"],
    bodies: {
      en_US: "Hi {{1}}, you left {{2}} in your cart. Finish your order here: {{3}}",
      es: "Hola {{1}}, dejaste {{2}} en tu carrito. Termina tu compra aquí: {{3}}",
      pt_BR: "Olá {{1}}, você deixou {{2}} no carrinho. Finalize sua compra aqui: {{3}}",
    },
    examples: ["Ana", "2 camisetas", "https://shop.example.com/checkouts/abc"],
  },
];

/** The Graph API creation payloads for one library template, one per language. */
export function creationRequests(template: LibraryTemplate) {
  return (Object.keys(template.bodies) as TemplateLanguage[]).map((language) => ({
    name: template.name,
    language,
    category: template.category,
    parameter_format: "POSITIONAL",
    components: [
      { type: "BODY", text: template.bodies[language], example: { body_text: [template.examples] } },
      ...(template.quickReplies ? [{ type: "BUTTONS", buttons: template.quickReplies[language].map((text) => ({ type: "QUICK_REPLY", text })) }] : []),
    ],
  }));
}
