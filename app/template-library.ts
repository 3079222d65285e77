// Built-in templates a new shop can create with one click, written to pass
// Meta's category rules: order updates carry no promotion (UTILITY). Each
// exists in en_US, es and pt_BR; positional parameters are documented in
// `parameters` so automations can map order fields onto them.

export interface LibraryTemplate {
  name: string;
  category: "UTILITY" | "MARKETING";
  parameters: string[];
  bodies: Record<"en_US" | "es" | "pt_BR", string>;
  examples: string[];
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
];

/** The Graph API creation payloads for one library template, one per language. */
export function creationRequests(template: LibraryTemplate) {
  return Object.entries(template.bodies).map(([language, text]) => ({
    name: template.name,
    language,
    category: template.category,
    parameter_format: "POSITIONAL",
    components: [{ type: "BODY", text, example: { body_text: [template.examples] } }],
  }));
}
