// What the app answers by itself when a customer types a message: the order's
// status when they ask where it is (or a person, when it cannot tell which
// order), and outside opening hours one away reply per closed period. Each
// answer is a message row queued for the dispatcher (free text, so only
// inside the 24 h service window), written with its REPLIED step in one
// transaction under a unique idempotency key: a replayed webhook, even one
// whose first handling failed before answering, answers once.
import { awayText, orderStatusText } from "./auto-answer-texts";
import { closedPeriodStart, nextOpening, readBusinessHours } from "./business-hours";
import { recordEvent, requestPerson, touchConversation } from "./conversations.server";
import { searchable } from "./inbox-list.server";
import type { Db, Tx } from "../core/db.server";
import { isUniqueViolation } from "../core/db-errors.server";
import { STATUS_RANK } from "../core/domain";
import type { Contact, Message, Order, Shop } from "../generated/prisma/client";
import { type Locale, resolveLocale } from "../i18n";
import { serviceWindow } from "./threads.server";

/**
 * A customer asking where their order is, in es, pt or en, read without
 * accents, case or punctuation. A bare "pedido" or "order" is not enough
 * ("quiero hacer un pedido"): it takes a question about one, or tracking.
 */
const ORDER_QUESTIONS = [
  /\b(donde|cuando) (esta|estan|anda|queda|quedo|viene|llega|llegara) (mi|mis|el|la) (pedido|pedidos|orden|compra|paquete|envio)\b/,
  /\bestado (de|del) (mi |mis |la )?(pedido|orden|compra|envio|paquete)\b/,
  /\b(mi|el) (pedido|paquete|envio) (no|aun no|todavia no) (ha )?(llega|llegado|llego)\b/,
  /\b(seguimiento|rastreo|rastrear|numero de guia)\b/,
  /\b(cade|onde esta|onde ta|quando chega) (o |a )?(meu|minha|meus|minhas) (pedido|pedidos|encomenda|compra|pacote)\b/,
  /\b(status|situacao|andamento) do (meu )?pedido\b/,
  /\bmeu pedido (ainda )?nao chegou\b/,
  /\b(rastreio|rastreamento)\b/,
  /\bwhere (is|s|are) my (order|orders|package|parcel|delivery|shipment)\b/,
  /\b(order|delivery|shipping) status\b/,
  /\bstatus of my (order|package|delivery)\b/,
  /\bmy (order|package|parcel) (has not|hasn t|hasnt|did not|didn t|didnt) (arrived|arrive|come)\b/,
  /\b(tracking|track my (order|package|parcel))\b/,
];

function words(text: string): string {
  return searchable(text)
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

function asksAboutOrder(text: string | null): boolean {
  if (!text) return false;
  const read = words(text);
  return ORDER_QUESTIONS.some((question) => question.test(read));
}

/** Order numbers the customer wrote ("#1001", "pedido 1001"): the digits of each. */
function orderNumbersIn(text: string): string[] {
  return [...text.matchAll(/#?\b(\d{3,})\b/g)].map((match) => match[1]!);
}

const digitsOf = (name: string) => name.replace(/\D/g, "");

/** Orders older than this are not what a customer asking "where is my order" means. */
const RECENT_ORDER_MS = 60 * 24 * 60 * 60 * 1000;

/**
 * The order the customer asks about, or null when unsure: the one they name
 * by number, else their only open one (not cancelled, not delivered, recent).
 */
async function orderAskedAbout(db: Db, shopId: string, contactId: string, text: string, now: Date): Promise<Order | null> {
  const since = new Date(now.getTime() - RECENT_ORDER_MS);
  const recent = await db.order.findMany({
    // Shopify's date (a backfilled order was stored lately but placed long ago).
    where: { shopId, contactId, cancelledAt: null, OR: [{ processedAt: { gte: since } }, { processedAt: null, createdAt: { gte: since } }] },
    orderBy: { createdAt: "desc" },
    take: 20,
  });
  const named = orderNumbersIn(text);
  const candidates = named.length ? recent.filter((o) => named.includes(digitsOf(o.name))) : recent.filter((o) => o.shipmentStatus !== "delivered");
  return candidates.length === 1 ? candidates[0]! : null;
}

/** The customer's language: theirs, else their latest order's, else the shop's. */
async function customerLocale(db: Db, shop: Shop, contact: Contact): Promise<Locale> {
  if (contact.locale) return resolveLocale(contact.locale);
  const latest = await db.order.findFirst({ where: { shopId: shop.id, contactId: contact.id, locale: { not: null } }, orderBy: { createdAt: "desc" }, select: { locale: true } });
  return resolveLocale(latest?.locale ?? shop.locale);
}

type Reply = { key: string; text: string; orderId: string | null };

/** The answer's row (queued for the dispatcher), the conversation moved on and its REPLIED step, together; nothing when the key was answered already or `claim` refuses. */
async function queueReply(db: Db, shopId: string, contact: Contact, reply: Reply, claim?: (tx: Tx) => Promise<boolean>): Promise<void> {
  try {
    await db.$transaction(async (tx) => {
      if (claim && !(await claim(tx))) return;
      const row = await tx.message.create({
        data: {
          shopId,
          direction: "OUT",
          source: "AUTOMATION",
          type: "text",
          contactId: contact.id,
          orderId: reply.orderId,
          recipientPhone: contact.phoneE164,
          market: contact.market,
          body: reply.text,
          params: { text: reply.text },
          idempotencyKey: reply.key,
          status: "QUEUED",
          statusRank: STATUS_RANK.QUEUED,
        },
      });
      await touchConversation(tx, row);
      await recordEvent(tx, shopId, contact.id, "REPLIED", { type: "AUTOMATION" });
    });
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
}

type CustomerMessage = Pick<Message, "wamid" | "contactId" | "orderId" | "body" | "occurredAt">;

/** A where-is-my-order answer is not repeated for the same order within this, unless its status changed. */
const ORDER_ANSWER_REPEAT_MS = 30 * 60 * 1000;

/**
 * Answers a message the customer typed, if a rule applies: where-is-my-order
 * first (it replaces the away reply; a handoff still gets it), then the away
 * reply while the shop is closed. A conversation someone has taken is theirs
 * to answer: no order answer there.
 */
export async function answerCustomerMessage(db: Db, shop: Shop, message: CustomerMessage, now = new Date()): Promise<void> {
  if (!message.contactId || !message.wamid || !message.body) return;
  const wantsOrder = shop.orderStatusAnswers && asksAboutOrder(message.body);
  if (!wantsOrder && !shop.awayMessageEnabled) return;
  const contact = await db.contact.findFirst({ where: { id: message.contactId, shopId: shop.id }, include: { conversation: { select: { assigneeId: true, awayPeriodStart: true } } } });
  // The window this message opened (not the contact's: a replay may find that not yet moved on); a message older than it goes unanswered.
  if (!contact?.phoneE164 || !serviceWindow({ lastInboundAt: message.occurredAt }, now).open) return;
  const hours = readBusinessHours(shop.businessHours);
  // Closed when the customer wrote and still now, in the same closed period (a late webhook finds the shop open again).
  const period = shop.awayMessageEnabled ? closedPeriodStart(hours, shop.timezone, message.occurredAt) : null;
  const stillClosed = period && closedPeriodStart(hours, shop.timezone, now)?.getTime() === period.getTime() ? period : null;
  if (wantsOrder && !contact.conversation?.assigneeId) {
    const order = await orderAskedAbout(db, shop.id, contact.id, message.body, now);
    if (order) {
      const text = orderStatusText(await customerLocale(db, shop, contact), order);
      if (await answeredLately(db, shop.id, order.id, text, now)) return;
      await queueReply(db, shop.id, contact, { key: `ORDER_STATUS:${message.wamid}`, text, orderId: order.id }, async (tx) => {
        if (stillClosed) await claimAwayPeriod(tx, shop.id, contact.id, stillClosed);
        return true;
      });
      return;
    }
    await requestPerson(db, shop.id, contact.id, "ORDER_STATUS", { type: "AUTOMATION" });
  }
  if (stillClosed && !(contact.conversation?.awayPeriodStart && contact.conversation.awayPeriodStart >= stillClosed)) {
    await sendAwayReply(db, shop, contact, stillClosed, message);
  }
}

/** The same answer about the order went out a moment ago (the customer asking twice, another auto-responder): not again. */
async function answeredLately(db: Db, shopId: string, orderId: string, text: string, now: Date): Promise<boolean> {
  const recent = await db.message.findFirst({
    where: { shopId, orderId, source: "AUTOMATION", idempotencyKey: { startsWith: "ORDER_STATUS:" }, createdAt: { gte: new Date(now.getTime() - ORDER_ANSWER_REPEAT_MS) } },
    orderBy: { createdAt: "desc" },
    select: { body: true },
  });
  return recent?.body === text;
}

/** The closed period is answered (by an away reply, or an order answer that replaces it); it only moves forward. */
async function claimAwayPeriod(tx: Tx, shopId: string, contactId: string, period: Date): Promise<boolean> {
  const claimed = await tx.conversation.updateMany({ where: { contactId, shopId, OR: [{ awayPeriodStart: null }, { awayPeriodStart: { lt: period } }] }, data: { awayPeriodStart: period } });
  return claimed.count === 1;
}

async function sendAwayReply(db: Db, shop: Shop, contact: Contact, period: Date, message: CustomerMessage) {
  // Someone answering after hours (in the app or the phone app) needs no away reply on their behalf.
  const answered = await db.message.count({ where: { shopId: shop.id, contactId: contact.id, direction: "OUT", source: { in: ["STAFF", "PHONE_APP"] }, occurredAt: { gte: period } } });
  if (answered) return;
  const hours = readBusinessHours(shop.businessHours);
  const text = awayText(await customerLocale(db, shop, contact), nextOpening(hours, shop.timezone, message.occurredAt), shop.timezone);
  // The period is claimed once, by the message whose reply commits with the
  // claim (a failed answer rolls it back, so a replay claims it again); a late
  // replay from an earlier period answers nothing.
  await queueReply(db, shop.id, contact, { key: `AWAY:${contact.id}:${period.getTime()}`, text, orderId: message.orderId }, (tx) => claimAwayPeriod(tx, shop.id, contact.id, period));
}
