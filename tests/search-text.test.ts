// A conversation's search text carries the customer's order numbers. Two
// processes recording orders of one customer at once must leave both numbers
// in it, whichever writes last, and so must an order recorded while the
// customer's first message starts the conversation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { createDb, type Db, type Tx } from "../app/core/db.server";
import { touchConversation } from "../app/messaging/conversations.server";
import { buildMissingSearchText, refreshSearchText, searchTextOf } from "../app/messaging/inbox-list.server";
import { createShop, createTestDb } from "./helpers/db";

/** A customer's text message, as touchConversation reads a stored one. */
const customerMessage = (shopId: string, contactId: string, now: Date) => ({
  shopId,
  contactId,
  direction: "IN",
  source: "CUSTOMER",
  status: "RECEIVED",
  changeKind: null,
  type: "text",
  body: "Oi",
  occurredAt: now,
  createdAt: now,
});

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

  async function customerWithConversation(domain: string) {
    const shop = await createShop(db, domain);
    const contact = await db.contact.create({ data: { shopId: shop.id, phoneE164: "+5511999990001", name: "Ana Souza" } });
    const order = (shopifyOrderId: string, name: string) => ({ data: { shopId: shop.id, shopifyOrderId, name, contactId: contact.id } });
    await db.order.create(order("1", "#1001"));
    await db.conversation.create({ data: { contactId: contact.id, shopId: shop.id, lastMessageAt: new Date(), searchText: await searchTextOf(db, contact.id) } });
    return { contactId: contact.id, order };
  }

  /** `db`, except that its first write to a conversation (an update, or the upsert that starts one) is preceded by `meanwhile` (another process's work). */
  function interruptedOnce(meanwhile: () => Promise<void>): Tx {
    let pending = true;
    const first = async <T>(write: () => Promise<T>) => {
      if (pending) {
        pending = false;
        await meanwhile();
      }
      return write();
    };
    return db.$extends({
      query: {
        conversation: {
          updateMany: ({ args, query }) => first(() => query(args)),
          upsert: ({ args, query }) => first(() => query(args)),
        },
      },
    }) as unknown as Tx;
  }

  it("keeps an order another process wrote into it between this one's read and write", async () => {
    const { contactId, order } = await customerWithConversation("search-race.myshopify.com");
    // This process records #1002 and has read the text and the orders; before it writes, the other
    // process records #1003 and writes the text with it.
    await db.order.create(order("2", "#1002"));
    const thisProcess = interruptedOnce(async () => {
      await other.order.create(order("3", "#1003"));
      await refreshSearchText(other, contactId);
    });
    await refreshSearchText(thisProcess, contactId);

    const { searchText } = await db.conversation.findUniqueOrThrow({ where: { contactId }, select: { searchText: true } });
    expect(searchText.split(" ")).toEqual(expect.arrayContaining(["ana", "souza", "5511999990001", "#1001", "#1002", "#1003"]));
    expect(searchText).toBe(await searchTextOf(db, contactId));
  });

  it("keeps an order recorded while the customer's first message was starting the conversation", async () => {
    const shop = await createShop(db, "search-first.myshopify.com");
    const contact = await db.contact.create({ data: { shopId: shop.id, phoneE164: "+5511999990002", name: "Bruno Lima" } });
    const order = (shopifyOrderId: string, name: string) => ({ data: { shopId: shop.id, shopifyOrderId, name, contactId: contact.id } });
    await db.order.create(order("1", "#2001"));
    // The first message has read the text (#2001); before the conversation is written, the other process
    // records #2002, and its refresh finds no conversation to put it in.
    const thisProcess = interruptedOnce(async () => {
      await other.order.create(order("2", "#2002"));
      await refreshSearchText(other, contact.id);
    });
    const now = new Date();
    await touchConversation(thisProcess, customerMessage(shop.id, contact.id, now));

    const { searchText } = await db.conversation.findUniqueOrThrow({ where: { contactId: contact.id }, select: { searchText: true } });
    expect(searchText.split(" ")).toEqual(expect.arrayContaining(["bruno", "lima", "#2001", "#2002"]));
  });

  it("never fails the first message when its text keeps losing to other writers", async () => {
    const shop = await createShop(db, "search-losing.myshopify.com");
    const contact = await db.contact.create({ data: { shopId: shop.id, phoneE164: "+5511999990003", name: "Carla Dias" } });
    let added = false;
    // An order lands before the conversation is written, and every rewrite of the text finds it changed.
    const losing = db.$extends({
      query: {
        conversation: {
          async upsert({ args, query }) {
            if (!added) {
              added = true;
              await other.order.create({ data: { shopId: shop.id, shopifyOrderId: "1", name: "#3001", contactId: contact.id } });
            }
            return query(args);
          },
          async updateMany({ args, query }) {
            return args.where?.searchText !== undefined ? { count: 0 } : query(args);
          },
        },
      },
    }) as unknown as Tx;
    const now = new Date();
    await touchConversation(losing, customerMessage(shop.id, contact.id, now));

    // The message's own changes are made; the text waits for the next refresh.
    expect(await db.conversation.findUniqueOrThrow({ where: { contactId: contact.id }, select: { needsReply: true, lastMessageAt: true } })).toEqual({ needsReply: true, lastMessageAt: now });
  });

  it("is built only where it is missing: a text written meanwhile stays", async () => {
    const { contactId, order } = await customerWithConversation("search-build.myshopify.com");
    await db.conversation.update({ where: { contactId }, data: { searchText: "" } });
    // The build has read the text of the conversations without one; before it writes, an order comes.
    await db.order.create(order("2", "#1002"));
    const builder = interruptedOnce(async () => {
      await other.order.create(order("3", "#1003"));
      await refreshSearchText(other, contactId);
    });
    const before = await db.conversation.findMany({ where: { searchText: "" }, select: { contactId: true } });
    expect(before).toEqual([{ contactId }]);
    await buildMissingSearchText(builder);

    const { searchText } = await db.conversation.findUniqueOrThrow({ where: { contactId }, select: { searchText: true } });
    expect(searchText.split(" ")).toEqual(expect.arrayContaining(["#1001", "#1002", "#1003"]));
  });
});
