// The team page: how fast the shop answers, per person and per week (Monday
// first, in the shop's timezone), from the messages' own times. A first
// response runs from the customer's first message after the last answer to the
// next answer: staff in the app (by who sent it) or the phone app; automation
// sends, history and reactions or edits are no answer and no question. A wait
// that ends without an answer (closed, or marked handled), as the inbox's
// clock has it, is no first response. A resolution runs from the customer's
// first message after the conversation was last closed to its closing. Each
// counts in the week it ended, for whoever ended it.
import { TZDate } from "@date-fns/tz";

import { addOpenMinutes, readBusinessHours } from "./business-hours";
import { HANDOFF_REASONS, type HandoffReason } from "./conversations.server";
import type { Tx } from "../core/db.server";
import type { ConversationEvent, Message } from "../generated/prisma/client";
import { isTimeZone } from "../pricing/time";

export const REPORT_WEEKS = 8;

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long before the first week a wait or an open period may have begun: one begun earlier is measured from here. */
const LOOKBACK_MS = 28 * DAY_MS;
// Sized for a team of 2–10 people answering up to ~100 conversations a day of
// ~10 messages: the 12 weeks read are ~8,400 conversations and ~84,000
// messages, read by conversation through the (shopId, contactId, occurredAt)
// and (contactId, at) indexes. Beyond the bounds the most recently active
// conversations are kept whole and the page says the rest were left out.
const MAX_CONVERSATIONS = 10_000;
const MAX_MESSAGES = 150_000;
const MAX_EVENTS = 50_000;
const CHUNK = 500;

/** Staff replies that never reached the customer answer nothing. */
const NOT_SENT = ["FAILED", "SKIPPED", "CANCELLED"];

export interface Durations {
  count: number;
  /** Milliseconds; null without any. */
  median: number | null;
  p90: number | null;
}

export interface TeamRow {
  /** `staff:<id>`, or the actor type of everyone else: PHONE_APP, AUTOMATION, CUSTOMER. */
  key: string;
  /** A staff member's name; null for the phone app and the other actors. */
  name: string | null;
  actorType: string;
  /** Messages sent to customers (every answer, not only first ones). */
  answers: number;
  firstResponses: Durations & { met: number };
  resolutions: Durations;
  closed: number;
}

export interface TeamPeriod {
  /** Its first instant (a Monday's local midnight). */
  start: string;
  /** Per person: staff by name, then the phone app and other actors. */
  rows: TeamRow[];
  /** Everyone together. */
  total: TeamRow;
  handoffs: { total: number; byReason: Record<HandoffReason, number> };
  /** Share of answers sent from the phone app (0–1); null without answers. */
  phoneAppShare: number | null;
}

export interface TeamReport {
  timezone: string;
  targetMinutes: number;
  /** The whole window, then each week, newest first. */
  window: TeamPeriod;
  weeks: TeamPeriod[];
  /** Some conversations were left out (see the bounds above). */
  truncated: boolean;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(sorted: number[]): number | null {
  if (!sorted.length) return null;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest rank: the smallest value at least 90% of the values are at or below. */
export function p90(sorted: number[]): number | null {
  return sorted.length ? sorted[Math.ceil(sorted.length * 0.9) - 1]! : null;
}

/** The local midnights of the last `weeks` Mondays, oldest first; the last begins the week `now` is in. */
export function weekStarts(now: Date, timeZone: string, weeks = REPORT_WEEKS): Date[] {
  const local = new TZDate(now.getTime(), timeZone);
  const monday = local.getDate() - ((local.getDay() + 6) % 7);
  return Array.from({ length: weeks }, (_, i) => new Date(new TZDate(local.getFullYear(), local.getMonth(), monday - 7 * (weeks - 1 - i), 0, 0, 0, timeZone).getTime()));
}

type Item =
  | { type: "customer"; at: Date }
  | { type: "answer"; at: Date; who: string; name: string | null; phoneApp: boolean }
  | { type: "closed"; at: Date; who: string }
  | { type: "handled"; at: Date }
  | { type: "handoff"; at: Date; reason: string | null };

type Acc = { key: string; answers: number; phoneApp: number; responses: number[]; met: number; resolutions: number[]; closed: number };
type PeriodAcc = { rows: Map<string, Acc>; total: Acc; handoffs: TeamPeriod["handoffs"] };

const newAcc = (key: string): Acc => ({ key, answers: 0, phoneApp: 0, responses: [], met: 0, resolutions: [], closed: 0 });
const newPeriod = (): PeriodAcc => ({
  rows: new Map(),
  total: newAcc("total"),
  handoffs: { total: 0, byReason: Object.fromEntries(HANDOFF_REASONS.map((r) => [r, 0])) as Record<HandoffReason, number> },
});

/** The conversations active since `since`, most recent first, with their answers, customer messages, closings, handled marks and handoffs in that span. */
async function readHistory(db: Tx, shopId: string, since: Date, now: Date) {
  const conversations = await db.conversation.findMany({
    where: { shopId, lastMessageAt: { gte: since } },
    orderBy: [{ lastMessageAt: "desc" }, { contactId: "desc" }],
    take: MAX_CONVERSATIONS + 1,
    select: { contactId: true },
  });
  let truncated = conversations.length > MAX_CONVERSATIONS;
  const ids = conversations.slice(0, MAX_CONVERSATIONS).map((c) => c.contactId);
  const messages: Pick<Message, "contactId" | "source" | "staffUserId" | "staffName" | "occurredAt" | "createdAt">[] = [];
  const events: Pick<ConversationEvent, "contactId" | "kind" | "actorType" | "actorId" | "reason" | "at">[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const contactId = { in: ids.slice(i, i + CHUNK) };
    const more = await db.message.findMany({
      where: {
        shopId,
        contactId,
        occurredAt: { gte: since, lte: now },
        changeKind: null,
        OR: [
          { direction: "IN", source: "CUSTOMER" },
          { direction: "OUT", source: { in: ["STAFF", "PHONE_APP"] }, status: { notIn: NOT_SENT } },
        ],
      },
      select: { contactId: true, source: true, staffUserId: true, staffName: true, occurredAt: true, createdAt: true },
      take: MAX_MESSAGES - messages.length + 1,
    });
    const moreEvents = await db.conversationEvent.findMany({
      where: { shopId, contactId, kind: { in: ["CLOSED", "HANDLED", "HANDOFF"] }, at: { gte: since, lte: now } },
      select: { contactId: true, kind: true, actorType: true, actorId: true, reason: true, at: true },
      take: MAX_EVENTS - events.length + 1,
    });
    if (messages.length + more.length > MAX_MESSAGES || events.length + moreEvents.length > MAX_EVENTS) {
      truncated = true;
      break;
    }
    messages.push(...more);
    events.push(...moreEvents);
  }
  return { messages, events, truncated };
}

/**
 * Each conversation's history in order. WhatsApp stamps messages to the
 * second: within a second they go in the order received, before the steps.
 */
function itemsByConversation(history: Awaited<ReturnType<typeof readHistory>>): Item[][] {
  const byContact = new Map<string, { item: Item; order: number }[]>();
  const add = (contactId: string, item: Item, order: number) => {
    const list = byContact.get(contactId) ?? [];
    list.push({ item, order });
    byContact.set(contactId, list);
  };
  for (const m of history.messages) {
    const item: Item =
      m.source === "CUSTOMER"
        ? { type: "customer", at: m.occurredAt }
        : m.source === "PHONE_APP"
          ? { type: "answer", at: m.occurredAt, who: "PHONE_APP", name: null, phoneApp: true }
          : { type: "answer", at: m.occurredAt, who: `staff:${m.staffUserId ?? ""}`, name: m.staffName, phoneApp: false };
    add(m.contactId!, item, m.createdAt.getTime());
  }
  for (const e of history.events) {
    const item: Item =
      e.kind === "CLOSED"
        ? { type: "closed", at: e.at, who: e.actorType === "STAFF" ? `staff:${e.actorId ?? ""}` : e.actorType }
        : e.kind === "HANDLED"
          ? { type: "handled", at: e.at }
          : { type: "handoff", at: e.at, reason: e.reason };
    add(e.contactId, item, Number.MAX_SAFE_INTEGER);
  }
  return [...byContact.values()].map((list) => list.sort((a, b) => second(a.item.at) - second(b.item.at) || a.order - b.order).map((x) => x.item));
}

const second = (at: Date) => Math.floor(at.getTime() / 1000);

function durations(values: number[]): Durations {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, median: median(sorted), p90: p90(sorted) };
}

function rowOf(acc: Acc, names: Map<string, string>): TeamRow {
  const staff = acc.key.startsWith("staff:") ? acc.key.slice("staff:".length) : null;
  return {
    key: acc.key,
    name: staff === null ? null : (names.get(staff) ?? `#${staff}`),
    actorType: staff === null ? acc.key : "STAFF",
    answers: acc.answers,
    firstResponses: { ...durations(acc.responses), met: acc.met },
    resolutions: durations(acc.resolutions),
    closed: acc.closed,
  };
}

function periodOf(start: Date, p: PeriodAcc, names: Map<string, string>): TeamPeriod {
  const rows = [...p.rows.values()].map((acc) => rowOf(acc, names));
  rows.sort((a, b) => Number(a.actorType !== "STAFF") - Number(b.actorType !== "STAFF") || (a.name ?? a.key).localeCompare(b.name ?? b.key));
  return { start: start.toISOString(), rows, total: rowOf(p.total, names), handoffs: p.handoffs, phoneAppShare: p.total.answers ? p.total.phoneApp / p.total.answers : null };
}

/** The shop's last `REPORT_WEEKS` weeks up to `now`. */
export async function teamReport(db: Tx, shopId: string, now: Date): Promise<TeamReport> {
  const shop = await db.shop.findUniqueOrThrow({ where: { id: shopId }, select: { timezone: true, businessHours: true, firstResponseTargetMinutes: true } });
  const timezone = isTimeZone(shop.timezone) ? shop.timezone : "UTC";
  const hours = readBusinessHours(shop.businessHours);
  const targetMinutes = shop.firstResponseTargetMinutes;
  const starts = weekStarts(now, timezone);
  const history = await readHistory(db, shopId, new Date(starts[0]!.getTime() - LOOKBACK_MS), now);

  const whole = newPeriod();
  const weeks = starts.map(newPeriod);
  const weekOf = (at: Date) => {
    for (let i = starts.length - 1; i >= 0; i--) if (at >= starts[i]!) return weeks[i]!;
    return null;
  };
  const names = new Map<string, string>();
  const record = (week: PeriodAcc, who: string, change: (acc: Acc) => void) => {
    for (const period of [week, whole]) {
      const acc = period.rows.get(who) ?? newAcc(who);
      period.rows.set(who, acc);
      change(acc);
      change(period.total);
    }
  };

  for (const items of itemsByConversation(history)) {
    let waitingSince: Date | null = null;
    let openedAt: Date | null = null;
    for (const item of items) {
      if (item.type === "customer") {
        waitingSince ??= item.at;
        openedAt ??= item.at;
        continue;
      }
      if (item.type === "handled") {
        waitingSince = null;
        continue;
      }
      const week = weekOf(item.at);
      if (item.type === "answer") {
        if (item.name && !names.has(item.who.slice("staff:".length))) names.set(item.who.slice("staff:".length), item.name);
        const since = waitingSince;
        if (week) {
          const met = since !== null && item.at <= addOpenMinutes(hours, timezone, since, targetMinutes);
          record(week, item.who, (acc) => {
            acc.answers++;
            if (item.phoneApp) acc.phoneApp++;
            if (since) acc.responses.push(item.at.getTime() - since.getTime());
            if (met) acc.met++;
          });
        }
        waitingSince = null;
      } else if (item.type === "closed") {
        const took = openedAt ? item.at.getTime() - openedAt.getTime() : null;
        if (week)
          record(week, item.who, (acc) => {
            acc.closed++;
            if (took !== null) acc.resolutions.push(took);
          });
        openedAt = null;
        waitingSince = null;
      } else if (week) {
        for (const period of [week, whole]) {
          period.handoffs.total++;
          const reason = HANDOFF_REASONS.find((r) => r === item.reason);
          if (reason) period.handoffs.byReason[reason]++;
        }
      }
    }
  }

  // The directory's current names win over the name a message was sent under.
  const staffIds = [...new Set([...whole.rows.keys()].filter((k) => k.startsWith("staff:")).map((k) => k.slice("staff:".length)))];
  for (const member of await db.staffMember.findMany({ where: { shopId, userId: { in: staffIds } }, select: { userId: true, name: true } })) names.set(member.userId, member.name);

  return {
    timezone,
    targetMinutes,
    window: periodOf(starts[0]!, whole, names),
    weeks: starts.map((start, i) => periodOf(start, weeks[i]!, names)).reverse(),
    truncated: history.truncated,
  };
}
