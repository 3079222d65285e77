// Repricing: every delivered app-sent message's cost computed again after the
// rate card changed, each through the message's own change (messages.server.ts).
import type { Db } from "../core/db.server";
import { COSTED_SOURCES } from "../pricing/costs.server";
import { wabaBilling } from "../pricing/rate-cards.server";
import { monthStart } from "../pricing/time";
import { changeMessage } from "./messages.server";

/**
 * Recomputes the cost of every delivered app-sent message from a local date
 * on (after a rate card upload), oldest delivery first so volume tiers count
 * in order. Reports progress as it goes.
 */
export async function recomputeCosts(db: Db, shopId: string, options: { fromDay?: string; onProgress?: (done: number, total: number) => Promise<void> } = {}) {
  const { timeZone } = await wabaBilling(db, shopId);
  const where = {
    shopId,
    direction: "OUT",
    source: { in: COSTED_SOURCES },
    deliveredAt: options.fromDay ? { gte: monthStart(options.fromDay, timeZone) } : { not: null },
  };
  const total = await db.message.count({ where });
  let done = 0;
  await options.onProgress?.(0, total);
  let cursor: { deliveredAt: Date; id: string } | undefined;
  for (;;) {
    const batch = await db.message.findMany({
      where: cursor ? { AND: [where, { OR: [{ deliveredAt: { gt: cursor.deliveredAt } }, { deliveredAt: cursor.deliveredAt, id: { gt: cursor.id } }] }] } : where,
      orderBy: [{ deliveredAt: "asc" }, { id: "asc" }],
      take: 200,
      select: { id: true, deliveredAt: true },
    });
    if (!batch.length) break;
    for (const m of batch) await changeMessage(db, shopId, m.id, () => null, { reprice: true });
    done += batch.length;
    const last = batch[batch.length - 1]!;
    cursor = { deliveredAt: last.deliveredAt!, id: last.id };
    await options.onProgress?.(done, total);
  }
  return { recomputed: done };
}
