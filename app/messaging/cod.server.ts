// Cash-on-delivery confirmation: an order paid on delivery gets the
// cod_confirmation template (instead of the plain confirmation) with two
// quick replies, Confirm and Cancel. The customer's tap decides the outcome
// once; without an answer, one reminder goes after the shop's hours (12 by
// default) and after 24 h the outcome is NO_ANSWER. The worker writes each
// outcome to Shopify as an order tag, and a "Cancel" also cancels the order when
// the shop turned that on. A tap that arrives twice, after the outcome was
// decided, or for an order Shopify already cancelled changes nothing.
import { z } from "zod";

import type { Db, Tx } from "../core/db.server";
import { singleStatementUpsert } from "../core/db-errors.server";
import { describeError } from "../core/log.server";
import { triggerAutomation, type TriggerInput } from "./automations.server";
import { type OrderPayload, storedOrderFields } from "../shopify/orders.server";

export const COD_STATUSES = ["ASKED", "CONFIRMED", "CANCELLED", "NO_ANSWER"] as const;
export type CodStatus = (typeof COD_STATUSES)[number];

/** The quick replies' payloads, in the template's button order (Confirm, Cancel). */
export const COD_PAYLOADS = { confirm: "ZAP_COD_CONFIRM", cancel: "ZAP_COD_CANCEL" } as const;
const BUTTONS = [COD_PAYLOADS.confirm, COD_PAYLOADS.cancel];
const ANSWERS: Record<string, CodStatus> = { [COD_PAYLOADS.confirm]: "CONFIRMED", [COD_PAYLOADS.cancel]: "CANCELLED" };

/** A tap the COD confirmation acts on (Confirm or Cancel). */
export function isCodAnswer(payload: string | undefined): boolean {
  return Boolean(payload && ANSWERS[payload]);
}

/** The tag each outcome leaves on the order in Shopify. */
export const COD_TAGS: Record<Exclude<CodStatus, "ASKED">, string> = {
  CONFIRMED: "whatsapp-cod-confirmed",
  CANCELLED: "whatsapp-cod-cancelled",
  NO_ANSWER: "whatsapp-cod-no-answer",
};

export const COD_NO_ANSWER_HOURS = 24;
const HOUR_MS = 60 * 60 * 1000;
const SYNC_BACKOFF_MS = 10_000;
const SYNC_BACKOFF_MAX_MS = HOUR_MS;
/** About a day of tries at the longest back-off; the row then keeps its last error. */
const SYNC_MAX_ATTEMPTS = 30;
const SYNC_CLAIM_MS = 2 * 60_000;

/**
 * Payment methods Shopify reports for cash on delivery: its own "Cash on
 * Delivery (COD)" manual method, and the names merchants give their manual
 * methods in Spanish and Portuguese. Compared without case or accents.
 */
const COD_GATEWAYS = [
  /cash on delivery/,
  /\bcod\b/,
  /contra ?entrega/,
  /pag(o|amento) (na|en la|a la|al|no ato da) entrega/,
  /pago (en efectivo )?al recibir/,
  /pagamento na entrega/,
  /dinheiro na entrega/,
];

export function isCashOnDelivery(order: Pick<OrderPayload, "payment_gateway_names">): boolean {
  return order.payment_gateway_names.some((name) => {
    const plain = name
      .normalize("NFD")
      .replace(/\p{Diacritic}/gu, "")
      .toLowerCase();
    return COD_GATEWAYS.some((pattern) => pattern.test(plain));
  });
}

/**
 * Asks to confirm a COD order: the template with its two quick replies, and the
 * confirmation row that waits for the answer. False when nothing was asked (the
 * automation is off, or the message was skipped: the caller sends the plain
 * confirmation instead). A retry after a crash between the two writes finds the
 * message and creates the row.
 */
export async function askCodConfirmation(db: Db, input: Omit<TriggerInput, "trigger" | "buttons"> & { orderId: string }): Promise<boolean> {
  const outcome = await triggerAutomation(db, { ...input, trigger: "COD_CONFIRMATION", buttons: BUTTONS });
  if (outcome === "off" || outcome === "skipped") return false;
  if (outcome === "duplicate") {
    const asked = await db.message.findFirst({ where: { shopId: input.shop.id, idempotencyKey: `COD_CONFIRMATION:${input.subject}` }, select: { status: true } });
    if (!asked || asked.status === "SKIPPED") return false;
  }
  await db.codConfirmation.upsert({ where: { orderId: input.orderId }, create: { shopId: input.shop.id, orderId: input.orderId }, update: singleStatementUpsert({ shopId: input.shop.id }) });
  return true;
}

/**
 * A quick-reply tap (Meta's `button` message, or an interactive `button_reply`)
 * on a COD confirmation: decides the order's outcome if it is still open.
 * Returns the outcome it set, or null when the tap changes nothing.
 */
export async function recordCodAnswer(db: Db, shopId: string, tap: { contactId: string; payload: string | undefined; contextWamid: string | undefined; at: Date }): Promise<CodStatus | null> {
  const answer = tap.payload ? ANSWERS[tap.payload] : undefined;
  if (!answer || !tap.contextWamid) return null;
  const asked = await db.message.findUnique({
    where: { shopId_wamid: { shopId, wamid: tap.contextWamid } },
    select: { orderId: true, contactId: true, order: { select: { cancelledAt: true } } },
  });
  // Only the customer who was asked decides (another customer's message naming the question is not their tap);
  // cancelled in Shopify meanwhile: nothing left to confirm or cancel (the reply stays in the thread).
  if (!asked?.orderId || asked.contactId !== tap.contactId || asked.order?.cancelledAt) return null;
  const decided = await db.codConfirmation.updateMany({ where: { shopId, orderId: asked.orderId, status: "ASKED" }, data: { status: answer, answeredAt: tap.at } });
  return decided.count > 0 ? answer : null;
}

interface FollowUpDeps {
  db: Db;
  /** Writes the outcome to Shopify (tags, and a cancellation if wanted); throws when Shopify could not take it now. */
  writeOutcome(
    shop: { id: string; domain: string; codCancelOrders: boolean; locale: string | null },
    order: { shopifyOrderId: string; cancelledAt: Date | null },
    status: Exclude<CodStatus, "ASKED">,
  ): Promise<void>;
}

/**
 * The worker's round: reminders due, confirmations without an answer after
 * 24 h, and outcomes not yet written to Shopify. An order cancelled in Shopify
 * meanwhile gets neither reminder nor no-answer tag.
 */
export async function runCodFollowUps(deps: FollowUpDeps, now = new Date()): Promise<void> {
  const { db } = deps;
  // Only rows with something due: a reminder not sent yet, or the 24 h mark passed; orders still open in installed shops.
  const open = await db.codConfirmation.findMany({
    where: {
      status: "ASKED",
      askedAt: { lte: new Date(now.getTime() - HOUR_MS) },
      OR: [{ remindedAt: null }, { askedAt: { lte: new Date(now.getTime() - COD_NO_ANSWER_HOURS * HOUR_MS) } }],
      order: { cancelledAt: null },
      shop: { uninstalledAt: null },
    },
    include: { shop: true, order: { include: { contact: true } } },
    orderBy: { askedAt: "asc" },
    take: 200,
  });
  for (const cod of open) {
    const waited = now.getTime() - cod.askedAt.getTime();
    if (waited >= COD_NO_ANSWER_HOURS * HOUR_MS) {
      await db.codConfirmation.updateMany({ where: { id: cod.id, status: "ASKED" }, data: { status: "NO_ANSWER" } });
    } else if (!cod.remindedAt && waited >= cod.shop.codReminderHours * HOUR_MS) {
      const claimed = await db.codConfirmation.updateMany({ where: { id: cod.id, remindedAt: null }, data: { remindedAt: now } });
      if (claimed.count === 0) continue;
      const { order } = cod;
      await triggerAutomation(db, {
        shop: cod.shop,
        trigger: "COD_CONFIRMATION",
        subject: order.shopifyOrderId,
        repeat: "reminder",
        contact: order.contact,
        orderId: order.id,
        customerLocale: order.locale,
        fields: storedOrderFields(order, cod.shop.locale),
        buttons: BUTTONS,
      });
    }
  }
  const decided = await db.codConfirmation.findMany({
    where: {
      status: { in: ["CONFIRMED", "CANCELLED", "NO_ANSWER"] },
      syncedAt: null,
      syncAttempts: { lt: SYNC_MAX_ATTEMPTS },
      OR: [{ nextSyncAt: null }, { nextSyncAt: { lte: now } }],
      // Shopify will not take writes for these until the app is installed or authorized again.
      shop: { uninstalledAt: null, adminAuthLostAt: null },
    },
    include: { shop: true, order: { select: { shopifyOrderId: true, cancelledAt: true } } },
    orderBy: { answeredAt: "asc" },
    take: 50,
  });
  for (const cod of decided) {
    // Claimed by moving nextSyncAt: another worker's round skips it while this write is under way.
    const claim = new Date(now.getTime() + SYNC_CLAIM_MS);
    const won = await db.codConfirmation.updateMany({ where: { id: cod.id, syncedAt: null, nextSyncAt: cod.nextSyncAt }, data: { nextSyncAt: claim } });
    if (won.count === 0) continue;
    try {
      await deps.writeOutcome(cod.shop, cod.order, cod.status as Exclude<CodStatus, "ASKED">);
      await db.codConfirmation.updateMany({ where: { id: cod.id, nextSyncAt: claim }, data: { syncedAt: new Date(), syncError: null, nextSyncAt: null } });
    } catch (error) {
      // Shopify away, throttled past patience, or the order gone: tried again later, less and less often, then given up.
      const wait = Math.min(SYNC_BACKOFF_MAX_MS, SYNC_BACKOFF_MS * 2 ** cod.syncAttempts);
      const { type, message } = describeError(error);
      await db.codConfirmation.updateMany({
        where: { id: cod.id, nextSyncAt: claim },
        data: { syncError: `${type}: ${message}`.slice(0, 500), syncAttempts: { increment: 1 }, nextSyncAt: new Date(Date.now() + wait) },
      });
    }
  }
}

export const codSettingsSchema = z.object({
  cancelOrders: z.enum(["on", "off"]).transform((v) => v === "on"),
  // Before the 24 h no-answer mark: at least an hour after asking, at most 23.
  reminderHours: z.coerce
    .number()
    .int()
    .min(1)
    .max(COD_NO_ANSWER_HOURS - 1),
});

export async function saveCodSettings(db: Tx, shopId: string, settings: z.infer<typeof codSettingsSchema>) {
  await db.shop.update({ where: { id: shopId }, data: { codCancelOrders: settings.cancelOrders, codReminderHours: settings.reminderHours } });
}

/** Confirmed / cancelled / no-answer counts of the COD confirmations asked since `since` (the home page's rates). */
export async function codOutcomes(db: Db, shopId: string, since: Date) {
  const rows = await db.codConfirmation.groupBy({ by: ["status"], where: { shopId, askedAt: { gte: since } }, _count: { _all: true } });
  const count = (status: CodStatus) => rows.find((r) => r.status === status)?._count._all ?? 0;
  return { asked: rows.reduce((sum, r) => sum + r._count._all, 0), confirmed: count("CONFIRMED"), cancelled: count("CANCELLED"), noAnswer: count("NO_ANSWER") };
}
