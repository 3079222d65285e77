// A campaign's message (issue 15): an approved MARKETING template, its body
// variables mapped to CAMPAIGN_FIELDS, its link button (if its URL ends in a
// variable) tagged with the campaign's utm_campaign, a preview with a real
// recipient's values in their language, and a test send to the merchant's own
// number.
import { TZDate } from "@date-fns/tz";
import type { CountryCode } from "libphonenumber-js";
import { z } from "zod";

import { languageFor, templateFor } from "../messaging/automations.server";
import { normalisePhone } from "../messaging/contacts.server";
import type { Db } from "../core/db.server";
import type { Campaign, Shop } from "../generated/prisma/client";
import { startOfDay } from "../pricing/time";
import type { Staff } from "../shopify/staff.server";
import { dynamicLinks, parameterCount, templateBody } from "../whatsapp/template-text";
import { sendTemplateTest } from "../messaging/test-sends.server";
import type { ScheduleInput } from "./sending.server";
import { CAMPAIGN_FIELDS, type CampaignField, campaignFields, campaignLinks, campaignMappingSchema } from "./template-params";
import { utmCampaignSchema } from "./utm";
import type { AppDeps } from "../core/deps";

export type MessageRefusal = { ok: false; field: string; code: string };

/**
 * The shop's approved marketing templates by name: how many body variables
 * each takes (the most any language has), and whether one has a link whose
 * end the campaign fills (with its UTM tags).
 */
export async function campaignTemplates(db: Db, shopId: string): Promise<{ name: string; parameters: number; link: boolean }[]> {
  const rows = await db.template.findMany({ where: { shopId, category: "MARKETING", status: "APPROVED" }, orderBy: { name: "asc" }, select: { name: true, components: true } });
  const byName = new Map<string, { name: string; parameters: number; link: boolean }>();
  for (const row of rows) {
    const seen = byName.get(row.name);
    byName.set(row.name, {
      name: row.name,
      parameters: Math.max(seen?.parameters ?? 0, parameterCount(templateBody(row.components))),
      link: Boolean(seen?.link || dynamicLinks(row.components).length),
    });
  }
  return [...byName.values()];
}

const messageFormSchema = z.object({ templateName: z.string().trim().min(1).max(512), mapping: z.array(z.string()).max(10), utmCampaign: z.string().max(200).optional() });

/**
 * Saves the template and its variables while the campaign is a draft: one
 * known field per body variable of the template, no more, no fewer; and, for
 * a template with a link, the utm_campaign its link carries.
 */
export async function saveCampaignMessage(
  db: Db,
  shopId: string,
  campaignId: string,
  input: { templateName: unknown; mapping: unknown; utmCampaign?: unknown },
): Promise<{ ok: true } | MessageRefusal> {
  const campaign = await db.campaign.findFirst({ where: { id: campaignId, shopId }, select: { status: true } });
  if (!campaign) return { ok: false, field: "campaign", code: "notFound" };
  if (campaign.status !== "DRAFT") return { ok: false, field: "campaign", code: "notDraft" };
  const form = messageFormSchema.safeParse(input);
  if (!form.success) return { ok: false, field: String(form.error.issues[0]!.path[0]), code: "invalid" };
  const template = (await campaignTemplates(db, shopId)).find((t) => t.name === form.data.templateName);
  if (!template) return { ok: false, field: "templateName", code: "notMarketing" };
  if (form.data.mapping.length !== template.parameters) return { ok: false, field: "mapping", code: "count" };
  const unknown = form.data.mapping.findIndex((field) => !(CAMPAIGN_FIELDS as readonly string[]).includes(field));
  if (unknown >= 0) return { ok: false, field: `mapping.${unknown + 1}`, code: "unknownField" };
  const utm = template.link ? utmCampaignSchema.safeParse(form.data.utmCampaign ?? "") : null;
  if (utm && !utm.success) return { ok: false, field: "utmCampaign", code: "invalid" };
  const updated = await db.campaign.updateMany({
    where: { id: campaignId, shopId, status: "DRAFT" },
    data: { templateName: template.name, variableMapping: form.data.mapping, utmCampaign: utm?.data ?? null },
  });
  return updated.count ? { ok: true } : { ok: false, field: "campaign", code: "notDraft" };
}

export interface PreviewRecipient {
  firstName: string | null;
  /** The template language they would receive. */
  language: string;
  fields: Record<CampaignField, string>;
}

/** The audience's first recipient (a customer who would receive it): whose values the preview shows. */
export async function previewRecipient(db: Db, campaign: Pick<Campaign, "id">, shop: Pick<Shop, "name" | "domain" | "locale">): Promise<PreviewRecipient | null> {
  const recipient = await db.campaignRecipient.findFirst({ where: { campaignId: campaign.id, excluded: null }, orderBy: { id: "asc" }, select: { firstName: true, locale: true } });
  if (!recipient) return null;
  return { firstName: recipient.firstName, language: languageFor(recipient.locale, shop.locale), fields: campaignFields(recipient, shop) };
}

/** Each approved marketing template's body and link (if it ends in a variable) in the recipient's language (or the one they would get instead). */
export async function textsFor(db: Db, shopId: string, names: string[], language: string): Promise<Record<string, { body: string; link: string | null }>> {
  const entries = await Promise.all(
    names.map(async (name) => {
      const components = (await templateFor(db, shopId, name, language)).template?.components;
      return [name, { body: templateBody(components), link: dynamicLinks(components)[0]?.url ?? null }] as const;
    }),
  );
  return Object.fromEntries(entries);
}

const testSchema = z.object({ phone: z.string().trim().min(1).max(40), requestId: z.string().regex(/^[\w-]{8,64}$/) });

/**
 * Sends the campaign's template to the merchant's own number with the
 * preview's values: a staff message row first (keyed by the form's one-time
 * request id, so a double click sends once), in no customer's conversation.
 */
export async function sendCampaignTest(
  deps: AppDeps,
  shopId: string,
  campaignId: string,
  staff: Staff,
  input: { phone: unknown; requestId: unknown },
): Promise<{ ok: true; status: string } | MessageRefusal> {
  const { db } = deps;
  const [campaign, shop] = await Promise.all([db.campaign.findFirst({ where: { id: campaignId, shopId } }), db.shop.findUniqueOrThrow({ where: { id: shopId } })]);
  if (!campaign) return { ok: false, field: "campaign", code: "notFound" };
  const form = testSchema.safeParse(input);
  if (!form.success) return { ok: false, field: String(form.error.issues[0]!.path[0]), code: "invalid" };
  const phone = normalisePhone(form.data.phone, (shop.country ?? undefined) as CountryCode | undefined);
  if (!phone) return { ok: false, field: "phone", code: "invalid" };
  const mapping = campaignMappingSchema.safeParse(campaign.variableMapping ?? []);
  if (!campaign.templateName || !mapping.success) return { ok: false, field: "templateName", code: "missing" };
  const recipient = await previewRecipient(db, campaign, shop);
  if (!recipient) return { ok: false, field: "phone", code: "noRecipient" };
  const values = mapping.data.map((field) => recipient.fields[field].trim());
  const empty = values.findIndex((value) => !value);
  if (empty >= 0) return { ok: false, field: `mapping.${empty + 1}`, code: "emptyForRecipient" };
  const { template } = await templateFor(db, shopId, campaign.templateName, recipient.language);
  if (!template || template.category !== "MARKETING") return { ok: false, field: "templateName", code: "unavailable" };
  return sendTemplateTest(deps, {
    shopId,
    staff,
    template,
    params: { body: values, links: campaignLinks(template.components, campaign) },
    phone,
    idempotencyKey: `CAMPAIGN_TEST:${form.data.requestId}`,
  });
}

const scheduleFormSchema = z.object({
  kind: z.enum(["NOW", "AT", "LOCAL"]),
  date: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/)
    .optional(),
  time: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
    .optional(),
  overBudgetApproved: z.literal("on").optional(),
});

/**
 * The schedule form read: the date and time are the shop's wall clock (AT),
 * or the day whose local time each recipient receives it on (LOCAL). A field
 * the kind needs and lacks is SEND's to name.
 */
export function scheduleInputOf(form: Record<string, unknown>, timeZone: string): { ok: true; input: ScheduleInput } | MessageRefusal {
  const blank = (value: unknown) => (value === "" ? undefined : value);
  const parsed = scheduleFormSchema.safeParse({ kind: form.kind, date: blank(form.date), time: blank(form.time), overBudgetApproved: blank(form.overBudgetApproved) });
  if (!parsed.success) {
    const field = String(parsed.error.issues[0]!.path[0]);
    return { ok: false, field: field === "date" ? "sendAt" : field === "time" ? "localTime" : field, code: "invalid" };
  }
  const { kind, date, time, overBudgetApproved } = parsed.data;
  const [y, m, d] = (date ?? "").split("-").map(Number) as [number, number, number];
  const [hh, mm] = (time ?? "").split(":").map(Number) as [number, number];
  const input: ScheduleInput = { kind, overBudgetApproved: overBudgetApproved === "on" };
  if (kind === "AT" && date && time) input.sendAt = new Date(new TZDate(y, m - 1, d, hh, mm, 0, timeZone).getTime());
  if (kind === "AT" && date && !time) return { ok: false, field: "localTime", code: "required" };
  if (kind === "LOCAL" && date) input.sendAt = startOfDay(date, timeZone);
  if (kind === "LOCAL" && time) input.localTime = time;
  return { ok: true, input };
}
