// The inbox at 10,000 conversations (SQLite): customers with accented names,
// phones and order numbers, searched the way staff do (a name without
// accents, part of a phone typed with spaces, an order number, nothing that
// matches) and paged deep with the cursor. Prints the median of each.
import { listInbox, searchable } from "../../app/messaging/inbox-list.server";
import { createShop, createTestDb } from "../helpers/db";

const CONVERSATIONS = 10_000;
const RUNS = 15;
const FIRST = ["Lúcía", "José", "María", "João", "Ana", "Begoña", "Iñaki", "Zé", "Conceição", "Renée"];
const LAST = ["Núñez", "Souza", "Pérez", "Gonçalves", "Lima", "Ibáñez", "Araújo", "Oliveira", "García", "Müller"];

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export async function inboxBench(): Promise<boolean> {
  const { db } = await createTestDb();
  try {
    const shop = await createShop(db, "inbox-bench.myshopify.com");
    const start = Date.UTC(2026, 8, 1);
    for (let batch = 0; batch < CONVERSATIONS; batch += 1000) {
      const rows = Array.from({ length: 1000 }, (_, k) => {
        const i = batch + k;
        const name = `${FIRST[i % FIRST.length]} ${LAST[Math.floor(i / FIRST.length) % LAST.length]} ${i}`;
        const phone = `+55119${String(i).padStart(8, "0")}`;
        return { id: `bench-contact-${i}`, name, phone, order: `#${10_000 + i}` };
      });
      await db.contact.createMany({ data: rows.map((r) => ({ id: r.id, shopId: shop.id, name: r.name, phoneE164: r.phone })) });
      await db.conversation.createMany({
        data: rows.map((r, k) => ({
          contactId: r.id,
          shopId: shop.id,
          lastMessageAt: new Date(start + (batch + k) * 60_000),
          lastDirection: k % 3 ? "OUT" : "IN",
          unread: k % 7 === 0,
          needsReply: k % 11 === 0,
          searchText: searchable(`${r.name} ${r.phone.slice(1)} ${r.order}`),
        })),
      });
    }
    const timed = async (run: () => Promise<unknown>) => {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t0 = performance.now();
        await run();
        times.push(performance.now() - t0);
      }
      return median(times);
    };
    const searches = ["lucia nunez 41", "98 7654", "#15432", "nadie asi"];
    const perSearch = await Promise.all(searches.map(async (query) => [query, await timed(() => listInbox(db, shop.id, { query }))] as const));
    const search = median(perSearch.map(([, ms]) => ms));
    const firstPage = await timed(() => listInbox(db, shop.id));
    let after: { at: Date; contactId: string } | null = null;
    for (let page = 0; page < 100; page++) {
      const { nextCursor } = await listInbox(db, shop.id, { after });
      if (!nextCursor) break;
      after = { at: new Date(Number(nextCursor.slice(0, 13))), contactId: nextCursor.slice(14) };
    }
    const deepPage = await timed(() => listInbox(db, shop.id, { after }));
    console.log(`inbox search (10k conversations): ${search.toFixed(1)} ms median (${perSearch.map(([q, ms]) => `"${q}" ${ms.toFixed(1)}`).join(", ")})`);
    console.log(`inbox pages (10k conversations): first ${firstPage.toFixed(1)} ms, page 100 ${deepPage.toFixed(1)} ms median`);
    return search < 100;
  } finally {
    await db.$disconnect();
  }
}
