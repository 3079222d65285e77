import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Db } from "../app/core/db.server";
import { applyStatusUpdate, recordAccepted, recordAcceptedMany, type StatusUpdate } from "../app/messaging/messages.server";
import { createShop, createTestDb } from "./helpers/db";

const t = (seconds: number) => new Date(Date.UTC(2026, 10, 25, 12, 0, seconds));
const pricing = { category: "utility", type: "regular", billable: true };

describe("status updates are idempotent and order-safe", () => {
  let db: Db;
  let shopId: string;
  let otherShopId: string;

  beforeAll(async () => {
    ({ db } = await createTestDb());
    shopId = (await createShop(db, "status-a.myshopify.com")).id;
    otherShopId = (await createShop(db, "status-b.myshopify.com")).id;
  });
  afterAll(async () => {
    await db.$disconnect();
  });

  async function outgoing(wamid: string, owner = shopId) {
    const message = await db.message.create({ data: { shopId: owner, direction: "OUT", source: "AUTOMATION", type: "template", status: "QUEUED", statusRank: 2 } });
    await recordAccepted(db, owner, message.id, wamid);
    return message.id;
  }
  const update = (wamid: string, status: StatusUpdate["status"], at: Date, extra: Partial<StatusUpdate> = {}): StatusUpdate => ({ wamid, status, occurredAt: at, ...extra });

  it("moves forward sent → delivered → read and records the pricing once", async () => {
    const id = await outgoing("wamid.forward");
    expect(await applyStatusUpdate(db, shopId, update("wamid.forward", "sent", t(1), { pricing }))).toBe("applied");
    expect(await applyStatusUpdate(db, shopId, update("wamid.forward", "delivered", t(2), { pricing }))).toBe("applied");
    expect(await applyStatusUpdate(db, shopId, update("wamid.forward", "read", t(3)))).toBe("applied");
    const message = await db.message.findUniqueOrThrow({ where: { id } });
    expect(message).toMatchObject({ status: "READ", sentAt: t(1), deliveredAt: t(2), readAt: t(3), pricingCategory: "utility", pricingType: "regular", billable: true });
  });

  it("keeps READ when delivered arrives after read, and fills the delivery time", async () => {
    const id = await outgoing("wamid.late");
    await applyStatusUpdate(db, shopId, update("wamid.late", "read", t(10)));
    await applyStatusUpdate(db, shopId, update("wamid.late", "delivered", t(8)));
    await applyStatusUpdate(db, shopId, update("wamid.late", "sent", t(7)));
    const message = await db.message.findUniqueOrThrow({ where: { id } });
    expect(message).toMatchObject({ status: "READ", readAt: t(10), deliveredAt: t(8), sentAt: t(7) });
  });

  it("treats a replayed status as a duplicate that changes nothing", async () => {
    const id = await outgoing("wamid.replay");
    await applyStatusUpdate(db, shopId, update("wamid.replay", "delivered", t(20)));
    const before = await db.message.findUniqueOrThrow({ where: { id } });
    expect(await applyStatusUpdate(db, shopId, update("wamid.replay", "delivered", t(25)))).toBe("duplicate");
    expect(await db.message.findUniqueOrThrow({ where: { id } })).toEqual(before);
    expect(await db.messageStatusEvent.count({ where: { wamid: "wamid.replay" } })).toBe(1);
  });

  it("records a failure with its error code", async () => {
    const id = await outgoing("wamid.fail");
    await applyStatusUpdate(db, shopId, update("wamid.fail", "sent", t(30)));
    await applyStatusUpdate(db, shopId, update("wamid.fail", "failed", t(31), { error: { code: 131049, title: "healthy ecosystem" } }));
    expect(await db.message.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "FAILED", errorCode: 131049, failedAt: t(31) });
  });

  it("keeps a status that arrives before the send is recorded and applies it afterwards", async () => {
    expect(await applyStatusUpdate(db, shopId, update("wamid.early", "delivered", t(40), { pricing }))).toBe("pending");
    const id = await outgoing("wamid.early");
    expect(await db.message.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "DELIVERED", deliveredAt: t(40), pricingCategory: "utility" });
  });

  it("never touches another shop's message with the same wamid", async () => {
    const mine = await outgoing("wamid.shared");
    const theirs = await outgoing("wamid.shared", otherShopId);
    await applyStatusUpdate(db, otherShopId, update("wamid.shared", "read", t(50)));
    expect((await db.message.findUniqueOrThrow({ where: { id: theirs } })).status).toBe("READ");
    expect((await db.message.findUniqueOrThrow({ where: { id: mine } })).status).toBe("SENT");
  });

  it("records several accepted sends in one go, each early status applied to its own shop's message only", async () => {
    const queued = (owner: string) => db.message.create({ data: { shopId: owner, direction: "OUT", source: "AUTOMATION", type: "template", status: "QUEUED", statusRank: 2 } });
    const [a, b, c] = [await queued(shopId), await queued(otherShopId), await queued(shopId)];
    // Meta's statuses came before the wamids were written: one for shop A's send, one naming the same
    // wamid in shop B, where B's send has a different wamid.
    expect(await applyStatusUpdate(db, shopId, update("wamid.many.a", "read", t(60)))).toBe("pending");
    expect(await applyStatusUpdate(db, otherShopId, update("wamid.many.c", "delivered", t(61)))).toBe("pending");
    await recordAcceptedMany(db, [
      { shopId, messageId: a.id, wamid: "wamid.many.a" },
      { shopId: otherShopId, messageId: b.id, wamid: "wamid.many.b" },
      { shopId, messageId: c.id, wamid: "wamid.many.c" },
    ]);
    expect(await db.message.findUniqueOrThrow({ where: { id: a.id } })).toMatchObject({ wamid: "wamid.many.a", status: "READ", readAt: t(60) });
    expect(await db.message.findUniqueOrThrow({ where: { id: b.id } })).toMatchObject({ wamid: "wamid.many.b", status: "SENT" });
    expect(await db.message.findUniqueOrThrow({ where: { id: c.id } })).toMatchObject({ wamid: "wamid.many.c", status: "SENT", deliveredAt: null });
    expect(await db.messageStatusEvent.count({ where: { shopId: otherShopId, wamid: "wamid.many.c", messageId: null } })).toBe(1);
  });

  it("leaves a message alone when an accepted send names it under another shop, in a group with a rightful one", async () => {
    const queued = (owner: string) => db.message.create({ data: { shopId: owner, direction: "OUT", source: "AUTOMATION", type: "template", status: "QUEUED", statusRank: 2 } });
    const [mine, theirs] = [await queued(shopId), await queued(otherShopId)];
    const myReport = () => db.costDaily.findMany({ where: { shopId }, orderBy: { id: "asc" } });
    const reportBefore = await myReport();
    await recordAcceptedMany(db, [
      { shopId: otherShopId, messageId: mine.id, wamid: "wamid.cross.wrong" },
      { shopId: otherShopId, messageId: theirs.id, wamid: "wamid.cross.right" },
    ]);
    expect(await db.message.findUniqueOrThrow({ where: { id: mine.id } })).toMatchObject({ wamid: null, status: "QUEUED", updatedAt: mine.updatedAt });
    expect(await db.message.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ wamid: "wamid.cross.right", status: "SENT" });
    expect(await myReport()).toEqual(reportBefore);
  });
});
