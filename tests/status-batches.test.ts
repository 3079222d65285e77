// Status webhooks handled a batch per transaction (processMetaReceipts) must
// leave exactly what handling them one at a time leaves: the messages, their
// costs, the daily report lines and the order's running total; and whatever a
// batch cannot apply (a status before its send, an unknown number, a replay)
// must still end where the one-by-one path puts it.
import { createHmac } from "node:crypto";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { parseConfig } from "../app/core/config.server";
import type { Db } from "../app/core/db.server";
import { processDueReceipts } from "../app/jobs/worker.server";
import { recordAccepted, recordAcceptedMany, type StatusUpdate } from "../app/messaging/messages.server";
import { graphClient } from "../app/whatsapp/client.server";
import { receiveMetaWebhook } from "../app/whatsapp/webhooks.server";
import { sandboxEnv } from "../sandbox/harness";
import { createShop, createTestDb } from "./helpers/db";

const SECRET = "status-batch-secret";
const TZ = "America/Sao_Paulo";
const at = (minute: number) => new Date(Date.UTC(2026, 10, 20, 12, minute));
const utility = { category: "utility", type: "regular", billable: true };

describe("status webhooks handled in batches", () => {
  let db: Db;
  const config = parseConfig(sandboxEnv({}, { app: 1, sim: 2, shopify: 3 }));
  const deps = () => ({ db, config, graph: graphClient(config) });
  let seq = 0;

  beforeAll(async () => {
    ({ db } = await createTestDb());
  });
  afterAll(async () => {
    await db.$disconnect();
  });

  /** A shop with a connected number and a utility template. */
  async function numberWithTemplate(name: string) {
    const shop = await createShop(db, `${name}.myshopify.com`);
    await db.shop.update({ where: { id: shop.id }, data: { timezone: TZ } });
    const phoneNumberId = `pn-${name}`;
    await db.whatsAppAccount.create({ data: { shopId: shop.id, wabaId: `waba-${name}`, phoneNumberId, currency: "USD", timezone: TZ, onboardingState: "CONNECTED" } });
    const template = await db.template.create({
      data: { shopId: shop.id, metaTemplateId: `tpl-${name}`, name: "order_confirmation", language: "pt_BR", category: "UTILITY", status: "APPROVED", components: "[]" },
    });
    return { shopId: shop.id, phoneNumberId, templateId: template.id };
  }

  /** An order confirmation to a market (Brazil unless told), claimed for sending. */
  const claimedConfirmation = (shopId: string, templateId: string, orderId: string, market = "Brazil") =>
    db.message.create({
      data: { shopId, direction: "OUT", source: "AUTOMATION", type: "template", templateId, templateName: "order_confirmation", market, orderId, status: "SENDING", statusRank: 3 },
    });

  /** A shop with a connected number, a utility template and an order of `count` accepted confirmations. */
  async function world(name: string, count: number) {
    const { shopId, phoneNumberId, templateId } = await numberWithTemplate(name);
    const order = await db.order.create({ data: { shopId, shopifyOrderId: `${name}-1`, name: "#1001", currency: "BRL" } });
    const wamids: string[] = [];
    for (let i = 0; i < count; i++) {
      const message = await claimedConfirmation(shopId, templateId, order.id);
      const wamid = `wamid.${name}.${i}`;
      await recordAccepted(db, shopId, message.id, wamid);
      wamids.push(wamid);
    }
    return { shopId, orderId: order.id, phoneNumberId, wamids };
  }

  /** Meta's webhook for one status, through the real intake (signed, stored as a receipt). */
  async function deliver(phoneNumberId: string, status: Omit<StatusUpdate, "occurredAt"> & { occurredAt: Date }) {
    const body = Buffer.from(
      JSON.stringify({
        object: "whatsapp_business_account",
        entry: [
          {
            // The number's WABA, as Meta names it for the number (numberWithTemplate).
            id: phoneNumberId.replace(/^pn-/, "waba-"),
            changes: [
              {
                field: "messages",
                value: {
                  messaging_product: "whatsapp",
                  metadata: { display_phone_number: "15550001111", phone_number_id: phoneNumberId },
                  statuses: [
                    {
                      id: status.wamid,
                      status: status.status,
                      timestamp: String(Math.floor(status.occurredAt.getTime() / 1000)),
                      recipient_id: "5511999990000",
                      ...(status.pricing ? { pricing: status.pricing } : {}),
                      ...(status.callbackData ? { biz_opaque_callback_data: status.callbackData } : {}),
                    },
                  ],
                },
              },
            ],
          },
        ],
        seq: ++seq,
      }),
    );
    const signature = `sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`;
    const outcome = await receiveMetaWebhook(db, body, signature, SECRET);
    expect(outcome).toMatchObject({ status: 200, received: 1 });
    return outcome.receiptIds[0]!;
  }

  /** sent, delivered and read for each message, some read before delivered, as Meta's retries mix them. */
  async function lifecycleStatuses(phoneNumberId: string, wamids: string[]) {
    const ids: string[] = [];
    for (const [i, wamid] of wamids.entries()) {
      ids.push(await deliver(phoneNumberId, { wamid, status: "sent", occurredAt: at(i), pricing: utility }));
      if (i % 2) ids.push(await deliver(phoneNumberId, { wamid, status: "read", occurredAt: at(i + 2) }));
      ids.push(await deliver(phoneNumberId, { wamid, status: "delivered", occurredAt: at(i + 1), pricing: utility }));
      if (!(i % 2)) ids.push(await deliver(phoneNumberId, { wamid, status: "read", occurredAt: at(i + 2) }));
    }
    return ids;
  }

  const outcome = async (shopId: string, orderId: string) => ({
    messages: (await db.message.findMany({ where: { shopId }, orderBy: { wamid: "asc" } })).map((m) => ({
      status: m.status,
      sentAt: m.sentAt,
      deliveredAt: m.deliveredAt,
      readAt: m.readAt,
      pricingCategory: m.pricingCategory,
      costState: m.costState,
      costMicros: m.costMicros,
    })),
    daily: (await db.costDaily.findMany({ where: { shopId }, orderBy: [{ day: "asc" }, { category: "asc" }, { pricingType: "asc" }] })).map(({ id: _id, shopId: _shop, ...row }) => row),
    order: await db.order.findUniqueOrThrow({ where: { id: orderId }, select: { whatsappCostMicros: true, whatsappMessages: true } }),
  });

  it("leaves exactly what one-at-a-time handling leaves, committing a batch at once", async () => {
    const batched = await world("batched", 6);
    const single = await world("single", 6);
    const batchReceipts = await lifecycleStatuses(batched.phoneNumberId, batched.wamids);
    expect(await processDueReceipts(deps(), 50)).toBe(batchReceipts.length);
    const singleReceipts = await lifecycleStatuses(single.phoneNumberId, single.wamids);
    for (let i = 0; i < singleReceipts.length; i++) expect(await processDueReceipts(deps(), 1)).toBe(1);

    const [a, b] = [await outcome(batched.shopId, batched.orderId), await outcome(single.shopId, single.orderId)];
    expect(a).toEqual(b);
    // And both true: the report lines add up to the messages.
    const sum = (field: "sent" | "delivered" | "read" | "charged") => a.daily.reduce((total, row) => total + row[field], 0);
    expect([sum("sent"), sum("delivered"), sum("read"), sum("charged")]).toEqual([6, 6, 6, 6]);
    expect(a.daily.reduce((total, row) => total + Number(row.costMicros), 0)).toBe(a.messages.reduce((total, m) => total + m.costMicros!, 0));
    expect(a.messages.every((m) => m.status === "READ" && m.costState === "CHARGED" && m.costMicros! > 0)).toBe(true);
    expect(a.order.whatsappMessages).toBe(6);
    expect(Number(a.order.whatsappCostMicros)).toBe(a.messages.reduce((sum, m) => sum + m.costMicros!, 0));

    const receipts = async (ids: string[]) => db.webhookReceipt.findMany({ where: { id: { in: ids } } });
    const batchRows = await receipts(batchReceipts);
    expect(batchRows.every((r) => r.status === "PROCESSED" && r.shopId === batched.shopId && r.attempts === 1)).toBe(true);
    // A commit per batch of receipts; handled one at a time, (nearly) each receipt has its own moment.
    const commits = async (ids: string[]) => new Set((await receipts(ids)).map((r) => r.processedAt!.getTime())).size;
    expect(await commits(batchReceipts)).toBeLessThanOrEqual(batchReceipts.length / 4);
    expect(await commits(singleReceipts)).toBeGreaterThan(singleReceipts.length / 4);
  });

  it("hands a status before its send, an unknown number and a replay to the one-by-one path, which places each", async () => {
    const shop = await world("mixed", 3);
    const early = await db.message.create({
      data: { shopId: shop.shopId, direction: "OUT", source: "AUTOMATION", type: "template", templateName: "order_confirmation", market: "Brazil", status: "QUEUED", statusRank: 2 },
    });
    const ids = {
      first: await deliver(shop.phoneNumberId, { wamid: shop.wamids[0]!, status: "delivered", occurredAt: at(1), pricing: utility }),
      second: await deliver(shop.phoneNumberId, { wamid: shop.wamids[1]!, status: "delivered", occurredAt: at(1), pricing: utility }),
      beforeSend: await deliver(shop.phoneNumberId, { wamid: "wamid.mixed.early", status: "delivered", occurredAt: at(2), pricing: utility }),
      unknownNumber: await deliver("pn-nobody", { wamid: shop.wamids[2]!, status: "delivered", occurredAt: at(3) }),
    };
    expect(await processDueReceipts(deps(), 50)).toBe(4);
    const status = async (id: string) => (await db.webhookReceipt.findUniqueOrThrow({ where: { id } })).status;
    expect(await status(ids.first)).toBe("PROCESSED");
    expect(await status(ids.second)).toBe("PROCESSED");
    expect(await status(ids.beforeSend)).toBe("PROCESSED");
    expect(await status(ids.unknownNumber)).toBe("IGNORED");
    expect((await db.message.findFirstOrThrow({ where: { wamid: shop.wamids[2] } })).status).toBe("SENT");
    // The status that came first is applied when the send is recorded.
    await recordAccepted(db, shop.shopId, early.id, "wamid.mixed.early");
    expect(await db.message.findUniqueOrThrow({ where: { id: early.id } })).toMatchObject({ status: "DELIVERED", deliveredAt: at(2) });

    // Meta reports the first message's delivery again (a second later: not a byte-identical retry, which
    // intake drops), beside a new status: the replay rolls the batch back, and one by one it is a
    // duplicate that changes nothing while the new status applies.
    const replay = await deliver(shop.phoneNumberId, { wamid: shop.wamids[0]!, status: "delivered", occurredAt: new Date(at(1).getTime() + 1000), pricing: utility });
    const read = await deliver(shop.phoneNumberId, { wamid: shop.wamids[1]!, status: "read", occurredAt: at(5) });
    expect(await processDueReceipts(deps(), 50)).toBe(2);
    expect(await status(replay)).toBe("PROCESSED");
    expect(await status(read)).toBe("PROCESSED");
    expect(await db.messageStatusEvent.count({ where: { wamid: shop.wamids[0], status: "delivered" } })).toBe(1);
    expect((await db.message.findFirstOrThrow({ where: { wamid: shop.wamids[0] } })).deliveredAt).toEqual(at(1));
    expect((await db.message.findFirstOrThrow({ where: { wamid: shop.wamids[1] } })).status).toBe("READ");
    const daily = await db.costDaily.aggregate({ where: { shopId: shop.shopId }, _sum: { delivered: true, read: true, charged: true } });
    expect(daily._sum).toEqual({ delivered: 3, read: 1, charged: 3 });
  });

  it("totals several orders in one transaction (acceptances, then a batch of deliveries) as one at a time", async () => {
    // Five orders to two markets (two utility rates), one send each but two for the first: neighbours in
    // key order owe the same or not, in messages when accepted and in cost when delivered.
    const orders = [
      { sends: 2, market: "Brazil" },
      { sends: 1, market: "Brazil" },
      { sends: 1, market: "Mexico" },
      { sends: 1, market: "Brazil" },
      { sends: 1, market: "Mexico" },
    ];
    async function ordersOf(name: string) {
      const { shopId, phoneNumberId, templateId } = await numberWithTemplate(name);
      const sends = [];
      for (const [i, { sends: count, market }] of orders.entries()) {
        const order = await db.order.create({ data: { shopId, shopifyOrderId: `${i}`, name: `#${1000 + i}`, currency: "USD" } });
        for (let k = 0; k < count; k++) sends.push({ shopId, messageId: (await claimedConfirmation(shopId, templateId, order.id, market)).id, wamid: `wamid.${name}.${i}.${k}` });
      }
      return { shopId, phoneNumberId, sends };
    }
    const delivered = async ({ phoneNumberId, sends }: Awaited<ReturnType<typeof ordersOf>>) => {
      const ids = [];
      for (const [i, { wamid }] of sends.entries()) ids.push(await deliver(phoneNumberId, { wamid, status: "delivered", occurredAt: at(i), pricing: utility }));
      return ids;
    };
    const together = await ordersOf("totals-together");
    const apart = await ordersOf("totals-apart");
    await recordAcceptedMany(db, together.sends);
    for (const send of apart.sends) await recordAccepted(db, send.shopId, send.messageId, send.wamid);
    const batch = await delivered(together);
    expect(await processDueReceipts(deps(), 50)).toBe(batch.length);
    const single = await delivered(apart);
    for (let i = 0; i < single.length; i++) expect(await processDueReceipts(deps(), 1)).toBe(1);

    const totals = async (shopId: string) => {
      const rows = await db.order.findMany({ where: { shopId }, orderBy: { shopifyOrderId: "asc" } });
      const messages = await db.message.findMany({ where: { shopId } });
      return rows.map((order) => {
        const mine = messages.filter((m) => m.orderId === order.id);
        return { messages: order.whatsappMessages, costMicros: Number(order.whatsappCostMicros), owed: { messages: mine.length, costMicros: mine.reduce((sum, m) => sum + (m.costMicros ?? 0), 0) } };
      });
    };
    const [a, b] = [await totals(together.shopId), await totals(apart.shopId)];
    expect(a).toEqual(b);
    for (const order of a) expect({ messages: order.messages, costMicros: order.costMicros }).toEqual(order.owed);
    expect(a.map((order) => order.messages)).toEqual(orders.map((order) => order.sends));
    // Delivered and charged at each market's own rate: one send to Mexico does not cost what one to Brazil does.
    expect(a[1]!.costMicros).toBeGreaterThan(0);
    expect(a[2]!.costMicros).toBeGreaterThan(0);
    expect(a[2]!.costMicros).not.toBe(a[1]!.costMicros);
  });

  it("applies a batch that spans two shops each to its own messages, the same wamid in both", async () => {
    const first = await world("tenant-one", 2);
    const second = await world("tenant-two", 2);
    // Shop two's second message carries the wamid of shop one's first (wamids are per number).
    const shared = first.wamids[0]!;
    await db.message.updateMany({ where: { shopId: second.shopId, wamid: second.wamids[1] }, data: { wamid: shared } });
    const ids = [
      await deliver(first.phoneNumberId, { wamid: shared, status: "read", occurredAt: at(10) }),
      await deliver(second.phoneNumberId, { wamid: second.wamids[0]!, status: "delivered", occurredAt: at(11), pricing: utility }),
      await deliver(first.phoneNumberId, { wamid: first.wamids[1]!, status: "delivered", occurredAt: at(12), pricing: utility }),
      await deliver(second.phoneNumberId, { wamid: shared, status: "delivered", occurredAt: at(13), pricing: utility }),
    ];
    expect(await processDueReceipts(deps(), 50)).toBe(4);
    const rows = await db.webhookReceipt.findMany({ where: { id: { in: ids } } });
    expect(new Set(rows.map((r) => r.processedAt!.getTime())).size).toBe(1);
    expect(rows.map((r) => [r.id, r.status, r.shopId]).sort()).toEqual(
      [
        [ids[0], "PROCESSED", first.shopId],
        [ids[1], "PROCESSED", second.shopId],
        [ids[2], "PROCESSED", first.shopId],
        [ids[3], "PROCESSED", second.shopId],
      ].sort(),
    );
    const message = (shopId: string, wamid: string) => db.message.findFirstOrThrow({ where: { shopId, wamid } });
    expect(await message(first.shopId, shared)).toMatchObject({ status: "READ", readAt: at(10), deliveredAt: at(10) });
    expect(await message(second.shopId, shared)).toMatchObject({ status: "DELIVERED", deliveredAt: at(13), readAt: null });
    expect(await db.messageStatusEvent.count({ where: { wamid: shared } })).toBe(2);
    expect(await db.messageStatusEvent.count({ where: { shopId: first.shopId, wamid: shared, status: "read" } })).toBe(1);
    const delivered = async (shopId: string) => (await db.costDaily.aggregate({ where: { shopId }, _sum: { delivered: true } }))._sum.delivered;
    expect([await delivered(first.shopId), await delivered(second.shopId)]).toEqual([2, 2]);
  });
});
