// Meta webhook intake: verify the signature over the raw body, persist each
// change as a receipt (de-duplicated), then route it by field. A bad signature
// writes nothing; a signed but malformed payload is acknowledged and recorded
// as rejected so Meta stops retrying and nothing crashes.
import { createHash } from "node:crypto";

import { z } from "zod";

import type { Db } from "../db.server";
import { insertOnce } from "../db-errors.server";
import { applyStatusUpdate } from "../messages.server";
import { applyTemplateCategoryUpdate, applyTemplateStatusUpdate } from "../templates.server";
import { applyAccountUpdate, applyPhoneNumberQualityUpdate } from "./account-events.server";
import { inboundValueSchema, recordContactSync, recordCustomerMessages, recordHistory, recordPhoneAppEchoes } from "./inbound.server";
import { isValidMetaSignature } from "./signature.server";

const changeSchema = z.object({ field: z.string(), value: z.record(z.unknown()) });
const envelopeSchema = z.object({
  object: z.literal("whatsapp_business_account"),
  entry: z.array(z.object({ id: z.string(), time: z.number().optional(), changes: z.array(changeSchema) })),
});

const metadataSchema = z.object({ display_phone_number: z.string().optional(), phone_number_id: z.string() });
const statusSchema = z.object({
  id: z.string(),
  status: z.enum(["sent", "delivered", "read", "played", "failed"]),
  timestamp: z.string().regex(/^\d+$/),
  recipient_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  pricing: z.object({ category: z.string().optional(), type: z.string().optional(), billable: z.boolean().optional() }).passthrough().optional(),
  errors: z
    .array(z.object({ code: z.number(), title: z.string().optional(), message: z.string().optional(), error_data: z.object({ details: z.string().optional() }).optional() }))
    .optional(),
});
const messagesValueSchema = inboundValueSchema.extend({
  messaging_product: z.literal("whatsapp"),
  metadata: metadataSchema,
  statuses: z.array(statusSchema).optional(),
});

export type MetaWebhookOutcome = { status: 200 | 401; received: number; duplicates: number; rejected: number };

type Change = z.infer<typeof changeSchema> & { entryId: string };
type FieldHandler = (db: Db, shopId: string, change: Change) => Promise<void>;

const handlers: Record<string, FieldHandler> = {
  messages: async (db, shopId, change) => {
    const value = messagesValueSchema.parse(change.value);
    for (const status of value.statuses ?? []) {
      const error = status.errors?.[0];
      await applyStatusUpdate(db, shopId, {
        wamid: status.id,
        status: status.status,
        occurredAt: new Date(Number(status.timestamp) * 1000),
        recipientId: status.recipient_id,
        callbackData: status.biz_opaque_callback_data,
        pricing: status.pricing,
        error: error ? { code: error.code, title: error.title ?? error.message ?? "", details: error.error_data?.details } : undefined,
      });
    }
    await recordCustomerMessages(db, shopId, value);
  },
  smb_message_echoes: (db, shopId, change) => recordPhoneAppEchoes(db, shopId, change.value),
  smb_app_state_sync: (db, shopId, change) => recordContactSync(db, shopId, change.value),
  history: (db, shopId, change) => recordHistory(db, shopId, change.value),
  message_template_status_update: (db, shopId, change) => applyTemplateStatusUpdate(db, shopId, change.value),
  template_category_update: (db, shopId, change) => applyTemplateCategoryUpdate(db, shopId, change.value),
  account_update: (db, shopId, change) => applyAccountUpdate(db, shopId, change.value),
  phone_number_quality_update: (db, shopId, change) => applyPhoneNumberQualityUpdate(db, shopId, change.value),
};

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The shop a change belongs to: by phone number id, else by WABA id. */
async function shopIdFor(db: Db, change: Change): Promise<string | null> {
  const phoneNumberId = metadataSchema.safeParse(change.value.metadata).data?.phone_number_id;
  if (phoneNumberId) {
    const account = await db.whatsAppAccount.findUnique({ where: { phoneNumberId }, select: { shopId: true } });
    if (account) return account.shopId;
  }
  const wabaInfo = z.object({ waba_id: z.string() }).safeParse(change.value.waba_info);
  const wabaId = wabaInfo.success ? wabaInfo.data.waba_id : change.entryId;
  const account = await db.whatsAppAccount.findFirst({ where: { wabaId }, select: { shopId: true } });
  return account?.shopId ?? null;
}

export async function receiveMetaWebhook(
  db: Db,
  rawBody: Buffer,
  signatureHeader: string | null,
  appSecret: string,
  log: Pick<Console, "warn" | "error"> = console,
): Promise<MetaWebhookOutcome> {
  if (!isValidMetaSignature(rawBody, signatureHeader, appSecret)) {
    log.warn("Rejected a WhatsApp webhook with a missing or wrong X-Hub-Signature-256");
    return { status: 401, received: 0, duplicates: 0, rejected: 0 };
  }
  const text = rawBody.toString("utf8");
  let envelope: z.infer<typeof envelopeSchema>;
  try {
    envelope = envelopeSchema.parse(JSON.parse(text));
  } catch (error) {
    const reason = error instanceof z.ZodError ? `invalid envelope: ${error.issues[0]?.path.join(".")} ${error.issues[0]?.message}` : "body is not JSON";
    log.warn(`Signed WhatsApp webhook rejected: ${reason}`);
    await insertOnce(() =>
      db.webhookReceipt.create({ data: { source: "META", dedupeKey: sha256(text), topic: "invalid", status: "REJECTED", error: reason, payload: text } }),
    );
    return { status: 200, received: 0, duplicates: 0, rejected: 1 };
  }

  const outcome: MetaWebhookOutcome = { status: 200, received: 0, duplicates: 0, rejected: 0 };
  for (const entry of envelope.entry) {
    for (const raw of entry.changes) {
      const change: Change = { ...raw, entryId: entry.id };
      const payload = JSON.stringify({ entryId: entry.id, time: entry.time, ...raw });
      const shopId = await shopIdFor(db, change);
      const receipt = await insertOnce(() =>
        db.webhookReceipt.create({ data: { source: "META", dedupeKey: sha256(payload), topic: change.field, shopId, payload } }),
      );
      if (!receipt) {
        outcome.duplicates++;
        continue;
      }
      outcome.received++;
      await processReceipt(db, receipt.id, shopId, change, log);
    }
  }
  return outcome;
}

async function processReceipt(db: Db, receiptId: string, shopId: string | null, change: Change, log: Pick<Console, "warn" | "error">) {
  const handler = handlers[change.field];
  if (!shopId || !handler) {
    const reason = !shopId ? "no connected shop for this phone number or WABA" : `no handler for field "${change.field}"`;
    await db.webhookReceipt.update({ where: { id: receiptId }, data: { status: "IGNORED", error: reason, processedAt: new Date() } });
    return;
  }
  try {
    await handler(db, shopId, change);
    await db.webhookReceipt.update({ where: { id: receiptId }, data: { status: "PROCESSED", processedAt: new Date() } });
  } catch (error) {
    const reason = error instanceof z.ZodError ? `invalid ${change.field} payload: ${error.issues[0]?.path.join(".")} ${error.issues[0]?.message}` : String(error);
    log.error(`WhatsApp webhook ${receiptId} (${change.field}) could not be processed: ${reason}`);
    await db.webhookReceipt.update({
      where: { id: receiptId },
      data: { status: error instanceof z.ZodError ? "REJECTED" : "RECEIVED", error: reason },
    });
  }
}

/**
 * Receipts left RECEIVED (the process stopped, or a handler failed for a
 * transient reason such as a locked database) are processed again. Handlers
 * are idempotent, so a receipt handled twice changes nothing the second time.
 */
export async function reprocessPendingMetaReceipts(db: Db, olderThanMs = 60_000, log: Pick<Console, "warn" | "error"> = console): Promise<number> {
  const stale = await db.webhookReceipt.findMany({
    where: { source: "META", status: "RECEIVED", receivedAt: { lt: new Date(Date.now() - olderThanMs) } },
    orderBy: { receivedAt: "asc" },
    take: 100,
  });
  for (const receipt of stale) {
    const stored = JSON.parse(receipt.payload) as { entryId: string; field: string; value: Record<string, unknown> };
    await processReceipt(db, receipt.id, receipt.shopId, { field: stored.field, value: stored.value, entryId: stored.entryId }, log);
  }
  return stale.length;
}
