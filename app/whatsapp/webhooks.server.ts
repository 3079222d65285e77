// Meta webhook intake: verify the signature over the raw body and persist
// each change as a receipt (de-duplicated), nothing more, before the 200; a
// worker then routes it to its shops and handles it by field. A bad signature
// writes nothing; a signed but malformed payload is acknowledged and recorded
// as rejected (with its reason, not its content) so Meta stops retrying and
// nothing crashes; a handler failure is retried (jobs/webhook-receipts.server.ts).
import { createHash } from "node:crypto";

import { z } from "zod";

import { applyUserPreferences, optOutRecipient } from "../messaging/consent.server";
import { type Db, sqliteFileOf } from "../core/db.server";
import { insertOnce } from "../core/db-errors.server";
import type { WebhookReceipt } from "../generated/prisma/client";
import { parseJsonBody } from "../core/http-body.server";
import { log } from "../core/log.server";
import { type PacingDeps, reserveInbound } from "../messaging/send-pacing.server";
import { applyStatusesIn, applyStatusUpdate, messageTransaction, type StatusUpdate } from "../messaging/messages.server";
import { applyTemplateCategoryUpdate, applyTemplateStatusUpdate } from "./templates.server";
import { applyAccountUpdate, applyPhoneNumberQualityUpdate } from "./account-events.server";
import { recordHistory } from "./history.server";
import { customerMessageSchema, inboundValueSchema, recordContactSync, recordCustomerMessages, recordPhoneAppEchoes } from "./inbound.server";
import { ItemChecks } from "./payload-items";
import { type Claimer, claimReceipts, failReceipt, finishProcessed, finishReceipt } from "../jobs/webhook-receipts.server";
import { storeReceipt } from "../jobs/intake-spool.server";
import { unixSeconds } from "./timestamps";
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
  timestamp: unixSeconds,
  recipient_id: z.string().optional(),
  biz_opaque_callback_data: z.string().optional(),
  pricing: z.object({ category: z.string().optional(), type: z.string().optional(), billable: z.boolean().optional() }).passthrough().optional(),
  errors: z.array(z.object({ code: z.number(), title: z.string().optional(), message: z.string().optional(), error_data: z.object({ details: z.string().optional() }).optional() })).optional(),
});
// The lists are read item by item (payload-items.ts): one item the app cannot read loses no other.
const messagesValueSchema = inboundValueSchema.extend({
  messaging_product: z.literal("whatsapp"),
  metadata: metadataSchema,
  statuses: z.array(z.unknown()).optional(),
});

export type MetaWebhookOutcome = { status: 200 | 401; received: number; duplicates: number; rejected: number; receiptIds: string[] };

type Change = z.infer<typeof changeSchema> & { entryId: string; time?: number };
/** Handles a change for a shop; may return what it passed over (items it could not read), kept on the receipt. */
type FieldHandler = (db: Db, shopId: string, change: Change) => Promise<string | undefined | void>;

const handlers: Record<string, FieldHandler> = {
  messages: async (db, shopId, change) => {
    const value = messagesValueSchema.parse(change.value);
    const checks = new ItemChecks();
    const statuses = checks.valid(value.statuses, statusSchema, ["statuses"]);
    const messages = checks.valid(value.messages, customerMessageSchema, ["messages"]);
    checks.requireSome();
    for (const status of statuses) {
      const update = statusUpdate(status);
      await applyStatusUpdate(db, shopId, update);
      if (refusesMarketing(update)) await optOutRecipient(db, shopId, update, "whatsapp_131050", update.occurredAt);
    }
    await recordCustomerMessages(db, shopId, { contacts: value.contacts, messages });
    return checks.note("messages");
  },
  user_preferences: (db, shopId, change) => applyUserPreferences(db, shopId, change.value),
  smb_message_echoes: (db, shopId, change) => recordPhoneAppEchoes(db, shopId, change.value),
  smb_app_state_sync: (db, shopId, change) => recordContactSync(db, shopId, change.value),
  history: (db, shopId, change) => recordHistory(db, shopId, change.value),
  message_template_status_update: (db, shopId, change) => applyTemplateStatusUpdate(db, shopId, change.value, change.time),
  template_category_update: (db, shopId, change) => applyTemplateCategoryUpdate(db, shopId, change.value),
  account_update: (db, shopId, change) => applyAccountUpdate(db, shopId, change.value, change.time),
  phone_number_quality_update: (db, shopId, change) => applyPhoneNumberQualityUpdate(db, shopId, change.value),
};

/** Meta's 131050: the customer stopped marketing messages from this business in WhatsApp itself. */
function refusesMarketing(update: StatusUpdate): boolean {
  return update.status === "failed" && update.error?.code === 131050;
}

function statusUpdate(status: z.infer<typeof statusSchema>): StatusUpdate {
  const error = status.errors?.[0];
  return {
    wamid: status.id,
    status: status.status,
    occurredAt: new Date(Number(status.timestamp) * 1000),
    recipientId: status.recipient_id,
    callbackData: status.biz_opaque_callback_data,
    pricing: status.pricing,
    error: error ? { code: error.code, title: error.title ?? error.message ?? "", details: error.error_data?.details } : undefined,
  };
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A number's account belongs to the WABA a change comes from (an account whose WABA is not read yet takes the change). */
const sameWaba = (accountWabaId: string | null, entryId: string) => !accountWabaId || accountWabaId === entryId;

/**
 * The shops a change belongs to. A change that names a phone number belongs
 * to the one shop that connected that number, or to none. A WABA-level change
 * (templates, account) belongs to every shop whose account names that WABA,
 * disconnected ones included (a reconnect is news to them): signup proves a
 * shop's token reaches its WABA, so those shops are one business.
 */
async function shopIdsFor(db: Db, change: Change): Promise<string[]> {
  const phoneNumberId = metadataSchema.safeParse(change.value.metadata).data?.phone_number_id;
  if (phoneNumberId) {
    // The number's shop, while it is on the WABA the change comes from: a number the shop's account still names but
    // Meta reports under another business is not that shop's any more.
    const account = await db.whatsAppAccount.findUnique({ where: { phoneNumberId }, select: { shopId: true, wabaId: true } });
    return account && sameWaba(account.wabaId, change.entryId) ? [account.shopId] : [];
  }
  const wabaInfo = z.object({ waba_id: z.string() }).safeParse(change.value.waba_info);
  const wabaId = wabaInfo.success ? wabaInfo.data.waba_id : change.entryId;
  const accounts = await db.whatsAppAccount.findMany({ where: { wabaId }, select: { shopId: true } });
  return accounts.map((account) => account.shopId);
}

async function rejectEnvelope(db: Db, text: string, reason: string): Promise<MetaWebhookOutcome> {
  log.warn({ reason }, "Signed WhatsApp webhook recorded as rejected");
  await insertOnce(() => db.webhookReceipt.create({ data: { source: "META", dedupeKey: sha256(text), topic: "invalid", status: "REJECTED", error: reason, payload: "", processedAt: new Date() } }));
  return { status: 200, received: 0, duplicates: 0, rejected: 1, receiptIds: [] };
}

export async function receiveMetaWebhook(db: Db, rawBody: Buffer, signatureHeader: string | null, appSecret: string): Promise<MetaWebhookOutcome> {
  if (!isValidMetaSignature(rawBody, signatureHeader, appSecret)) {
    log.warn("Rejected a WhatsApp webhook with a missing or wrong X-Hub-Signature-256");
    return { status: 401, received: 0, duplicates: 0, rejected: 0, receiptIds: [] };
  }
  const text = rawBody.toString("utf8");
  const parsed = parseJsonBody(text);
  if (!parsed.ok) return rejectEnvelope(db, text, parsed.reason);
  const envelope = envelopeSchema.safeParse(parsed.value);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    return rejectEnvelope(db, text, `invalid envelope: ${issue?.path.join(".")} ${issue?.message}`);
  }
  // One insert per change (a delivery usually carries one); the shop is found when it is handled.
  const outcome: MetaWebhookOutcome = { status: 200, received: 0, duplicates: 0, rejected: 0, receiptIds: [] };
  for (const entry of envelope.data.entry) {
    for (const raw of entry.changes) {
      const payload = JSON.stringify({ entryId: entry.id, time: entry.time, ...raw });
      const receipt = await storeReceipt(db, { source: "META", dedupeKey: sha256(payload), topic: raw.field, payload });
      if (receipt) {
        outcome.received++;
        // A spooled change is announced when it is stored (jobs/intake-spool.server.ts).
        if (receipt !== "spooled") outcome.receiptIds.push(receipt.id);
      } else outcome.duplicates++;
    }
  }
  return outcome;
}

const storedChangeSchema = z.object({ entryId: z.string(), time: z.number().optional(), field: z.string(), value: z.record(z.unknown()) });
type StoredChange = z.infer<typeof storedChangeSchema>;

/** A claimed receipt with its change read once: the change, or why it could not be read. */
interface ClaimedChange {
  receipt: WebhookReceipt;
  change: StoredChange | null;
  error?: unknown;
}

function readChange(receipt: WebhookReceipt): ClaimedChange {
  try {
    return { receipt, change: storedChangeSchema.parse(JSON.parse(receipt.payload)) };
  } catch (error) {
    return { receipt, change: null, error };
  }
}

/**
 * Receipts claimed and handled together. On SQLite a batch's transaction
 * holds the one writer, and intake's inserts wait for it: a few at a time. On
 * PostgreSQL intake never waits for it, and a batch's fixed statements (about
 * ten) are shared by more statuses; it holds its report lines' row locks a
 * little longer.
 */
const batchSize = (db: Db) => (sqliteFileOf(db) ? 8 : 32);

/**
 * Claims stored changes and handles them. Under load most are one status
 * each for a message the app sent: those are applied together, in one
 * transaction with their receipts marked processed (applyStatusBatch); any
 * other change, or a status whose message is not stored yet, is handled on
 * its own (handleMetaReceipt). Customer messages just received first take
 * room in their numbers' pace (reserveInbound). Each change is read once.
 */
export async function processMetaReceipts(deps: PacingDeps, ids: string[], claimer: Claimer = {}): Promise<void> {
  const { db } = deps;
  const size = batchSize(db);
  for (let start = 0; start < ids.length; start += size) {
    const claimed = (await claimReceipts(db, ids.slice(start, start + size), claimer)).map(readChange);
    const handled = await applyStatusBatch(db, claimed);
    const rest = claimed.filter(({ receipt }) => !handled.has(receipt.id));
    const received = freshCustomerMessages(rest);
    if (received.size) await reserveInbound(deps, received).catch((error: unknown) => log.warn({ err: error }, "Could not count received messages in the numbers' pace"));
    for (const item of rest) await handleMetaReceipt(db, item);
  }
}

const receivedSchema = inboundValueSchema.extend({ metadata: metadataSchema });

/** A customer message at most this old when handled stands for messages still arriving (see reserveInbound). */
const FRESH_MESSAGE_MS = 5_000;

/**
 * Customer messages in the receipts, sent in the last few seconds, per phone
 * number id. Older ones (a backlog handled late) tell nothing of the coming
 * seconds. A receipt handled twice counts twice: its number slows a little more.
 */
function freshCustomerMessages(claimed: ClaimedChange[], now = Date.now()): Map<string, number> {
  const received = new Map<string, number>();
  for (const { change } of claimed) {
    if (change?.field !== "messages") continue;
    const value = receivedSchema.safeParse(change.value);
    if (!value.success) continue;
    const messages = new ItemChecks().valid(value.data.messages, customerMessageSchema, ["messages"]);
    const fresh = messages.filter((message) => now - Number(message.timestamp) * 1000 < FRESH_MESSAGE_MS).length;
    const phoneNumberId = value.data.metadata.phone_number_id;
    if (fresh) received.set(phoneNumberId, (received.get(phoneNumberId) ?? 0) + fresh);
  }
  return received;
}

/** The receipt's one status, when it carries exactly that (no customer message) for a phone number. */
function loneStatus(change: StoredChange | null): { phoneNumberId: string; update: StatusUpdate } | null {
  if (change?.field !== "messages") return null;
  const value = messagesValueSchema.safeParse(change.value);
  if (!value.success || value.data.statuses?.length !== 1 || value.data.messages?.length) return null;
  const status = statusSchema.safeParse(value.data.statuses[0]);
  // One the app cannot read is rejected, naming it, on the one-by-one path.
  if (!status.success) return null;
  const update = statusUpdate(status.data);
  // A refusal that opts the customer out takes the one-by-one path, which applies the opt-out too.
  return refusesMarketing(update) ? null : { phoneNumberId: value.data.metadata.phone_number_id, update };
}

/**
 * Applies the receipts' lone statuses in one transaction, a shop at a time
 * in wamid order; returns the receipts it handled. A status it cannot apply
 * (no message with that wamid yet, recorded before) is left for the
 * one-by-one path, which keeps it for the send or calls it a duplicate. Two
 * batches sharing messages lock them in one order (applyStatusesIn), so they
 * wait in line. After any failure here nothing of the batch stays and all
 * its receipts go the one-by-one way.
 */
async function applyStatusBatch(db: Db, claimed: ClaimedChange[]): Promise<Set<string>> {
  const candidates = claimed.flatMap(({ receipt, change }) => {
    const lone = loneStatus(change);
    return lone && change ? [{ receipt, entryId: change.entryId, ...lone }] : [];
  });
  if (candidates.length < 2) return new Set();
  try {
    const phoneNumberIds = [...new Set(candidates.map((c) => c.phoneNumberId))];
    const accounts = await db.whatsAppAccount.findMany({ where: { phoneNumberId: { in: phoneNumberIds } }, select: { phoneNumberId: true, shopId: true, wabaId: true } });
    const accountOf = new Map(accounts.map((account) => [account.phoneNumberId, account]));
    const batch = candidates
      .flatMap((c) => {
        const account = accountOf.get(c.phoneNumberId);
        return account && sameWaba(account.wabaId, c.entryId) ? [{ ...c, shopId: account.shopId }] : [];
      })
      .sort((a, b) => (a.update.wamid < b.update.wamid ? -1 : a.update.wamid > b.update.wamid ? 1 : 0));
    if (!batch.length) return new Set();
    return await messageTransaction(db, async (ledger) => {
      const applied: typeof batch = [];
      for (const shopId of [...new Set(batch.map((item) => item.shopId))].sort()) {
        const mine = batch.filter((item) => item.shopId === shopId);
        const done = await applyStatusesIn(
          ledger,
          shopId,
          mine.map((item) => item.update),
        );
        applied.push(...mine.filter((item) => done.has(item.update)));
      }
      await finishProcessed(
        ledger.tx,
        applied.map(({ receipt, shopId }) => ({ id: receipt.id, attempts: receipt.attempts, shopId })),
      );
      return new Set(applied.map(({ receipt }) => receipt.id));
    });
  } catch (error) {
    log.warn({ receipts: candidates.length, err: error }, "A batch of WhatsApp statuses was rolled back; handling them one by one");
    return new Set();
  }
}

/**
 * Finds a claimed change's shops and runs its field's handler for each
 * (handlers are idempotent, so a retry after a partial failure repeats
 * nothing); failures are rejected, retried later, or dead.
 */
async function handleMetaReceipt(db: Db, { receipt, change, error: unreadable }: ClaimedChange): Promise<void> {
  const owner: { shopId?: string | null } = {};
  try {
    if (!change) throw unreadable;
    const shopIds = await shopIdsFor(db, change);
    owner.shopId = shopIds[0] ?? null;
    const handler = handlers[change.field];
    if (!shopIds.length || !handler) {
      return await finishReceipt(db, receipt, "IGNORED", !shopIds.length ? "no connected shop for this phone number or WABA" : `no handler for field "${change.field}"`, owner);
    }
    const notes = new Set<string>();
    for (const shopId of shopIds) {
      const note = await handler(db, shopId, change);
      if (note) notes.add(note);
    }
    await finishReceipt(db, receipt, "PROCESSED", notes.size ? [...notes].join("; ") : undefined, owner);
  } catch (error) {
    const outcome = await failReceipt(db, receipt, error, owner);
    log.error({ receiptId: receipt.id, field: receipt.topic, attempt: receipt.attempts, outcome: outcome.status, err: error }, "WhatsApp webhook could not be processed");
  }
}
