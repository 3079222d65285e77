// WhatsApp message templates as the app knows them: synced from the WABA
// (Meta is the source of truth for status and category), created from the
// built-in library.
import type { Db } from "./db.server";
import type { Prisma } from "./generated/prisma/client";
import type { WhatsAppClient } from "./whatsapp/client.server";
import type { GraphErrorInfo } from "./whatsapp/client.server";

export async function listApprovedTemplateCount(db: Db, shopId: string): Promise<number> {
  return db.template.count({ where: { shopId, status: "APPROVED" } });
}

/** Mirrors every template of the WABA into the shop's rows; returns how many were synced. */
export async function syncTemplates(db: Db, shopId: string, client: WhatsAppClient, wabaId: string): Promise<{ ok: true; count: number } | { ok: false; error: GraphErrorInfo }> {
  const result = await client.listTemplates(wabaId);
  if (!result.ok) return result;
  for (const t of result.value) {
    const data = {
      metaTemplateId: t.id,
      category: t.category,
      status: t.status,
      parameterFormat: t.parameter_format ?? "POSITIONAL",
      components: t.components as Prisma.InputJsonArray,
    };
    await db.template.upsert({
      where: { shopId_name_language: { shopId, name: t.name, language: t.language } },
      create: { shopId, name: t.name, language: t.language, ...data },
      update: data,
    });
  }
  return { ok: true, count: result.value.length };
}
