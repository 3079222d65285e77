// Cash-on-delivery confirmation: an order paid on delivery gets the
// cod_confirmation template (instead of the plain confirmation) with two
// quick replies, Confirm and Cancel. The customer's tap decides the outcome
// once; without an answer, one reminder goes after the shop's hours (12 by
// default) and after 24 h the outcome is NO_ANSWER. The worker writes each
// outcome to Shopify as an order tag, and a "Cancel" also cancels the order when
// the shop turned that on. A tap that arrives twice, after the outcome was
// decided, or for an order Shopify already cancelled changes nothing.
import { z } from "zod";

import type { Db } from "./db.server";
import { triggerAutomation, type TriggerInput } from "./automations.server";
import { type OrderPayload, storedOrderFields } from "./orders.server";

export const COD_STATUSES = ["ASKED", "CONFIRMED", "CANCELLED", "NO_ANSWER"] as const;
export type CodStatus = (typeof COD_STATUSES)[number];

/** The quick replies' payloads, in the template's button order (Confirm, Cancel). */
export const COD_PAYLOADS = { confirm: "ZAP_COD_CONFIRM", cancel: "ZAP_COD_CANCEL" } as const;
const ANSWERS: Record<string, CodStatus> = { [COD_PAYLOADS.confirm]: "CONFIRMED", [COD_PAYLOADS.cancel]: "CANCELLED" };

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

/**
 * Payment methods Shopify reports for cash on delivery: its own "Cash on
 * Delivery (COD)" manual method, and the names merchants give their manual
 * methods in Spanish and Portuguese. Compared without case or accents.
 */
const COD_GATEWAYS = [/cash on delivery/, /\bcod\b/, /contra ?entrega/, /pag(o|amento) (na|en la|a la|al|no ato da) entrega/, /pago (en efectivo )?al recibir/, /pagamento na entrega/, /dinheiro na entrega/];

export function isCashOnDelivery(order: Pick<OrderPayload, "payment_gateway_names">): boolean {
  return order.payment_gateway_names.some((name) => {
    const plain = name.normalize("NFD").replace(/\p{Diacritic}/gu, "").toLowerCase();
    return COD_GATEWAYS.some((pattern) => pattern.test(plain));
  });
}

/** Asks to confirm a COD order: the template with its two quick replies, and the confirmation row that waits for the answer. */
export async function askCodConfirmation(db: Db, input: Omit<TriggerInput, "trigger" | "buttons"> & { orderId: string }) {
  const outcome = await triggerAutomation(db, { ...input, trigger: "COD_CONFIRMATION", buttons: [COD_PAYLOADS.confirm, COD_PAYLOADS.cancel] });
  if (outcome === "queued" || outcome === "scheduled") {
    await db.codConfirmation.upsert({ where: { orderId: input.orderId }, create: { shopId: input.shop.id, orderId: input.orderId }, update: {} });
  }
  return outcome;
}

/**
 * A quick-reply tap (Meta's `button` message, or an interactive `button_reply`)
 * on a COD confirmation: decides the order's outcome if it is still open.
 * Returns the outcome it set, or null when the tap changes nothing.
 */
export async function recordCodAnswer(db: Db, shopId: string, tap: { payload: string | undefined; contextWamid: string | undefined; at: Date }): Promise<CodStatus | null> {
  const answer = tap.payload ? ANSWERS[tap.payload] : undefined;
  if (!answer || !tap.contextWamid) return null;
  const asked = await db.message.findUnique({ where: { shopId_wamid: { shopId, wamid: tap.contextWamid } }, select: { orderId: true, order: { select: { cancelledAt: true } } } });
  // Cancelled in Shopify meanwhile: nothing left to confirm or cancel (the reply stays in the thread).
  if (!asked?.orderId || asked.order?.cancelledAt) return null;
  const decided = await db.codConfirmation.updateMany({ where: { shopId, orderId: asked.orderId, status: "ASKED" }, data: { status: answer, answeredAt: tap.at } });
  return decided.count > 0 ? answer : null;
}

interface FollowUpDeps {
  db: Db;
  /** Writes the outcome to Shopify (tags, and a cancellation if wanted); throws when Shopify could not take it now. */
  writeOutcome(shop: { id: string; domain: string; codCancelOrders: boolean }, order: { shopifyOrderId: string; cancelledAt: Date | null }, status: Exclude<CodStatus, "ASKED">): Promise<void>;
}

/**
 * The worker's round: reminders due, confirmations without an answer after
 * 24 h, and outcomes not yet written to Shopify. An order cancelled in Shopify
 * meanwhile gets neither reminder nor no-answer tag.
 */
export async function runCodFollowUps(deps: FollowUpDeps, now = new Date()): Promise<void> {
  const { db } = deps;
  const open = await db.codConfirmation.findMany({
    where: { status: "ASKED", askedAt: { lte: new Date(now.getTime() - HOUR_MS) } },
    include: { shop: true, order: { include: { contact: true } } },
    take: 200,
  });
  for (const cod of open) {
    if (cod.order.cancelledAt || cod.shop.uninstalledAt) continue;
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
        buttons: [COD_PAYLOADS.confirm, COD_PAYLOADS.cancel],
      });
    }
  }
  const decided = await db.codConfirmation.findMany({
    where: { status: { in: ["CONFIRMED", "CANCELLED", "NO_ANSWER"] }, syncedAt: null, OR: [{ nextSyncAt: null }, { nextSyncAt: { lte: now } }] },
    include: { shop: true, order: { select: { shopifyOrderId: true, cancelledAt: true } } },
    take: 50,
  });
  for (const cod of decided) {
    try {
      await deps.writeOutcome(cod.shop, cod.order, cod.status as Exclude<CodStatus, "ASKED">);
      await db.codConfirmation.update({ where: { id: cod.id }, data: { syncedAt: new Date(), syncError: null } });
    } catch (error) {
      // Shopify away, throttled past patience, or the order gone: tried again later, less and less often.
      const wait = Math.min(SYNC_BACKOFF_MAX_MS, SYNC_BACKOFF_MS * 2 ** cod.syncAttempts);
      await db.codConfirmation.update({
        where: { id: cod.id },
        data: { syncError: error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 500) : "Error", syncAttempts: { increment: 1 }, nextSyncAt: new Date(now.getTime() + wait) },
      });
    }
  }
}

export const codSettingsSchema = z.object({
  cancelOrders: z.enum(["on", "off"]).transform((v) => v === "on"),
  // Before the 24 h no-answer mark: at least an hour after asking, at most 23.
  reminderHours: z.coerce.number().int().min(1).max(COD_NO_ANSWER_HOURS - 1),
});

export async function saveCodSettings(db: Db, shopId: string, settings: z.infer<typeof codSettingsSchema>) {
  await db.shop.update({ where: { id: shopId }, data: { codCancelOrders: settings.cancelOrders, codReminderHours: settings.reminderHours } });
}

/** Confirmed / cancelled / no-answer counts of the COD confirmations asked since `since` (the home page's rates). */
export async function codOutcomes(db: Db, shopId: string, since: Date) {
  const rows = await db.codConfirmation.groupBy({ by: ["status"], where: { shopId, askedAt: { gte: since } }, _count: { _all: true } });
  const count = (status: CodStatus) => rows.find((r) => r.status === status)?._count._all ?? 0;
  return { asked: rows.reduce((sum, r) => sum + r._count._all, 0), confirmed: count("CONFIRMED"), cancelled: count("CANCELLED"), noAnswer: count("NO_ANSWER") };
}
