// Automations: which template goes out on which Shopify event, in which
// language, with which order fields, after what delay. Triggering one writes a
// message row (queued, scheduled, or skipped with the reason); the dispatcher
// sends it. The row's idempotency key is the trigger and its subject, so a
// webhook Shopify repeats lands on the same row.
import { z } from "zod";

import { consentFor } from "./consent.server";
import type { Db, Tx } from "../core/db.server";
import { insertOnce } from "../core/db-errors.server";
import { type AutomationTrigger, cancelled, MAPPABLE_FIELDS, STATUS_RANK } from "../core/domain";
import type { Contact, Shop } from "../generated/prisma/client";
import { TEMPLATE_LIBRARY } from "../whatsapp/template-library";
import { touchConversation } from "./conversations.server";
import { parameterCount, templateBody } from "../whatsapp/template-text";
import { reason } from "../core/reasons";

export interface AutomationDefault {
  trigger: AutomationTrigger;
  templateName: string;
  delayMinutes: number;
  quietHours?: { start: string; end: string };
}

/** What a new shop starts with: everything mapped, nothing switched on. */
export const AUTOMATION_DEFAULTS: AutomationDefault[] = [
  { trigger: "ORDER_CREATED", templateName: "order_confirmation", delayMinutes: 0 },
  // Cash on delivery: asks the customer to confirm, instead of the plain confirmation (cod.server.ts).
  { trigger: "COD_CONFIRMATION", templateName: "cod_confirmation", delayMinutes: 0 },
  { trigger: "ORDER_PAID", templateName: "payment_received", delayMinutes: 0 },
  { trigger: "FULFILLMENT_CREATED", templateName: "shipping_update", delayMinutes: 0 },
  { trigger: "OUT_FOR_DELIVERY", templateName: "out_for_delivery", delayMinutes: 0 },
  { trigger: "DELIVERED", templateName: "order_delivered", delayMinutes: 0 },
  { trigger: "ORDER_CANCELLED", templateName: "order_cancelled", delayMinutes: 0 },
  { trigger: "CHECKOUT_ABANDONED", templateName: "abandoned_cart", delayMinutes: 60, quietHours: { start: "21:00", end: "09:00" } },
];

const mappingSchema = z.array(z.string()).catch([]);

/** The default mapping of a library template: parameter n takes the field the library names. */
export function defaultMapping(templateName: string): string[] {
  return TEMPLATE_LIBRARY.find((t) => t.name === templateName)?.parameters ?? [];
}

export async function ensureDefaultAutomations(db: Db, shopId: string) {
  for (const d of AUTOMATION_DEFAULTS) {
    await insertOnce(() =>
      db.automation.create({
        data: {
          shopId,
          trigger: d.trigger,
          templateName: d.templateName,
          delayMinutes: d.delayMinutes,
          variableMapping: defaultMapping(d.templateName),
          quietHours: d.quietHours ?? undefined,
          enabled: false,
        },
      }),
    );
  }
}

/** The shop's automations in the library's order (order confirmation first): created together, their creation times can tie. */
export async function shopAutomations(db: Db, shopId: string) {
  const rank = (trigger: string) => AUTOMATION_DEFAULTS.findIndex((d) => d.trigger === trigger);
  const automations = await db.automation.findMany({ where: { shopId } });
  return automations.sort((a, b) => rank(a.trigger) - rank(b.trigger));
}

/** The template language for a customer: their locale, else the shop's, else English. */
export function languageFor(customerLocale: string | null | undefined, shopLocale: string | null | undefined): string {
  const pick = (tag: string | null | undefined) => {
    const lower = tag?.toLowerCase() ?? "";
    if (lower.startsWith("pt")) return "pt_BR";
    if (lower.startsWith("es")) return "es";
    if (lower.startsWith("en")) return "en_US";
    return null;
  };
  return pick(customerLocale) ?? pick(shopLocale) ?? "en_US";
}

/** Template statuses Meta still sends: approved, and flagged (low quality, not yet paused). */
const SENDABLE = new Set(["APPROVED", "FLAGGED"]);
/** Statuses Meta gave a language that was sending: its sends stop. A language still in review falls back like a missing one. */
const HELD = new Set(["PAUSED", "DISABLED", "REJECTED"]);

/** Why a template's sends stop (Meta paused, rejected or disabled that language) as a stored reason, or null. */
export function templateHeld(template: { name: string; language: string; status: string }): string | null {
  return HELD.has(template.status) ? reason("TEMPLATE_HELD", { template: template.name, language: template.language, status: template.status }) : null;
}

/**
 * The approved template in the wanted language, else in the same base language,
 * else any approved one (approved or flagged: still sendable); a wanted language
 * Meta would refuse now (in review, being deleted) counts as missing. A wanted
 * language that Meta paused, rejected or disabled is not replaced by another:
 * sends in that language stop (`held` says why) while the other languages go on.
 */
export async function templateFor(db: Tx, shopId: string, name: string, language: string) {
  const all = await db.template.findMany({ where: { shopId, name } });
  const wanted = all.find((t) => sameLanguage(t.language, language));
  const held = wanted ? templateHeld(wanted) : null;
  if (held) return { template: null, held };
  const approved = all.filter((t) => SENDABLE.has(t.status));
  const template = (wanted && SENDABLE.has(wanted.status) ? wanted : null) ?? approved.find((t) => t.language.startsWith(language.slice(0, 2))) ?? approved[0] ?? null;
  return { template, held: null };
}

/** Meta writes template languages as en_US in its API and sometimes en-US in webhooks. */
export function sameLanguage(a: string, b: string): boolean {
  return a.replace("-", "_").toLowerCase() === b.replace("-", "_").toLowerCase();
}

/** Values for the template's parameters, in order; names the first empty one. */
export function resolveParameters(mapping: string[], fields: Record<string, string>): { ok: true; values: string[] } | { ok: false; reason: string } {
  const values: string[] = [];
  for (const [index, field] of mapping.entries()) {
    const value = fields[field]?.trim();
    if (!value) return { ok: false, reason: reason("EMPTY_VARIABLE", { n: index + 1, field }) };
    values.push(value);
  }
  return { ok: true, values };
}

/** Minutes since midnight of `at` in `timeZone`. */
function localMinutes(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get("hour") * 60 + get("minute");
}

const quietSchema = z
  .object({ start: z.string().regex(/^\d{2}:\d{2}$/), end: z.string().regex(/^\d{2}:\d{2}$/) })
  .nullable()
  .catch(null);

/** Moves a send out of the shop's quiet hours (evaluated in the shop's timezone, DST-safe). */
export function outsideQuietHours(at: Date, timeZone: string, quiet: unknown): Date {
  const window = quietSchema.parse(quiet ?? null);
  if (!window) return at;
  const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3));
  const [start, end] = [toMinutes(window.start), toMinutes(window.end)];
  const inside = (d: Date) => {
    const m = localMinutes(d, timeZone);
    return start <= end ? m >= start && m < end : m >= start || m < end;
  };
  let candidate = new Date(at);
  for (let i = 0; i < 24 * 4 && inside(candidate); i++) candidate = new Date(candidate.getTime() + 15 * 60 * 1000);
  return candidate;
}

export interface TriggerInput {
  shop: Shop;
  trigger: AutomationTrigger;
  /** What the message is about, unique per trigger (order id, fulfillment id, checkout id). */
  subject: string;
  contact: Contact | null;
  orderId?: string;
  checkoutId?: string;
  customerLocale?: string | null;
  fields: Record<string, string>;
  /** When the event happened; the delay counts from here. */
  at?: Date;
  /** Cart reminders: a later update moves a reminder that has not gone out yet. */
  reschedule?: boolean;
  /** Cart reminders: the optional second one, after its own delay. */
  secondReminder?: boolean;
  /** Quick-reply payloads, by button index (WhatsApp sends the tapped one back). */
  buttons?: string[];
  /** Sets the idempotency key's suffix for a second message on the same subject (a reminder). */
  repeat?: string;
}

export type TriggerOutcome = "off" | "queued" | "scheduled" | "rescheduled" | "skipped" | "duplicate";

export async function triggerAutomation(db: Db, input: TriggerInput): Promise<TriggerOutcome> {
  const { shop } = input;
  const automation = await db.automation.findUnique({ where: { shopId_trigger: { shopId: shop.id, trigger: input.trigger } } });
  if (!automation?.enabled) return "off";
  const delayMinutes = input.secondReminder ? automation.secondReminderDelayMinutes : automation.delayMinutes;
  if (delayMinutes === null) return "off";
  const idempotencyKey = `${input.trigger}:${input.subject}${input.secondReminder ? ":second" : ""}${input.repeat ? `:${input.repeat}` : ""}`;
  const base = {
    shopId: shop.id,
    direction: "OUT",
    source: "AUTOMATION",
    type: "template",
    automationId: automation.id,
    contactId: input.contact?.id ?? null,
    orderId: input.orderId ?? null,
    checkoutId: input.checkoutId ?? null,
    templateName: automation.templateName,
    recipientPhone: input.contact?.phoneE164 ?? null,
    market: input.contact?.market ?? null,
    idempotencyKey,
  };
  const skip = async (why: string): Promise<TriggerOutcome> => {
    const row = await insertOnce(() => db.message.create({ data: { ...base, status: "SKIPPED", statusRank: STATUS_RANK.SKIPPED, skipReason: why } }));
    return row ? "skipped" : "duplicate";
  };

  if (automation.pausedReason) return skip(reason("AUTOMATION_PAUSED", { cause: automation.pausedReason }));
  if (!input.contact?.phoneE164) return skip(reason("NO_PHONE"));
  const language = languageFor(input.customerLocale ?? input.contact.locale, shop.locale);
  const { template, held } = await templateFor(db, shop.id, automation.templateName, language);
  if (held) return skip(held);
  if (!template) return skip(reason("TEMPLATE_NOT_APPROVED", { template: automation.templateName }));
  const consent = consentFor(template.category, shop, input.contact);
  if (!consent.allowed) return skip(consent.reason);
  const parameters = resolveParameters(mappingSchema.parse(automation.variableMapping), { store_name: shop.name ?? shop.domain, ...input.fields });
  if (!parameters.ok) return skip(parameters.reason);

  let scheduledFor = new Date((input.at ?? new Date()).getTime() + delayMinutes * 60 * 1000);
  if (template.category === "MARKETING") scheduledFor = outsideQuietHours(scheduledFor, shop.timezone, automation.quietHours);
  const later = scheduledFor.getTime() > Date.now();
  const data = {
    ...base,
    templateId: template.id,
    templateLanguage: template.language,
    params: { body: parameters.values, ...(input.buttons ? { buttons: input.buttons } : {}) },
    status: later ? "SCHEDULED" : "QUEUED",
    statusRank: later ? STATUS_RANK.SCHEDULED : STATUS_RANK.QUEUED,
    scheduledFor,
  };
  const created = await insertOnce(() => db.message.create({ data }));
  if (created) {
    await touchConversation(db, created);
    return later ? "scheduled" : "queued";
  }
  // A message skipped because its data was missing then (a shipment marked fulfilled before its tracking number) is
  // sent once a later event brings the data: the skipped row never went out, and only one event can take it over.
  const completed = await db.message.updateMany({
    where: { shopId: shop.id, idempotencyKey, status: "SKIPPED", skipReason: { startsWith: "EMPTY_VARIABLE" } },
    data: { ...base, ...data, skipReason: null },
  });
  if (completed.count > 0) {
    const row = await db.message.findUnique({ where: { shopId_idempotencyKey: { shopId: shop.id, idempotencyKey } } });
    if (row) await touchConversation(db, row);
    return later ? "scheduled" : "queued";
  }
  if (input.reschedule) {
    const moved = await db.message.updateMany({
      where: { shopId: shop.id, idempotencyKey, status: "SCHEDULED" },
      data: { scheduledFor, params: data.params, templateId: template.id, templateLanguage: template.language },
    });
    if (moved.count > 0) return "rescheduled";
  }
  return "duplicate";
}

/** The checkout became an order (or completed): its cart reminders must not go out. */
export async function cancelCartReminders(db: Db, shopId: string, checkoutId: string) {
  await db.message.updateMany({
    where: { shopId, checkoutId, status: { in: ["SCHEDULED", "QUEUED"] } },
    data: cancelled(reason("CHECKOUT_COMPLETED")),
  });
}

// Its messages are codes the automations page words (`automationError.<code>`).
export const automationFormSchema = z
  .object({
    trigger: z.enum(AUTOMATION_DEFAULTS.map((d) => d.trigger) as [AutomationTrigger, ...AutomationTrigger[]]),
    enabled: z.enum(["on", "off"]).transform((v) => v === "on"),
    templateName: z.string().regex(/^[a-z0-9_]{1,512}$/, "template"),
    mapping: z.array(z.enum(MAPPABLE_FIELDS, { errorMap: () => ({ message: "mapping" }) })),
    delayMinutes: z.coerce
      .number({ invalid_type_error: "delay" })
      .int("wholeMinutes")
      .min(0, "delayNegative")
      .max(7 * 24 * 60, "delayMax"),
    secondReminderDelayMinutes: z
      .union(
        [
          z.literal("").transform(() => null),
          z.coerce
            .number({ invalid_type_error: "secondDelay" })
            .int("wholeMinutes")
            .min(1, "secondMin")
            .max(14 * 24 * 60, "secondMax"),
        ],
        {
          // Neither empty nor valid minutes: say what is wrong with the minutes, not zod's "Invalid input".
          errorMap: (issue) => ({ message: (issue.code === "invalid_union" ? issue.unionErrors[1]?.issues[0]?.message : undefined) ?? "secondDelay" }),
        },
      )
      .nullish()
      .transform((v) => v ?? null),
  })
  .refine((form) => form.secondReminderDelayMinutes === null || form.secondReminderDelayMinutes > form.delayMinutes, {
    message: "secondAfterFirst",
    path: ["secondReminderDelayMinutes"],
  });

export type AutomationForm = z.infer<typeof automationFormSchema>;

export interface AutomationRefusal {
  trigger: AutomationTrigger;
  field: string;
  /** Worded by the page (`automationError.<code>`). */
  code: string;
  params: Record<string, string>;
}

/**
 * Saves the automations changed on the automations page, all or none: each
 * names a template the shop has, with as many variables mapped as it takes. A
 * change clears a pause the merchant has acted on.
 */
/** Saves every form or none; `alsoWrite` joins the same transaction (the page's other settings), so one save never half-applies. */
export async function saveAutomations(
  db: Db,
  shopId: string,
  forms: AutomationForm[],
  alsoWrite: (tx: Tx) => Promise<void> = async () => undefined,
): Promise<{ ok: true } | { ok: false; refusals: AutomationRefusal[] }> {
  const checked = await Promise.all(forms.map(async (form) => ({ form, template: await db.template.findFirst({ where: { shopId, name: form.templateName } }) })));
  const refusals: AutomationRefusal[] = [];
  const ready: { form: AutomationForm; templateId: string }[] = [];
  for (const { form, template } of checked) {
    const needed = template ? parameterCount(templateBody(template.components)) : 0;
    if (!template) refusals.push({ trigger: form.trigger, field: "templateName", code: "templateMissing", params: { template: form.templateName } });
    else if (form.mapping.length !== needed) {
      refusals.push({ trigger: form.trigger, field: "mapping", code: "mappingCount", params: { template: form.templateName, needed: String(needed), given: String(form.mapping.length) } });
    } else ready.push({ form, templateId: template.id });
  }
  if (refusals.length) return { ok: false, refusals };
  await db.$transaction(async (tx) => {
    for (const { form, templateId } of ready) {
      await tx.automation.update({
        where: { shopId_trigger: { shopId, trigger: form.trigger } },
        data: {
          enabled: form.enabled,
          templateName: form.templateName,
          templateId,
          variableMapping: form.mapping,
          delayMinutes: form.delayMinutes,
          secondReminderDelayMinutes: form.trigger === "CHECKOUT_ABANDONED" ? form.secondReminderDelayMinutes : null,
          pausedReason: null,
        },
      });
    }
    await alsoWrite(tx);
  });
  return { ok: true };
}
