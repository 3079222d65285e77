// WhatsApp message templates as the app knows them: synced from the WABA
// (Meta is the source of truth for status and category), created from the
// built-in library.
import { z } from "zod";

import type { Db } from "../core/db.server";
import { insertOnce } from "../core/db-errors.server";
import type { Prisma } from "../generated/prisma/client";
import { creationRequests, TEMPLATE_LIBRARY } from "./template-library";
import type { WhatsAppClient } from "./client.server";
import type { GraphErrorInfo } from "./client.server";
import { entryTime } from "./timestamps";
import { reason } from "../core/reasons";

export async function listApprovedTemplateCount(db: Db, shopId: string): Promise<number> {
  return db.template.count({ where: { shopId, status: "APPROVED" } });
}

/** Mirrors every template of the WABA into the shop's rows; returns how many were synced. */
export async function syncTemplates(db: Db, shopId: string, client: WhatsAppClient, wabaId: string): Promise<{ ok: true; count: number } | { ok: false; error: GraphErrorInfo }> {
  // The list is Meta's state as of the request: a status webhook handled meanwhile is newer, and stays.
  const asOf = new Date();
  const result = await client.listTemplates(wabaId);
  if (!result.ok) return result;
  for (const t of result.value) {
    const data = { metaTemplateId: t.id, category: t.category, parameterFormat: t.parameter_format ?? "POSITIONAL", components: t.components as Prisma.InputJsonArray };
    const where = { shopId, name: t.name, language: t.language };
    const known = await db.template.findUnique({ where: { shopId_name_language: where }, select: { id: true, category: true } });
    if (!known) {
      await insertOnce(() => db.template.create({ data: { ...where, ...data, status: t.status, statusEventAt: asOf } }));
      continue;
    }
    await db.template.update({ where: { id: known.id }, data });
    // Meta moved it to another category and its webhook never came: what that webhook does, done here (see applyTemplateCategoryUpdate).
    if (known.category !== t.category) await pauseForCategoryMove(db, shopId, t.name, known.category, t.category, "CATEGORY_MOVED");
    // A status the list gives replaces an older one, and a rejection's reason goes with it when it is no longer rejected.
    await db.template.updateMany({
      where: { id: known.id, OR: [{ statusEventAt: null }, { statusEventAt: { lte: asOf } }] },
      data: { status: t.status, statusEventAt: asOf, ...(t.status === "REJECTED" ? {} : { rejectedReason: null }) },
    });
  }
  return { ok: true, count: result.value.length };
}

const statusUpdateSchema = z
  .object({
    event: z.string(),
    message_template_id: z.union([z.number(), z.string()]).optional(),
    message_template_name: z.string(),
    message_template_language: z.string(),
    reason: z.string().nullish(),
  })
  .passthrough();

/**
 * Meta reviewed, paused or disabled a template in one language: mirror it on
 * that language's row, unless the row already has a newer status (the
 * webhook's entry `time` orders them: a late APPROVED never undoes a PAUSED).
 */
export async function applyTemplateStatusUpdate(db: Db, shopId: string, raw: unknown, time?: number) {
  const value = statusUpdateSchema.parse(raw);
  const metaReason = value.reason && value.reason !== "NONE" ? value.reason : null;
  const at = entryTime(time);
  // Only that language's row: its sends stop (automations.server.ts, templateFor) while the other languages go on.
  await db.template.updateMany({
    where: {
      shopId,
      name: value.message_template_name,
      language: { in: languageSpellings(value.message_template_language) },
      OR: [{ statusEventAt: null }, { statusEventAt: { lte: at } }],
    },
    data: { status: value.event === "REINSTATED" ? "APPROVED" : value.event, rejectedReason: value.event === "REJECTED" ? metaReason : null, statusEventAt: at },
  });
}

/** The spellings Meta uses for one template language ("en_US" in the API, "en-US" in some webhooks). */
function languageSpellings(language: string): string[] {
  return [...new Set([language, language.replace("-", "_"), language.replace("_", "-")])];
}

const categoryUpdateSchema = z
  .object({
    message_template_name: z.string(),
    message_template_language: z.string(),
    previous_category: z.string().optional(),
    new_category: z.string(),
    correct_category: z.string().optional(),
  })
  .passthrough();

/**
 * Meta re-categorised a template. The completed change (with previous_category)
 * is applied and pauses the automations that send it, since it now costs and
 * counts differently; the 24 h advance notice (with correct_category) only
 * pauses them.
 */
export async function applyTemplateCategoryUpdate(db: Db, shopId: string, raw: unknown) {
  const value = categoryUpdateSchema.parse(raw);
  const name = value.message_template_name;
  if (value.previous_category) {
    await db.template.updateMany({ where: { shopId, name, language: { in: languageSpellings(value.message_template_language) } }, data: { category: value.new_category } });
  }
  const from = value.previous_category ?? value.new_category;
  const to = value.previous_category ? value.new_category : (value.correct_category ?? value.new_category);
  if (from === to) return;
  await pauseForCategoryMove(db, shopId, name, from, to, value.previous_category ? "CATEGORY_MOVED" : "CATEGORY_WILL_MOVE");
}

/** The automations that send a template Meta moved (or will move) to another category wait for the merchant, with why. */
async function pauseForCategoryMove(db: Db, shopId: string, template: string, from: string, to: string, code: "CATEGORY_MOVED" | "CATEGORY_WILL_MOVE") {
  await db.automation.updateMany({ where: { shopId, templateName: template }, data: { pausedReason: reason(code, { template, from, to }) } });
}

/** Creates every built-in template (all languages) the WABA does not have yet; Meta reviews them. */
export async function createLibraryTemplates(client: WhatsAppClient, wabaId: string): Promise<{ ok: true; created: number } | { ok: false; error: GraphErrorInfo }> {
  const existing = await client.listTemplates(wabaId);
  if (!existing.ok) return existing;
  let created = 0;
  for (const template of TEMPLATE_LIBRARY) {
    for (const request of creationRequests(template)) {
      if (existing.value.some((t) => t.name === request.name && t.language === request.language)) continue;
      const result = await client.createTemplate(wabaId, request);
      if (!result.ok) return result;
      created++;
    }
  }
  return { ok: true, created };
}
