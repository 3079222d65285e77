// A new customer's first messages can be handled at once (several workers, a
// burst of webhooks): each starts the conversation if none exists, and the
// database decides which insert wins. On PostgreSQL the handlers really run
// side by side, on pooled connections; SQLite runs them one after another.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import type { Db } from "../app/core/db.server";
import { touchConversation } from "../app/messaging/conversations.server";
import { createTestDb } from "./helpers/db";

describe("a conversation started by several messages at once", () => {
  let db: Db;

  beforeAll(async () => {
    ({ db } = await createTestDb());
  });
  afterAll(async () => {
    await db.$disconnect();
  });

  it("is created once, none of the messages fails, and its time is the latest message's", async () => {
    const shop = await db.shop.create({ data: { domain: "burst.myshopify.com", marketingBlockedCountries: [], optOutKeywords: [] } });
    const contact = await db.contact.create({ data: { shopId: shop.id, name: "Lúcia Nunes", phoneE164: "+5511912345678" } });
    const start = Date.UTC(2026, 10, 27, 12, 0, 0);
    const messages = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        db.message.create({
          data: { shopId: shop.id, contactId: contact.id, direction: "IN", source: "CUSTOMER", type: "text", body: `Oi ${i}`, status: "RECEIVED", occurredAt: new Date(start + i * 1000) },
        }),
      ),
    );

    const outcomes = await Promise.allSettled(messages.map((message) => touchConversation(db, message)));

    expect(outcomes.filter((outcome) => outcome.status === "rejected").map((outcome) => String((outcome as PromiseRejectedResult).reason))).toEqual([]);
    const conversations = await db.conversation.findMany({ where: { shopId: shop.id } });
    expect(conversations).toHaveLength(1);
    expect(conversations[0]!.lastMessageAt.getTime()).toBe(start + 11 * 1000);
    expect(conversations[0]!.unansweredCount).toBe(12);
    expect(conversations[0]!.searchText).toContain("lucia nunes");
  });
});
