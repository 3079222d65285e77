// Reactions, edits and revokes change a message stored before instead of
// adding one: a reaction shows on the message it reacts to (an empty one
// removes it), an edit replaces its text and content, a revoke marks it
// deleted and empties it. Each applies only over an older change, so replays
// and late deliveries leave the newest state.
import type { Db } from "../db.server";
import { Prisma } from "../generated/prisma/client";
import { type MessageChange, type MessageContent, readMessage, storedType } from "./message-content";

/** Content as Prisma writes a JSON column (none: SQL NULL). */
export function contentJson(content: MessageContent | null): Prisma.InputJsonValue | typeof Prisma.DbNull {
  return content ? (content as unknown as Prisma.InputJsonValue) : Prisma.DbNull;
}

/**
 * Applies the change to the shop's message it names; false when that message
 * is not stored (the caller then keeps the change as a message of its own).
 */
export async function applyMessageChange(db: Db, shopId: string, change: MessageChange, message: Record<string, unknown>, at: Date): Promise<boolean> {
  const target = await db.message.findUnique({ where: { shopId_wamid: { shopId, wamid: change.target } }, select: { id: true } });
  if (!target) return false;
  if (change.kind === "reaction") {
    await db.message.updateMany({
      where: { id: target.id, deletedAt: null, OR: [{ reactionAt: null }, { reactionAt: { lte: at } }] },
      data: { reaction: change.emoji, reactionAt: at },
    });
  } else if (change.kind === "edit") {
    const { body, content } = readMessage(message);
    await db.message.updateMany({
      where: { id: target.id, deletedAt: null, OR: [{ editedAt: null }, { editedAt: { lte: at } }] },
      data: { type: storedType(message), body, content: contentJson(content), editedAt: at },
    });
  } else {
    await db.message.updateMany({ where: { id: target.id }, data: { deletedAt: at, body: null, content: Prisma.DbNull, reaction: null } });
  }
  return true;
}
