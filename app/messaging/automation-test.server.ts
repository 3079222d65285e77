// "Send me a test" for an automation: its template, with the shop's latest
// real order's values (or the template library's examples when the shop has
// none), to the merchant's own number.
import type { CountryCode } from "libphonenumber-js";
import { z } from "zod";

import { languageFor, templateFor } from "./automations.server";
import { normalisePhone } from "./contacts.server";
import { storedOrderFields } from "../shopify/orders.server";
import type { Staff } from "../shopify/staff.server";
import { TEMPLATE_LIBRARY } from "../whatsapp/template-library";
import { sendTemplateTest } from "./test-sends.server";
import type { AppDeps } from "../core/deps";

export type AutomationTestRefusal = { ok: false; field: string; code: string };

const testSchema = z.object({ phone: z.string().trim().min(1).max(40), requestId: z.string().regex(/^[\w-]{8,64}$/) });

/** The automation's template with those values, as a test (test-sends.server.ts). */
export async function sendAutomationTest(
  deps: AppDeps,
  shopId: string,
  automationId: unknown,
  staff: Staff,
  input: { phone: unknown; requestId: unknown },
): Promise<{ ok: true; status: string } | AutomationTestRefusal> {
  const { db } = deps;
  const id = z.string().min(1).max(64).safeParse(automationId);
  if (!id.success) return { ok: false, field: "automation", code: "notFound" };
  const [automation, shop] = await Promise.all([db.automation.findFirst({ where: { id: id.data, shopId } }), db.shop.findUniqueOrThrow({ where: { id: shopId } })]);
  if (!automation) return { ok: false, field: "automation", code: "notFound" };
  const form = testSchema.safeParse(input);
  if (!form.success) return { ok: false, field: String(form.error.issues[0]!.path[0]), code: "invalid" };
  const phone = normalisePhone(form.data.phone, (shop.country ?? undefined) as CountryCode | undefined);
  if (!phone) return { ok: false, field: "phone", code: "invalid" };
  const mapping = z.array(z.string()).safeParse(automation.variableMapping);
  if (!mapping.success) return { ok: false, field: "mapping", code: "invalid" };
  const order = await db.order.findFirst({ where: { shopId }, orderBy: { createdAt: "desc" } });
  const fields: Record<string, string> = order ? { store_name: shop.name ?? shop.domain, ...storedOrderFields(order, shop.locale) } : {};
  const examples = TEMPLATE_LIBRARY.find((t) => t.name === automation.templateName)?.examples ?? [];
  const values = mapping.data.map((field, i) => fields[field]?.trim() || examples[i] || "");
  const empty = values.findIndex((value) => !value);
  if (empty >= 0) return { ok: false, field: `mapping.${empty + 1}`, code: "empty" };
  const { template } = await templateFor(db, shopId, automation.templateName, languageFor(order?.locale, shop.locale));
  if (!template) return { ok: false, field: "templateName", code: "unavailable" };
  return sendTemplateTest(deps, { shopId, staff, template, params: { body: values }, phone, idempotencyKey: `AUTOMATION_TEST:${form.data.requestId}` });
}
