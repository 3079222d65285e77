// The inbox's list: a page of the shop's conversations, latest first, by view
// (filter tab) and search. Search reads a text kept with the conversation: the
// name without accents or case, the phone's digits and the contact's order
// numbers (conversations.server.ts keeps the conversations themselves current).
import { z } from "zod";

import { formatPhone } from "./phone-format";
import { sentTemplateText } from "../whatsapp/template-text";
import type { Tx } from "../core/db.server";
import type { InboxFilter } from "../core/domain";

/**
 * Lower case, without accents or extra spaces: "Lúcía  Núñez" and "lucia nunez"
 * read the same. `%` and `_` become their full-width forms, so in a search
 * (LIKE, which Prisma's `contains` does not escape) they stand for themselves.
 */
export function searchable(text: string): string {
  return text
    .normalize("NFD")
    .replace(/\p{Diacritic}/gu, "")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim()
    .replace(/%/g, "\uff05")
    .replace(/_/g, "\uff3f");
}

/** The contact's search text: name, phone digits and order numbers. */
export async function searchTextOf(db: Tx, contactId: string): Promise<string> {
  const contact = await db.contact.findUnique({ where: { id: contactId }, select: { name: true, phoneE164: true, orders: { select: { name: true }, orderBy: { createdAt: "desc" }, take: 50 } } });
  if (!contact) return "";
  return searchable([contact.name ?? "", contact.phoneE164?.replace(/\D/g, "") ?? "", ...contact.orders.map((o) => o.name)].join(" "));
}

/** Attempts before refreshSearchText gives up: each failed one found the text changed by another writer. */
const REFRESH_ATTEMPTS = 5;

/**
 * The contact's name, phone or orders changed: the search text follows. A
 * contact without a conversation yet has none to change (its first message
 * writes the conversation with the text, and reads the text again once it is
 * written: touchConversation), so nothing more is read for it; the answer
 * says which it was.
 *
 * Two processes may record orders of one customer at once, each computing the
 * text from the orders it can see. So the text is read before the orders and
 * replaced only if it is still the text that was read. Another process's text
 * committed before that read came with its order, which the orders read then
 * sees (each statement reads what is committed: PostgreSQL's READ COMMITTED,
 * SQLite's one writer); one written after it makes the update match nothing,
 * and the text is computed again. Written unconditionally, the later write
 * dropped the other process's order.
 */
export async function refreshSearchText(db: Tx, contactId: string): Promise<{ conversation: boolean }> {
  for (let attempt = 1; attempt <= REFRESH_ATTEMPTS; attempt++) {
    const conversation = await db.conversation.findUnique({ where: { contactId }, select: { searchText: true } });
    if (!conversation) return { conversation: false };
    const searchText = await searchTextOf(db, contactId);
    if (searchText === conversation.searchText) return { conversation: true };
    const { count } = await db.conversation.updateMany({ where: { contactId, searchText: conversation.searchText }, data: { searchText } });
    if (count > 0) return { conversation: true };
  }
  throw new Error(`The conversation's search text changed under ${REFRESH_ATTEMPTS} rewrites in a row`);
}

/** Conversations the migration made have no search text yet: built a batch at a time (the worker's loop); how many. */
export async function buildMissingSearchText(db: Tx, take = 500): Promise<number> {
  const missing = await db.conversation.findMany({ where: { searchText: "" }, select: { contactId: true }, take });
  // A contact with nothing to search by gets a space: built, and not picked again. A text written
  // meanwhile (refreshSearchText) is newer than this one: kept.
  for (const { contactId } of missing) await db.conversation.updateMany({ where: { contactId, searchText: "" }, data: { searchText: (await searchTextOf(db, contactId)) || " " } });
  return missing.length;
}

/** `?after=`: the last row of a page, as `nextCursor` gave it. */
const cursorSchema = z
  .string()
  .regex(/^\d{13}_[\w-]{1,64}$/)
  .transform((value) => ({ at: new Date(Number(value.slice(0, 13))), contactId: value.slice(14) }));

export function parseInboxCursor(raw: string | null): { at: Date; contactId: string } | null {
  const parsed = cursorSchema.safeParse(raw ?? "");
  return parsed.success ? parsed.data : null;
}

export interface InboxRow {
  contactId: string;
  name: string | null;
  /** Formatted for reading ("+55 11 98765 4321"). */
  phone: string | null;
  /** The contact's latest orders (newest first). */
  orders: { shopifyOrderId: string; name: string }[];
  lastMessage: { direction: string; source: string; type: string; text: string | null; templateName: string | null; deleted: boolean; at: string } | null;
  unread: boolean;
  needsReply: boolean;
  closed: boolean;
  /** The customer asked for a person and nobody has taken it yet. */
  needsPerson: boolean;
  /** Open, waiting for a reply, and past the shop's first-response target. */
  overdue: boolean;
  /** How long the customer has waited for an answer (since their first unanswered message); null when not waiting. */
  waitingMs: number | null;
  /** Why: ASKED, VIP, UNANSWERED, QUICK_REPLY or ORDER_STATUS (null for a handoff older than the reasons). */
  handoffReason: string | null;
  /** The staff member answering it, by name. */
  assignee: string | null;
}

/** The search as the stored text reads: words without accents, or a phone's digits typed in any format. */
function searchFilter(query: string) {
  const words = searchable(query);
  const digits = query.replace(/\D/g, "");
  const phoneLike = digits.length >= 4 && !/\p{L}/u.test(query);
  return { OR: [...(words ? [{ searchText: { contains: words } }] : []), ...(phoneLike ? [{ searchText: { contains: digits } }] : [])] };
}

function viewFilter(filter: InboxFilter, staffId: string | undefined, now: Date) {
  if (filter === "closed") return { status: "CLOSED" };
  const open = { status: "OPEN" };
  if (filter === "mine") return { ...open, assigneeId: staffId ?? "" };
  if (filter === "unassigned") return { ...open, assigneeId: null };
  if (filter === "needs-person") return { ...open, needsPerson: true };
  if (filter === "unread") return { ...open, unread: true };
  if (filter === "needs-reply") return { ...open, needsReply: true };
  if (filter === "overdue") return { ...open, needsReply: true, replyDueAt: { lte: now } };
  return open;
}

/** One page of the shop's conversations, latest first; `nextCursor` reads the page after. */
export async function listInbox(
  db: Tx,
  shopId: string,
  options: { query?: string; filter?: InboxFilter; staffId?: string; after?: { at: Date; contactId: string } | null; take?: number; now?: Date } = {},
): Promise<{ rows: InboxRow[]; nextCursor: string | null }> {
  const take = options.take ?? 50;
  const query = options.query?.trim() ?? "";
  const search = query ? searchFilter(query) : null;
  const after = options.after;
  const now = options.now ?? new Date();
  const conversations = await db.conversation.findMany({
    where: {
      shopId,
      ...viewFilter(options.filter ?? "all", options.staffId, now),
      AND: [
        ...(search ? [search.OR.length ? search : { contactId: "" }] : []),
        ...(after ? [{ OR: [{ lastMessageAt: { lt: after.at } }, { lastMessageAt: after.at, contactId: { lt: after.contactId } }] }] : []),
      ],
    },
    orderBy: [{ lastMessageAt: "desc" }, { contactId: "desc" }],
    take: take + 1,
    include: {
      contact: {
        select: {
          name: true,
          phoneE164: true,
          orders: { select: { shopifyOrderId: true, name: true }, orderBy: { createdAt: "desc" }, take: 3 },
          messages: {
            where: { status: { notIn: ["SKIPPED", "CANCELLED"] } },
            orderBy: [{ occurredAt: "desc" }, { createdAt: "desc" }],
            take: 1,
            include: { template: { select: { components: true } } },
          },
        },
      },
    },
  });
  const page = conversations.slice(0, take);
  const last = page.at(-1);
  const assignees = await db.staffMember.findMany({ where: { shopId, userId: { in: page.map((c) => c.assigneeId).filter((id): id is string => Boolean(id)) } }, select: { userId: true, name: true } });
  return {
    rows: page.map((c) => {
      const m = c.contact.messages[0];
      return {
        contactId: c.contactId,
        name: c.contact.name,
        phone: formatPhone(c.contact.phoneE164),
        orders: c.contact.orders,
        // A template message reads as the customer got it (the thread shows the same); its name only when its template is gone.
        lastMessage: m
          ? {
              direction: m.direction,
              source: m.source,
              type: m.type,
              text: (m.template && sentTemplateText(m.template.components, m.params)) || m.body,
              templateName: m.templateName,
              deleted: Boolean(m.deletedAt),
              at: m.occurredAt.toISOString(),
            }
          : null,
        unread: c.unread,
        needsReply: c.needsReply,
        closed: c.status === "CLOSED",
        needsPerson: c.needsPerson,
        overdue: c.status === "OPEN" && c.needsReply && Boolean(c.replyDueAt && c.replyDueAt <= now),
        waitingMs: c.status === "OPEN" && c.needsReply && c.waitingSince ? Math.max(0, now.getTime() - c.waitingSince.getTime()) : null,
        handoffReason: c.handoffReason,
        assignee: c.assigneeId ? (assignees.find((a) => a.userId === c.assigneeId)?.name ?? `#${c.assigneeId}`) : null,
      };
    }),
    nextCursor: conversations.length > take && last ? `${String(last.lastMessageAt.getTime()).padStart(13, "0")}_${last.contactId}` : null,
  };
}
