// A conversation per contact, with or without an order (an ad lead, a
// question before buying), kept current as messages are written. Unread: the
// customer wrote after staff last opened it. Needs reply: the last word is the
// customer's, written after it was last marked handled. Also its handoff to a
// person, its assignment, closing and notes, and their audit trail (the list
// and its search: inbox-list.server.ts).
import { z } from "zod";

import { addOpenMinutes, readBusinessHours } from "./business-hours";
import { refreshSearchText, searchable, searchTextOf } from "./inbox-list.server";
import type { Tx } from "../core/db.server";
import { singleStatementUpsert } from "../core/db-errors.server";
import type { Staff } from "../shopify/staff.server";
import { type Message, Prisma, type Shop } from "../generated/prisma/client";
import { log } from "../core/log.server";

type Written = Pick<Message, "shopId" | "contactId" | "direction" | "source" | "status" | "changeKind" | "type" | "body" | "occurredAt" | "createdAt">;

/** Words a customer uses to ask for a person (es, pt, en), read without accents or case. */
const HANDOFF_WORDS = new Set([
  "humano",
  "humana",
  "persona",
  "asesor",
  "asesora",
  "agente",
  "operador",
  "operadora",
  "atendente",
  "atendimento",
  "pessoa",
  "human",
  "agent",
  "person",
  "representative",
]);

/** The customer asks for a person: one of the handoff words anywhere in the message. */
export function asksForPerson(text: string | null): boolean {
  return Boolean(
    text &&
    searchable(text)
      .split(/[^\p{L}]+/u)
      .some((word) => HANDOFF_WORDS.has(word)),
  );
}

/** Customer messages without an answer that put the conversation in front of a person. */
const UNANSWERED_HANDOFF = 3;

/** What the turn rules read of the shop: the first-response target and opening hours, the phone-app hold, the VIP rule. */
const turnSettings = {
  timezone: true,
  businessHours: true,
  firstResponseTargetMinutes: true,
  phoneAppHoldHours: true,
  vipCustomerTag: true,
  vipSpendMicros: true,
} as const;

/**
 * A message joined the contact's conversation. Any message may become the
 * latest; only a turn moves the conversation on: the customer writing (it is
 * unread, reopened, and needs a reply while the last word is theirs; the
 * first unanswered message starts the first-response clock) or staff
 * answering in the app or the phone app (it no longer needs one). Automation
 * sends, imported history and reactions, edits or deletions are no turn.
 * A customer message older than the latest turn (delivered late) is kept but
 * moves nothing.
 */
export async function touchConversation(db: Tx, message: Written) {
  const { contactId, occurredAt, shopId } = message;
  if (!contactId) return;
  // A send WhatsApp refused answers nobody; WhatsApp's own notice (a changed number) asks nobody.
  const turn =
    message.changeKind || message.status === "FAILED" || message.type === "system"
      ? null
      : message.direction === "IN" && message.source === "CUSTOMER"
        ? "IN"
        : message.source === "STAFF" || message.source === "PHONE_APP"
          ? "OUT"
          : null;
  const existing = await db.conversation.findUnique({ where: { contactId }, select: { contactId: true } });
  // Another message of the same contact may create it at the same time: one INSERT … ON CONFLICT, which
  // then returns that conversation (with its own, maybe older, time). See singleStatementUpsert.
  const searchText = existing ? null : await searchTextOf(db, contactId);
  const started =
    searchText === null
      ? null
      : await db.conversation.upsert({
          where: { contactId },
          create: { contactId, shopId, lastMessageAt: occurredAt, searchText },
          update: singleStatementUpsert({ shopId }),
          select: { lastMessageAt: true },
        });
  // An order recorded between the text's read and the conversation's write found no conversation to
  // put its number in (refreshSearchText passes over a contact without one), so the text is read
  // again now that the conversation exists. Written statement by statement, as webhooks are handled,
  // one of the two sees the other; inside a longer transaction this narrows the gap to its commit.
  // Only the search text is at stake: a refresh that keeps losing to other writers is logged, never
  // allowed to fail the message (whose retry would find it stored and skip the rest of its handling).
  if (searchText !== null && (await searchTextOf(db, contactId)) !== searchText) {
    await refreshSearchText(db, contactId).catch((error: unknown) => {
      if (error instanceof Prisma.PrismaClientKnownRequestError || error instanceof Prisma.PrismaClientUnknownRequestError) throw error;
      log.warn({ err: error }, "The new conversation's search text could not be brought up to date");
    });
  }
  if (!started || started.lastMessageAt < occurredAt) {
    await db.conversation.updateMany({ where: { contactId, lastMessageAt: { lt: occurredAt } }, data: { lastMessageAt: occurredAt } });
  }
  if (!turn) return;
  // WhatsApp stamps a customer's message to the second: one stamped in the second of the latest answer came after it.
  const latest = turn === "IN" ? { lt: new Date(occurredAt.getTime() + 1000) } : { lte: occurredAt };
  const later = { contactId, OR: [{ lastTurnAt: null }, { lastTurnAt: latest }] };
  const afterLastAnswer = { OR: [{ lastAnswerAt: null }, { lastAnswerAt: latest }] };
  if (turn === "OUT") {
    await db.conversation.updateMany({ where: later, data: { lastDirection: "OUT", lastTurnAt: occurredAt, needsReply: false } });
    // It answers the wait that began before it; a customer message stamped after it (handled first) still waits.
    const answered = await db.conversation.updateMany({
      where: { contactId, AND: [afterLastAnswer, { OR: [{ waitingSince: null }, { waitingSince: { lte: occurredAt } }] }] },
      data: answeredAt(occurredAt),
    });
    if (!answered.count) await db.conversation.updateMany({ where: { contactId, ...afterLastAnswer }, data: { lastAnswerAt: occurredAt } });
    if (message.source === "PHONE_APP") await holdMarketingAfterPhoneApp(db, shopId, contactId, occurredAt);
    return;
  }
  await reopenConversation(db, shopId, contactId, { type: "CUSTOMER" });
  await db.conversation.updateMany({
    where: { contactId, OR: [{ lastInboundAt: null }, { lastInboundAt: { lt: message.createdAt } }] },
    data: { lastInboundAt: message.createdAt, unread: true },
  });
  if (asksForPerson(message.body)) await requestPerson(db, shopId, contactId, "ASKED", { type: "CUSTOMER" });
  await db.conversation.updateMany({ where: later, data: { lastDirection: "IN", lastTurnAt: occurredAt, needsReply: true } });
  // Waiting for an answer: every customer message since the last one, handled in any order; the clock starts at the first.
  const [waiting] = await db.conversation.updateManyAndReturn({
    where: { contactId, ...afterLastAnswer },
    data: { unansweredCount: { increment: 1 } },
    select: { waitingSince: true, assigneeId: true, needsPerson: true, unansweredCount: true },
  });
  if (!waiting) return;
  const shop = await db.shop.findUniqueOrThrow({ where: { id: shopId }, select: turnSettings });
  if (!waiting.waitingSince || waiting.waitingSince > occurredAt) {
    const dueAt = addOpenMinutes(readBusinessHours(shop.businessHours), shop.timezone, occurredAt, shop.firstResponseTargetMinutes);
    await db.conversation.updateMany({ where: { contactId, OR: [{ waitingSince: null }, { waitingSince: { gt: occurredAt } }] }, data: { waitingSince: occurredAt, replyDueAt: dueAt } });
  }
  // The rules hand over a conversation nobody has taken; one taken stays with its person.
  if (waiting.assigneeId || waiting.needsPerson) return;
  if (waiting.unansweredCount >= UNANSWERED_HANDOFF) await requestPerson(db, shopId, contactId, "UNANSWERED", { type: "AUTOMATION" });
  else await handOverVip(db, { id: shopId, ...shop }, contactId);
}

/** Answered (or dealt with) at `at`: nothing before it waits for a reply, the first-response clock stops. */
function answeredAt(at: Date) {
  return { lastAnswerAt: at, unansweredCount: 0, waitingSince: null, replyDueAt: null };
}

/** The merchant answered from the phone app: automated marketing to the customer waits for the shop's hold. */
async function holdMarketingAfterPhoneApp(db: Tx, shopId: string, contactId: string, at: Date) {
  const { phoneAppHoldHours } = await db.shop.findUniqueOrThrow({ where: { id: shopId }, select: { phoneAppHoldHours: true } });
  if (phoneAppHoldHours <= 0) return;
  const until = new Date(at.getTime() + phoneAppHoldHours * 60 * 60 * 1000);
  await db.conversation.updateMany({ where: { contactId, OR: [{ marketingHeldUntil: null }, { marketingHeldUntil: { lt: until } }] }, data: { marketingHeldUntil: until } });
}

/** A VIP customer waiting for an answer, in an open conversation nobody has taken, goes to a person. */
export async function handOverVip(db: Tx, shop: Pick<Shop, "id" | "vipCustomerTag" | "vipSpendMicros">, contactId: string) {
  if (!(await isVip(db, shop, contactId))) return;
  const waiting = await db.conversation.count({ where: { contactId, shopId: shop.id, status: "OPEN", needsReply: true, assigneeId: null } });
  if (waiting) await requestPerson(db, shop.id, contactId, "VIP", { type: "AUTOMATION" });
}

/** The shop's VIP rule, read against the customer's facts as last read from Shopify (customer-facts.server.ts keeps them). */
async function isVip(db: Tx, shop: Pick<Shop, "id" | "vipCustomerTag" | "vipSpendMicros">, contactId: string): Promise<boolean> {
  if (!shop.vipCustomerTag && shop.vipSpendMicros === null) return false;
  const contact = await db.contact.findFirst({ where: { id: contactId, shopId: shop.id }, select: { customerTags: true, amountSpentMicros: true } });
  if (!contact) return false;
  const tag = shop.vipCustomerTag?.trim().toLowerCase();
  const tags = z
    .array(z.string())
    .catch([])
    .parse(contact.customerTags ?? []);
  if (tag && tags.some((t) => t.trim().toLowerCase() === tag)) return true;
  return shop.vipSpendMicros !== null && contact.amountSpentMicros !== null && contact.amountSpentMicros >= shop.vipSpendMicros;
}

/** Why a conversation needs a person: asked for one, a VIP customer, three messages unanswered, a quick reply the automation cannot handle, an order question it could not answer. */
export const HANDOFF_REASONS = ["ASKED", "VIP", "UNANSWERED", "QUICK_REPLY", "ORDER_STATUS"] as const;
export type HandoffReason = (typeof HANDOFF_REASONS)[number];

/** Puts an open conversation nobody has taken in the "needs a person" view (once, until someone takes it or closes it), with a HANDOFF step saying why. */
export async function requestPerson(db: Tx, shopId: string, contactId: string, reason: HandoffReason, actor: Actor) {
  const asked = await db.conversation.updateMany({ where: { contactId, shopId, status: "OPEN", assigneeId: null, needsPerson: false }, data: { needsPerson: true, handoffReason: reason } });
  if (asked.count) await recordEvent(db, shopId, contactId, "HANDOFF", actor, { reason });
}

/** The customer tapped a button of an automated message that the automation does not act on: a person answers it (unless someone has it already). */
export async function handOverUnhandledTap(db: Tx, shopId: string, contactId: string, tappedWamid: string) {
  const tapped = await db.message.findUnique({ where: { shopId_wamid: { shopId, wamid: tappedWamid } }, select: { source: true } });
  if (tapped?.source !== "AUTOMATION") return;
  if (await db.conversation.count({ where: { contactId, shopId, status: "OPEN", assigneeId: null } })) await requestPerson(db, shopId, contactId, "QUICK_REPLY", { type: "AUTOMATION" });
}

export async function markConversationViewed(db: Tx, shopId: string, contactId: string) {
  await db.conversation.updateMany({ where: { contactId, shopId }, data: { unread: false } });
}

/** Staff answered or dealt with it: it needs no reply until the customer writes again. */
export async function markConversationHandled(db: Tx, shopId: string, contactId: string, staff: Staff) {
  const changed = await db.conversation.updateMany({ where: { contactId, shopId }, data: { needsReply: false, ...answeredAt(new Date()) } });
  if (changed.count) await recordEvent(db, shopId, contactId, "HANDLED", byStaff(staff));
}

export const EVENT_KINDS = ["ASSIGNED", "UNASSIGNED", "CLOSED", "REOPENED", "NOTE", "REPLIED", "HANDLED", "OPTED_OUT", "OPTED_IN", "HANDOFF"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export type Actor = { type: "STAFF"; id: string } | { type: "AUTOMATION" | "PHONE_APP" | "CUSTOMER" };

const byStaff = (staff: Staff): Actor => ({ type: "STAFF", id: staff.id });

/** Adds a step to the conversation's audit trail (a contact without a conversation yet has none to add to). */
export async function recordEvent(db: Tx, shopId: string, contactId: string, kind: EventKind, actor: Actor, details: { targetId?: string; body?: string; reason?: string } = {}) {
  const conversation = await db.conversation.findFirst({ where: { contactId, shopId }, select: { contactId: true } });
  if (!conversation) return;
  await db.conversationEvent.create({ data: { shopId, contactId, kind, actorType: actor.type, actorId: actor.type === "STAFF" ? actor.id : null, ...details } });
}

/** The actor an opt-out's recorded source names: a staff member (`staff:<id>`), or the customer (in WhatsApp or by keyword). */
export function actorOfSource(source: string): Actor {
  return source.startsWith("staff:") ? { type: "STAFF", id: source.slice("staff:".length) } : { type: "CUSTOMER" };
}

/** A refusal names the field and says why in a code the page words (`actionError.<code>`). */
export type ActionResult =
  { ok: true } | { ok: false; field: string; code: "notStaff" | "noConversation" | "noteEmpty" | "noteTooLong" | "reasonRequired" | "reasonTooLong" | "notOptedOut" | "optedOutInWhatsApp" };

/** Assigns the conversation to a staff member of the shop (one who has used the app), or to nobody. */
export async function assignConversation(db: Tx, shopId: string, contactId: string, staff: Staff, assigneeId: string | null): Promise<ActionResult> {
  if (assigneeId && !(await db.staffMember.findUnique({ where: { shopId_userId: { shopId, userId: assigneeId } } }))) {
    return { ok: false, field: "assigneeId", code: "notStaff" };
  }
  const conversation = await db.conversation.findFirst({ where: { contactId, shopId }, select: { assigneeId: true } });
  if (!conversation) return { ok: false, field: "conversation", code: "noConversation" };
  if (conversation.assigneeId === assigneeId) return { ok: true };
  // Someone took it: it no longer waits for a person.
  await db.conversation.updateMany({ where: { contactId, shopId }, data: { assigneeId, ...(assigneeId ? { needsPerson: false, handoffReason: null } : {}) } });
  await recordEvent(db, shopId, contactId, assigneeId ? "ASSIGNED" : "UNASSIGNED", byStaff(staff), assigneeId ? { targetId: assigneeId } : {});
  return { ok: true };
}

/** Closed: done for now; it leaves the open views and needs no reply. A customer message reopens it. */
export async function closeConversation(db: Tx, shopId: string, contactId: string, staff: Staff): Promise<ActionResult> {
  const changed = await db.conversation.updateMany({
    where: { contactId, shopId, status: "OPEN" },
    data: { status: "CLOSED", needsReply: false, ...answeredAt(new Date()), needsPerson: false, handoffReason: null },
  });
  if (changed.count) await recordEvent(db, shopId, contactId, "CLOSED", byStaff(staff));
  return { ok: true };
}

export async function reopenConversation(db: Tx, shopId: string, contactId: string, actor: Actor): Promise<void> {
  const changed = await db.conversation.updateMany({ where: { contactId, shopId, status: "CLOSED" }, data: { status: "OPEN" } });
  if (changed.count) await recordEvent(db, shopId, contactId, "REOPENED", actor);
}

/** An internal note: for the team only, never sent to the customer. */
export async function addNote(db: Tx, shopId: string, contactId: string, staff: Staff, text: string): Promise<ActionResult> {
  const body = text.trim();
  if (!body) return { ok: false, field: "note", code: "noteEmpty" };
  if (body.length > 2000) return { ok: false, field: "note", code: "noteTooLong" };
  if (!(await db.conversation.findFirst({ where: { contactId, shopId }, select: { contactId: true } }))) return { ok: false, field: "conversation", code: "noConversation" };
  await recordEvent(db, shopId, contactId, "NOTE", byStaff(staff), { body });
  return { ok: true };
}

/** The audit trail's newest 500 steps, oldest first, with staff named as the shop's directory has them. */
export async function conversationEvents(db: Tx, shopId: string, contactId: string) {
  const events = (await db.conversationEvent.findMany({ where: { shopId, contactId }, orderBy: { at: "desc" }, take: 500 })).reverse();
  const ids = [...new Set(events.flatMap((e) => [e.actorId, e.targetId]).filter((id): id is string => Boolean(id)))];
  const members = await db.staffMember.findMany({ where: { shopId, userId: { in: ids } }, select: { userId: true, name: true } });
  const name = (id: string | null) => (id ? (members.find((m) => m.userId === id)?.name ?? `#${id}`) : null);
  return events.map((e) => ({ id: e.id, kind: e.kind, actorType: e.actorType, actor: name(e.actorId), target: name(e.targetId), body: e.body, reason: e.reason, at: e.at.toISOString() }));
}

/** The shop's staff who have used the app: whom a conversation can be assigned to. */
export async function staffDirectory(db: Tx, shopId: string) {
  return db.staffMember.findMany({ where: { shopId }, orderBy: { name: "asc" }, select: { userId: true, name: true } });
}

/** While a person handles it, automated marketing is rechecked this often. */
const PERSON_HOLD_RECHECK_MS = 60 * 60 * 1000;

/**
 * Until when automated marketing to the contact waits, or null: while a
 * person owns the open conversation (assigned, or asked for), and within the
 * hold after the merchant answered from the phone app.
 */
export async function marketingHeldUntil(db: Tx, contactId: string, now = new Date()): Promise<Date | null> {
  const c = await db.conversation.findUnique({ where: { contactId }, select: { status: true, assigneeId: true, needsPerson: true, marketingHeldUntil: true } });
  if (!c) return null;
  const phoneApp = c.marketingHeldUntil && c.marketingHeldUntil > now ? c.marketingHeldUntil : null;
  const person = c.status === "OPEN" && (c.assigneeId || c.needsPerson) ? new Date(now.getTime() + PERSON_HOLD_RECHECK_MS) : null;
  if (!phoneApp) return person;
  return person && person > phoneApp ? person : phoneApp;
}
