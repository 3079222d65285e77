// Interactive transactions are isolated from the rest of the process: a write
// made through the plain client while another request's transaction is open
// is never rolled back (or committed) with it, and never reads its
// uncommitted rows. SQLite only: every request there shares one connection,
// and app/core/sqlite-serial.server.ts is what these tests prove (PostgreSQL gives
// each transaction a pooled connection of its own).
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Db, Tx } from "../app/core/db.server";
import { createTestDb, testProvider } from "./helpers/db";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Sends a query now: a Prisma promise runs only once something awaits it. */
const now = <T>(query: PromiseLike<T>): Promise<T> => Promise.resolve(query);

let seq = 0;
const addShop = (client: Tx, domain = `tx-${++seq}.myshopify.com`) => client.shop.create({ data: { domain, marketingBlockedCountries: [], optOutKeywords: [] } });

/** A promise and the function that resolves it. */
function signal() {
  let fire!: () => void;
  const fired = new Promise<void>((resolve) => (fire = resolve));
  return { fire, fired };
}

// Skipped with TEST_DATABASE=postgresql: these exercise the SQLite connection wrapper.
describe.skipIf(testProvider() !== "sqlite")("interactive transactions on SQLite", () => {
  let db: Db;

  beforeAll(async () => {
    ({ db } = await createTestDb());
  });
  afterAll(async () => {
    await db.$disconnect();
  });

  it("a rollback never undoes a write made outside the transaction meanwhile", async () => {
    const opened = signal();
    const insideDomain = `inside-${++seq}.myshopify.com`;
    const transaction = db.$transaction(async (tx) => {
      await addShop(tx, insideDomain);
      opened.fire();
      await sleep(100);
      throw new Error("abandoned");
    });
    await opened.fired;
    const outside = now(addShop(db));

    await expect(transaction).rejects.toThrow("abandoned");
    const { id } = await outside;
    expect(await db.shop.findUnique({ where: { id } })).not.toBeNull();
    expect(await db.shop.findUnique({ where: { domain: insideDomain } })).toBeNull();
  });

  it("a read outside never sees the uncommitted write of an open transaction", async () => {
    const opened = signal();
    const insideDomain = `inside-${++seq}.myshopify.com`;
    const transaction = db.$transaction(async (tx) => {
      await addShop(tx, insideDomain);
      opened.fire();
      await sleep(100);
      throw new Error("abandoned");
    });
    await opened.fired;
    const seen = now(db.shop.findUnique({ where: { domain: insideDomain } }));

    await expect(transaction).rejects.toThrow("abandoned");
    expect(await seen).toBeNull();
  });

  it("two concurrent transactions incrementing one counter end with both counts", async () => {
    const shop = await addShop(db);
    const order = await db.order.create({ data: { shopId: shop.id, shopifyOrderId: "1", name: "#1" } });
    const times = 20;
    const increment = () =>
      db.$transaction(async (tx) => {
        for (let i = 0; i < times; i++) {
          await tx.order.update({ where: { id: order.id }, data: { whatsappMessages: { increment: 1 } } });
          await sleep(1);
        }
      });

    await Promise.all([increment(), increment()]);
    expect((await db.order.findUniqueOrThrow({ where: { id: order.id } })).whatsappMessages).toBe(2 * times);
  });

  it("a transaction that times out gives the connection back; one that waited too long to start leaves nothing behind", async () => {
    // One connection: while a transaction holds it, another that may wait only 20 ms gives up.
    const opened = signal();
    const release = signal();
    const holding = db.$transaction(
      async (tx) => {
        await addShop(tx);
        opened.fire();
        await release.fired;
      },
      { timeout: 10_000 },
    );
    await opened.fired;
    // Its start can only complete once the holder lets go, well after its 20 ms, however slow the machine.
    setTimeout(release.fire, 200);
    const [impatientEnd] = await Promise.allSettled([db.$transaction(async (tx) => addShop(tx), { maxWait: 20 })]);
    await holding;
    expect(impatientEnd.status).toBe("rejected");

    // A transaction that outlives its timeout is rolled back and the connection comes back.
    const slow = db.$transaction(
      async (tx) => {
        await addShop(tx);
        await sleep(2000); // twenty times its timeout
        await addShop(tx);
      },
      { timeout: 100 },
    );
    const outside = now(addShop(db));
    const [slowEnd, outsideEnd] = await Promise.allSettled([slow, outside]);
    expect(slowEnd.status).toBe("rejected");
    expect(outsideEnd.status).toBe("fulfilled");
    const later = await db.$transaction(async (tx) => addShop(tx));
    expect(await db.shop.count({ where: { id: { in: [(await outside).id, later.id] } } })).toBe(2);
  });
});
