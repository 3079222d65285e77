// The automations page's one Save: the automations it changed, the
// cash-on-delivery settings and the marketing-consent switch, in one JSON
// field. Every part is checked before anything is written; a refusal names the
// field, keyed by the automation's trigger (or COD_SETTINGS), and saves nothing.
import { z } from "zod";

import { AUTOMATION_DEFAULTS, automationFormSchema, type AutomationForm, saveAutomations } from "./automations.server";
import { codSettingsSchema, saveCodSettings } from "./cod.server";
import { saveConsentSettings } from "./consent.server";
import type { Db } from "../core/db.server";
import type { AutomationTrigger } from "../core/domain";

/** A field's refusal: a catalogue key and its parameters, worded by the page. */
export type FieldError = { key: string; params: Record<string, string> };
export type PageSaveResult = { saved: true } | { saved: false; errors: Record<string, Record<string, FieldError>> };

const triggers = AUTOMATION_DEFAULTS.map((d) => d.trigger) as [AutomationTrigger, ...AutomationTrigger[]];

const pageSchema = z.object({
  automations: z.record(z.enum(triggers), z.record(z.unknown())).default({}),
  cod: z.record(z.unknown()).optional(),
  smsConsentCounts: z.boolean().optional(),
});

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

export async function saveAutomationsPage(db: Db, shopId: string, body: FormDataEntryValue | null): Promise<PageSaveResult> {
  const page = pageSchema.safeParse(parseJson(String(body ?? "")));
  if (!page.success) return { saved: false, errors: { PAGE: { changes: { key: "actionError.reload", params: {} } } } };
  const errors: Record<string, Record<string, FieldError>> = {};
  const forms: AutomationForm[] = [];
  for (const [trigger, fields] of Object.entries(page.data.automations)) {
    const parsed = automationFormSchema.safeParse({ ...fields, trigger });
    if (parsed.success) forms.push(parsed.data);
    else errors[trigger] = Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), { key: `automationError.${i.message}`, params: {} }]));
  }
  const cod = page.data.cod ? codSettingsSchema.safeParse(page.data.cod) : null;
  if (cod && !cod.success) errors.COD_SETTINGS = { [String(cod.error.issues[0]?.path[0] ?? "reminderHours")]: { key: "cod.settings.hoursError", params: {} } };
  if (Object.keys(errors).length) return { saved: false, errors };
  const smsConsentCounts = page.data.smsConsentCounts;
  const saved = await saveAutomations(db, shopId, forms, async (tx) => {
    if (cod?.success) await saveCodSettings(tx, shopId, cod.data);
    if (smsConsentCounts !== undefined) await saveConsentSettings(tx, shopId, { smsConsentCounts });
  });
  if (!saved.ok) {
    return { saved: false, errors: Object.fromEntries(saved.refusals.map((r) => [r.trigger, { [r.field]: { key: `automationError.${r.code}`, params: r.params } }])) };
  }
  return { saved: true };
}
