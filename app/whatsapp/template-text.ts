// Reading a template's text, shared by the server and the automations page's
// live preview (browser-safe: no server imports).
import { z } from "zod";

const TEMPLATE_PLACEHOLDER = /\{\{\s*(\d+)\s*\}\}/g;

/** The body text of a template's components, as stored from Meta. */
export function templateBody(components: unknown): string {
  const list = z
    .array(z.object({ type: z.string(), text: z.string().optional() }).passthrough())
    .catch([])
    .parse(components);
  return list.find((c) => c.type.toUpperCase() === "BODY")?.text ?? "";
}

/** How many positional parameters a body takes. */
export function parameterCount(body: string): number {
  return Math.max(0, ...[...body.matchAll(TEMPLATE_PLACEHOLDER)].map((m) => Number(m[1])));
}

/** The message a customer would read: each {{n}} replaced by its mapped field, or [field] when empty. */
export function renderPreview(body: string, mapping: string[], fields: Record<string, string>): string {
  return body.replace(TEMPLATE_PLACEHOLDER, (_, n: string) => {
    const field = mapping[Number(n) - 1];
    return (field && fields[field]?.trim()) || `[${field ?? `{{${n}}}`}]`;
  });
}

/** A template's text as the customer received it: {{n}} replaced by the n-th value sent. */
export function fillTemplate(body: string, values: string[]): string {
  return body.replace(TEMPLATE_PLACEHOLDER, (whole, n: string) => values[Number(n) - 1] ?? whole);
}

const sentParamsSchema = z.object({ body: z.array(z.string()).default([]) }).catch({ body: [] });

/** What a sent template message said: its template's body filled with the body values stored with the message. */
export function sentTemplateText(components: unknown, params: unknown): string {
  return fillTemplate(templateBody(components), sentParamsSchema.parse(params ?? {}).body);
}

const buttonsSchema = z.array(z.object({ type: z.string(), buttons: z.array(z.object({ type: z.string(), url: z.string().optional() }).passthrough()).optional() }).passthrough()).catch([]);
const LINK_VARIABLE = /\{\{\s*1\s*\}\}$/;

/** A template's URL buttons whose link ends in a variable (Meta allows one per link, at its end): each one's index among the buttons and its URL. */
export function dynamicLinks(components: unknown): { index: number; url: string }[] {
  const buttons = buttonsSchema.parse(components).find((c) => c.type.toUpperCase() === "BUTTONS")?.buttons ?? [];
  return buttons.flatMap((b, index) => (b.type.toUpperCase() === "URL" && b.url && LINK_VARIABLE.test(b.url) ? [{ index, url: b.url }] : []));
}

/** The link a customer opens: the button's URL with its variable filled. */
export function filledLink(url: string, value: string): string {
  return url.replace(LINK_VARIABLE, value);
}
