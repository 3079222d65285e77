// A conversation's search text carries the customer's order numbers. Two
// processes recording orders of one customer at once must leave both numbers
// in it, whichever writes last.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createDb, type Db } from "../app/core/db.server";
import { refreshSearchText, searchTextOf } from "../app/messaging/inbox-list.server";
import { createShop, createTestDb } from "./helpers/db";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("a conversation's search text", () => {
  let db: Db;
  /** Another process's connection to the same database. */
  let other: Db;

  beforeAll(async () => {
    const created = await createTestDb();
    db = created.db;
    other = createDb(created.url);
  });
  afterAll(async () => {
    await other.$disconnect();
    await db.$disconnect();
  });

  it("keeps an order another process wrote into it between this one's read and write", async () => {
    const shop = await createShop(db, "search-race.myshopify.com");
    const contact = await db.contact.create({ data: { shopId: shop.id, phoneE164: "+5511999990001", name: "Ana Souza" } });
    const order = (shopifyOrderId: string, name: string) => ({ data: { shopId: shop.id, shopifyOrderId, name, contactId: contact.id } });
    await db.order.create(order("1", "#1001"));
    await db.conversation.create({ data: { contactId: contact.id, shopId: shop.id, lastMessageAt: new Date(), searchText: await searchTextOf(db, contact.id) } });

    // The other process records #1002 and writes the text, in a transaction it holds open.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let wrote!: () => void;
    const written = new Promise<void>((resolve) => (wrote = resolve));
    const otherProcess = other.$transaction(
      async (tx) => {
        await tx.order.create(order("2", "#1002"));
        await refreshSearchText(tx, contact.id);
        wrote();
        await held;
      },
      { timeout: 20_000 },
    );
    await written;
    // Meanwhile this process records #1003 and refreshes: it reads the text and the orders before the other
    // commits. On PostgreSQL its write then waits for the other's row; on SQLite its order waits for the
    // other's write lock, so it reads after the commit.
    const thisProcess = (async () => {
      await db.order.create(order("3", "#1003"));
      await refreshSearchText(db, contact.id);
    })();
    await sleep(500);
    release();
    await Promise.all([otherProcess, thisProcess]);

    const { searchText } = await db.conversation.findUniqueOrThrow({ where: { contactId: contact.id }, select: { searchText: true } });
    expect(searchText.split(" ")).toEqual(expect.arrayContaining(["ana", "souza", "5511999990001", "#1001", "#1002", "#1003"]));
    expect(searchText).toBe(await searchTextOf(db, contact.id));
  });
});
