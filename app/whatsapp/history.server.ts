// Chat history from the phone app (Coexistence onboarding): Meta's `history`
// field, in chunks of threads of messages, each message with the status it
// had (history_context). Old traffic: it fills the threads but opens no
// customer service window and triggers nothing.
import { z } from "zod";

import { contactForWhatsAppUser } from "../contacts.server";
import type { Db } from "../db.server";
import { insertOnce } from "../db-errors.server";
import { STATUS_RANK } from "../domain";
import { contentJson } from "./message-changes.server";
import { readMessage, storedType } from "./message-content";
import { unixSeconds } from "./timestamps";

const HISTORY_STATUS: Record<string, { status: string; rank: number }> = {
  PENDING: { status: "SENDING", rank: STATUS_RANK.SENDING },
  SENT: { status: "SENT", rank: STATUS_RANK.SENT },
  DELIVERED: { status: "DELIVERED", rank: STATUS_RANK.DELIVERED },
  READ: { status: "READ", rank: STATUS_RANK.READ },
  PLAYED: { status: "READ", rank: STATUS_RANK.READ },
  ERROR: { status: "FAILED", rank: STATUS_RANK.FAILED },
};

const historySchema = z.object({
  metadata: z.object({ display_phone_number: z.string().optional() }).passthrough().optional(),
  history: z.array(
    z.object({
      metadata: z.object({ phase: z.number().optional(), chunk_order: z.number().optional(), progress: z.number().optional() }).optional(),
      threads: z
        .array(
          z.object({
            id: z.string(),
            messages: z.array(z.object({ from: z.string(), to: z.string().optional(), id: z.string(), timestamp: unixSeconds, type: z.string(), history_context: z.object({ status: z.string() }).optional() }).passthrough()),
          }),
        )
        .default([]),
      errors: z.array(z.object({ code: z.number(), title: z.string().optional(), message: z.string().optional() })).optional(),
    }),
  ),
});

export async function recordHistory(db: Db, shopId: string, raw: unknown) {
  const value = historySchema.parse(raw);
  const business = value.metadata?.display_phone_number?.replace(/\D/g, "");
  for (const chunk of value.history) {
    const declined = chunk.errors?.find((e) => e.code === 2593109);
    if (declined) {
      await db.whatsAppAccount.updateMany({ where: { shopId }, data: { historySyncError: "The business chose not to share chat history" } });
    }
    for (const thread of chunk.threads) {
      const contact = await contactForWhatsAppUser(db, shopId, { waId: thread.id });
      for (const message of thread.messages) {
        const outgoing = message.from !== thread.id && (!business || message.from === business);
        const status = HISTORY_STATUS[message.history_context?.status ?? ""] ?? { status: outgoing ? "SENT" : "RECEIVED", rank: outgoing ? STATUS_RANK.SENT : STATUS_RANK.RECEIVED };
        const { body, content } = readMessage(message);
        await insertOnce(() =>
          db.message.create({
            data: {
              shopId,
              direction: outgoing ? "OUT" : "IN",
              source: "HISTORY",
              type: storedType(message),
              contactId: contact.id,
              wamid: message.id,
              body,
              content: contentJson(content),
              status: outgoing ? status.status : "RECEIVED",
              statusRank: outgoing ? status.rank : STATUS_RANK.RECEIVED,
              occurredAt: new Date(Number(message.timestamp) * 1000),
            },
          }),
        );
      }
    }
    if (chunk.metadata?.progress !== undefined) {
      await db.whatsAppAccount.updateMany({
        where: { shopId, OR: [{ historySyncProgress: null }, { historySyncProgress: { lt: chunk.metadata.progress } }] },
        data: { historySyncProgress: chunk.metadata.progress },
      });
    }
  }
}
