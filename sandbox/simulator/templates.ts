// Template rules the simulator enforces the way Meta does: approved templates
// only, exact language, and the parameter count of every component; and the
// message_templates routes (create, list, delete) with the review that follows.
import { GraphApiError, type GraphRoute, type Json, type Reply, type Request, requireWaba, type SimContext } from "./graph";
import type { SimTemplate } from "./state";

function placeholders(text: unknown): string[] {
  if (typeof text !== "string") return [];
  return [...new Set([...text.matchAll(/\{\{\s*([a-z0-9_]+)\s*\}\}/g)].map((m) => m[1]!))];
}

/** Placeholders each component of a template expects, keyed "body", "header", "button:0". */
function expectedParameters(template: SimTemplate): Map<string, string[]> {
  const expected = new Map<string, string[]>();
  for (const component of template.components) {
    const type = String(component.type).toUpperCase();
    if (type === "BODY") expected.set("body", placeholders(component.text));
    if (type === "HEADER" && component.format === "TEXT") expected.set("header", placeholders(component.text));
    if (type === "BUTTONS" && Array.isArray(component.buttons)) {
      component.buttons.forEach((button: Record<string, unknown>, index: number) => {
        if (button.type === "URL") expected.set(`button:${index}`, placeholders(button.url));
      });
    }
  }
  return expected;
}

export interface SentComponent {
  type: string;
  sub_type?: string;
  index?: string | number;
  parameters?: { type: string; text?: string; parameter_name?: string; payload?: string }[];
}

/** Checks the parameters of a send against the template; returns the text values in order. */
export function checkParameters(template: SimTemplate, components: SentComponent[]): string[] {
  const expected = expectedParameters(template);
  const values: string[] = [];
  for (const [key, names] of expected) {
    const [type, index] = key.split(":");
    const sent = components.find((c) => c.type.toLowerCase() === type && (index === undefined || String(c.index) === index));
    const parameters = sent?.parameters ?? [];
    if (parameters.length !== names.length) {
      throw new GraphApiError(
        132000,
        "(#132000) Number of parameters does not match the expected number of params",
        `${key}: number of localizable_params (${parameters.length}) does not match the expected number of params (${names.length})`,
      );
    }
    if (template.parameterFormat === "NAMED") {
      const given = parameters.map((p) => p.parameter_name);
      const missing = names.filter((name) => !given.includes(name));
      if (missing.length > 0) {
        throw new GraphApiError(132012, "(#132012) Parameter format does not match format in the created template", `${key}: missing ${missing.join(", ")}`);
      }
    }
    for (const parameter of parameters) {
      if (parameter.type !== "text" || typeof parameter.text !== "string" || parameter.text.trim() === "") {
        throw new GraphApiError(131008, "(#131008) Required parameter is missing", `${key}: every parameter needs a non-empty text`);
      }
      values.push(parameter.text);
    }
  }
  return values;
}

/** The template's quick-reply buttons in order, with the payloads the send gave them (Meta sends the button text when none was given). */
export function quickReplies(template: SimTemplate, components: SentComponent[]): { text: string; payload: string }[] {
  const buttons = template.components.find((c) => String(c.type).toUpperCase() === "BUTTONS")?.buttons;
  if (!Array.isArray(buttons)) return [];
  return buttons.flatMap((button: Record<string, unknown>, index: number) => {
    if (button.type !== "QUICK_REPLY") return [];
    const sent = components.find((c) => c.type.toLowerCase() === "button" && c.sub_type === "quick_reply" && String(c.index) === String(index));
    const text = String(button.text ?? "");
    return [{ text, payload: sent?.parameters?.find((p) => p.type === "payload")?.payload ?? text }];
  });
}

const TEMPLATE_NAME = /^[a-z0-9_]{1,512}$/;

/** Validates a template creation the way Meta's API rejects malformed ones. */
function checkNewTemplate(input: { name?: unknown; language?: unknown; category?: unknown; components?: unknown }) {
  if (typeof input.name !== "string" || !TEMPLATE_NAME.test(input.name)) {
    throw new GraphApiError(100, "(#100) Invalid parameter", "name must be lowercase letters, digits and underscores");
  }
  if (typeof input.language !== "string" || !/^[a-z]{2,3}(_[A-Z]{2})?$/.test(input.language)) {
    throw new GraphApiError(100, "(#100) Invalid parameter", "language must be a locale code such as en_US or pt_BR");
  }
  if (!["MARKETING", "UTILITY", "AUTHENTICATION"].includes(String(input.category))) {
    throw new GraphApiError(100, "(#100) Invalid parameter", "category must be MARKETING, UTILITY or AUTHENTICATION");
  }
  const components = Array.isArray(input.components) ? input.components : [];
  if (!components.some((c: Record<string, unknown>) => String(c.type).toUpperCase() === "BODY" && typeof c.text === "string")) {
    throw new GraphApiError(100, "(#100) Invalid parameter", "components must include a BODY with text");
  }
}

/** The links the template's URL buttons open, each with the value the send gave its variable. */
export function urlLinks(template: SimTemplate, components: SentComponent[]): string[] {
  const buttons = template.components.find((c) => String(c.type).toUpperCase() === "BUTTONS")?.buttons;
  if (!Array.isArray(buttons)) return [];
  return buttons.flatMap((button: Record<string, unknown>, index: number) => {
    if (button.type !== "URL" || typeof button.url !== "string") return [];
    const sent = components.find((c) => c.type.toLowerCase() === "button" && c.sub_type === "url" && String(c.index) === String(index));
    return [button.url.replace(/\{\{\s*[a-z0-9_]+\s*\}\}/, sent?.parameters?.[0]?.text ?? "")];
  });
}

function templateJson(t: SimTemplate) {
  return { id: t.id, name: t.name, language: t.language, status: t.status, category: t.category, parameter_format: t.parameterFormat, components: t.components };
}

/** Sets a template's status and tells the app, as Meta's review does. */
/** Meta changes a template's status and says so by webhook (unless `webhook` is false: a delivery lost). */
export function setTemplateStatus(ctx: SimContext, wabaId: string, template: SimTemplate, status: string, reason = "NONE", webhook = true) {
  template.status = status;
  if (!webhook) return;
  ctx.webhooks.send(wabaId, "message_template_status_update", {
    event: status,
    message_template_id: Number(template.id),
    message_template_name: template.name,
    message_template_language: template.language,
    message_template_category: template.category,
    reason,
  });
}

function createTemplate(ctx: SimContext, req: Request, wabaId: string): Reply {
  const waba = requireWaba(ctx.world, req, wabaId);
  checkNewTemplate(req.body);
  const { name, language, category, components } = req.body as { name: string; language: string; category: SimTemplate["category"]; components: Json[] };
  if (waba.templates.some((t) => t.name === name && t.language === language)) {
    throw new GraphApiError(100, "(#100) Invalid parameter", `Content in this language already exists for template ${name}`);
  }
  const template: SimTemplate = {
    id: String(1_000_000_000_000 + waba.templates.length + 1),
    name,
    language,
    category,
    status: "PENDING",
    parameterFormat: req.body.parameter_format === "NAMED" ? "NAMED" : "POSITIONAL",
    components,
  };
  waba.templates.push(template);
  setTimeout(() => setTemplateStatus(ctx, waba.id, template, "APPROVED"), ctx.settings.templateReviewMs);
  return { body: { id: template.id, status: template.status, category: template.category } };
}

export const templateRoutes: GraphRoute[] = [
  {
    method: "GET",
    pattern: /^(\d+)\/message_templates$/,
    handler: (ctx, req, m) => {
      const waba = requireWaba(ctx.world, req, m[1]!);
      const limit = Math.min(Number(req.query.get("limit") ?? 25), 100);
      const offset = Number(req.query.get("after") ?? 0);
      const filtered = waba.templates.filter((t) => (!req.query.get("status") || t.status === req.query.get("status")) && (!req.query.get("name") || t.name === req.query.get("name")));
      const page = filtered.slice(offset, offset + limit);
      const more = offset + limit < filtered.length;
      return { body: { data: page.map(templateJson), paging: { cursors: { before: String(offset), after: String(offset + limit) }, ...(more ? { next: "more" } : {}) } } };
    },
  },
  { method: "POST", pattern: /^(\d+)\/message_templates$/, handler: (ctx, req, m) => createTemplate(ctx, req, m[1]!) },
  {
    method: "DELETE",
    pattern: /^(\d+)\/message_templates$/,
    handler: (ctx, req, m) => {
      const waba = requireWaba(ctx.world, req, m[1]!);
      const name = req.query.get("name");
      waba.templates = waba.templates.filter((t) => t.name !== name || (req.query.get("hsm_id") && t.id !== req.query.get("hsm_id")));
      return { body: { success: true } };
    },
  },
];
