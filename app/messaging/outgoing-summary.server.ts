// The home page's view of outgoing messages: counts by outcome, and the
// latest that did not go out, with why.
import type { Db } from "../core/db.server";

/** The latest messages that did not go out (skipped, failed, cancelled), with why, for the merchant. */
export async function recentProblems(db: Db, shopId: string, take = 8) {
  const rows = await db.message.findMany({
    where: { shopId, direction: "OUT", status: { in: ["SKIPPED", "FAILED", "CANCELLED"] } },
    orderBy: { updatedAt: "desc" },
    take,
    include: { order: { select: { name: true } }, checkout: { select: { shopifyCheckoutId: true } } },
  });
  return rows.map((m) => ({
    id: m.id,
    status: m.status,
    at: m.updatedAt.toISOString(),
    // What it was about, worded by the page: the order, else the checkout (a cart reminder), else the number.
    order: m.order?.name ?? null,
    checkoutId: m.checkout?.shopifyCheckoutId ?? null,
    phone: m.recipientPhone,
    template: m.templateName,
    skipReason: m.skipReason,
    errorTitle: m.errorTitle,
    errorCode: m.errorCode,
  }));
}

/** Outgoing message counts for the home page. */
export async function outgoingStats(db: Db, shopId: string, since: Date) {
  const rows = await db.message.groupBy({
    by: ["status"],
    where: { shopId, direction: "OUT", createdAt: { gte: since } },
    _count: { _all: true },
  });
  const count = (statuses: string[]) => rows.filter((r) => statuses.includes(r.status)).reduce((sum, r) => sum + r._count._all, 0);
  return { total: count(rows.map((r) => r.status)), delivered: count(["DELIVERED", "READ"]), failed: count(["FAILED"]), skipped: count(["SKIPPED"]) };
}
