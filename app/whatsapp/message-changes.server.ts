// Reactions, edits and revokes change a message stored before instead of
// adding one: a reaction shows on the message it reacts to (an empty one
// removes it), an edit replaces its text and content, a revoke marks it
// deleted and empties it. A change applies only to the same contact's
// message, and an edit or revoke only to one its sender wrote. A change that
// comes before its message is kept as a row of its own and applied when the
// message arrives. Each applies only over an older change, so replays and
// late deliveries leave the newest state.
import type { Db } from "../core/db.server";
import { Prisma } from "../generated/prisma/client";
import { type MessageChange, type MessageContent, readMessage, storedContent, storedType } from "./message-content";

/** Content as Prisma writes a JSON column (none: SQL NULL). */
export function contentJson(content: MessageContent | null): Prisma.InputJsonValue | typeof Prisma.DbNull {
  return content ? (content as unknown as Prisma.InputJsonValue) : Prisma.DbNull;
}

/** Who made a change or wrote a message: the conversation's contact, and which side wrote. */
export interface Side {
  contactId: string;
  direction: "IN" | "OUT";
}

type ChangeKind = MessageChange["kind"];

/** What a change writes: an edit's new text and content, a reaction's emoji. */
interface ChangeData {
  body: string | null;
  content: MessageContent | null;
  type: string;
  emoji: string | null;
}

async function applyTo(db: Db, targetId: string, kind: ChangeKind, data: ChangeData, at: Date) {
  if (kind === "reaction") {
    await db.message.updateMany({
      where: { id: targetId, deletedAt: null, OR: [{ reactionAt: null }, { reactionAt: { lte: at } }] },
      data: { reaction: data.emoji, reactionAt: at },
    });
  } else if (kind === "edit") {
    await db.message.updateMany({
      where: { id: targetId, deletedAt: null, OR: [{ editedAt: null }, { editedAt: { lte: at } }] },
      data: { type: data.type, body: data.body, content: contentJson(data.content), editedAt: at },
    });
  } else {
    await db.message.updateMany({ where: { id: targetId }, data: { deletedAt: at, body: null, content: Prisma.DbNull, reaction: null } });
  }
}

/** A reaction may be to either side's message; an edit or revoke only to the sender's own. */
const sameSender = (kind: string, change: Side, target: Side) => change.contactId === target.contactId && (kind === "reaction" || change.direction === target.direction);

/**
 * Applies the change to the message it names; false when that message is not
 * stored (the caller then keeps the change as a row of its own, with
 * `pendingChange`).
 */
export async function applyMessageChange(db: Db, shopId: string, change: MessageChange, message: Record<string, unknown>, at: Date, side: Side): Promise<boolean> {
  const target = await db.message.findUnique({ where: { shopId_wamid: { shopId, wamid: change.target } }, select: { id: true, contactId: true, direction: true } });
  if (!target?.contactId || !sameSender(change.kind, side, { contactId: target.contactId, direction: target.direction as Side["direction"] })) return false;
  const { body, content } = readMessage(message);
  await applyTo(db, target.id, change.kind, { body, content, type: storedType(message), emoji: change.kind === "reaction" ? change.emoji : null }, at);
  return true;
}

/** The columns of a change kept as its own row: what it names, what it is, and the edited or deleted mark it shows. */
export function pendingChange(change: MessageChange | null, at: Date) {
  if (!change) return {};
  return {
    replyToWamid: change.target,
    changeKind: change.kind,
    ...(change.kind === "edit" ? { editedAt: at } : change.kind === "revoke" ? { deletedAt: at } : {}),
  };
}

/**
 * A message just stored may be named by changes that came before it: they
 * apply to it in the order they were made, and their own rows go.
 */
export async function settlePendingChanges(db: Db, shopId: string, stored: { id: string; wamid: string | null; contactId: string | null; direction: string }) {
  if (!stored.wamid || !stored.contactId) return;
  const pending = await db.message.findMany({
    where: { shopId, replyToWamid: stored.wamid, changeKind: { not: null }, contactId: stored.contactId },
    orderBy: { occurredAt: "asc" },
  });
  const target = { contactId: stored.contactId, direction: stored.direction as Side["direction"] };
  for (const change of pending) {
    const kind = change.changeKind as ChangeKind;
    if (!sameSender(kind, { contactId: stored.contactId, direction: change.direction as Side["direction"] }, target)) continue;
    const content = storedContent(change.content);
    const emoji = content?.kind === "reaction" ? content.emoji : null;
    await applyTo(db, stored.id, kind, { body: change.body, content: kind === "edit" ? content : null, type: change.type, emoji }, change.occurredAt);
    await db.message.delete({ where: { id: change.id } });
  }
}
