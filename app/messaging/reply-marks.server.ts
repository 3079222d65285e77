// Which app message a customer's reply answers: marked on the message
// (repliedAt), for the reply rates of templates, automations and campaigns.
import type { Db } from "../core/db.server";
import { COSTED_SOURCES } from "../pricing/costs.server";
import { changeMessage } from "./messages.server";

/** A customer message this long after an app message still counts as a reply to it. */
const REPLY_HORIZON_MS = 72 * 60 * 60 * 1000;

/**
 * Marks the latest app-sent message a customer's reply answers: its WhatsApp
 * context, else the latest within 72 h. A context naming a message sent to
 * another customer is not this customer's reply to it: the latest of theirs counts.
 */
export async function recordReply(db: Db, shopId: string, contactId: string, at: Date, contextWamid?: string) {
  const quoted = contextWamid ? await db.message.findFirst({ where: { shopId, wamid: contextWamid, direction: "OUT" }, select: { id: true, contactId: true, source: true, repliedAt: true } }) : null;
  const latest = () =>
    db.message.findFirst({
      where: { shopId, contactId, direction: "OUT", source: { in: COSTED_SOURCES }, repliedAt: null, sentAt: { gte: new Date(at.getTime() - REPLY_HORIZON_MS), lte: at } },
      orderBy: { sentAt: "desc" },
      select: { id: true },
    });
  const target = !contextWamid
    ? await latest()
    : quoted && quoted.contactId !== contactId
      ? await latest()
      : quoted && COSTED_SOURCES.includes(quoted.source) && quoted.repliedAt === null
        ? quoted
        : null;
  if (!target) return;
  await changeMessage(db, shopId, target.id, (_tx, m) => (m.repliedAt === null ? { repliedAt: at } : null));
}
