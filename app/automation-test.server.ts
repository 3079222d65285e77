// "Send me a test" for an automation: its template, with the shop's latest
// real order's values (or the template library's examples when the shop has
// none), to the merchant's own number.
import type { CountryCode } from "libphonenumber-js";
import { z } from "zod";

import { languageFor, templateFor } from "./automations.server";
import { normalisePhone } from "./contacts.server";
import { insertOnce } from "./db-errors.server";
import { claimNow, type DispatchDeps, sendClaimed } from "./dispatch.server";
import { STATUS_RANK } from "./domain";
import { storedOrderFields } from "./orders.server";
import { processLimiter } from "./send-pacing.server";
import type { Staff } from "./staff.server";
import { TEMPLATE_LIBRARY } from "./template-library";

export type AutomationTestRefusal = { ok: false; field: string; code: string };

const testSchema = z.object({ phone: z.string().trim().min(1).max(40), requestId: z.string().regex(/^[\w-]{8,64}$/) });

/**
 * A staff message row first (keyed by the form's one-time request id, so a
 * double click sends once), in no customer's conversation; then sent now.
 */
export async function sendAutomationTest(
  deps: DispatchDeps,
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
  // A marketing test goes to the merchant's own number: never to a customer who stopped the store's marketing.
  const customer = template.category === "MARKETING" ? await db.contact.findFirst({ where: { shopId, phoneE164: phone.e164 }, select: { marketingOptedOutAt: true } }) : null;
  if (customer?.marketingOptedOutAt) return { ok: false, field: "phone", code: "optedOut" };
  const idempotencyKey = `AUTOMATION_TEST:${form.data.requestId}`;
  const row = await insertOnce(() =>
    db.message.create({
      data: {
        shopId,
        direction: "OUT",
        source: "STAFF",
        type: "template",
        templateId: template.id,
        templateName: template.name,
        templateLanguage: template.language,
        params: { body: values },
        recipientPhone: phone.e164,
        market: phone.market,
        staffUserId: staff.id,
        staffName: staff.name,
        idempotencyKey,
        status: "QUEUED",
        statusRank: STATUS_RANK.QUEUED,
      },
    }),
  );
  // A replayed request id answers with the first send's outcome, for this shop only.
  const message = row ?? (await db.message.findFirst({ where: { shopId, idempotencyKey } }));
  if (!message) return { ok: false, field: "requestId", code: "invalid" };
  const claimed = await claimNow(db, message.id, deps.config.DISPATCH_LOCK_MS);
  if (claimed) await sendClaimed(deps, processLimiter, claimed);
  const after = await db.message.findUniqueOrThrow({ where: { id: message.id }, select: { status: true } });
  return after.status === "FAILED" ? { ok: false, field: "phone", code: "refused" } : { ok: true, status: after.status };
}
