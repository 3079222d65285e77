// Response times: the team page computes first-response and resolution times
// (median, p90) per person and per week from the messages' own times — customer
// messages and phone-app answers arrive as signed Meta webhooks carrying their
// timestamps, staff answer and close through the app (their steps then moved to
// the history's clock) — and the report with a fixed clock puts them in the
// shop's weeks. A customer waiting past the first-response target shows in the
// overdue view with how long they have waited, until answered; another shop
// never sees it.
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { touchConversation } from "../app/messaging/conversations.server";
import { Prisma } from "../app/generated/prisma/client";
import { teamReport } from "../app/messaging/team-report.server";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { installShop } from "../sandbox/seed";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, simJson } from "./helpers/http";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

describe("response times: the team page and the overdue view", () => {
  let sandbox: Sandbox;
  let shopId: string;
  const otherShop = "other-team.myshopify.com";
  let wamids = 0;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 5 } });
    await installShop(sandbox.db, sandbox.config, otherShop);
    shopId = (await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } })).id;
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const text = (html: string) =>
    html
      .replace(/<[^>]+>/g, " ")
      .replace(/&#x27;|&#39;/g, "'")
      .replace(/\s+/g, " ");
  const page = async (path: string, query: Record<string, string> = {}, shop?: string) =>
    text(await (await fetch(`${sandbox.adminUrl(path, { shop, locale: "en" })}&${new URLSearchParams(query)}`, { headers: { "user-agent": BROWSER_UA } })).text());
  const metadata = { display_phone_number: "15550100001", phone_number_id: SEED.cloudPhoneNumberId };
  const seconds = (at: Date) => String(Math.floor(at.getTime() / 1000));

  /** A customer message as Meta delivers it, written at `at`. */
  const customerWrites = async (phone: string, name: string, body: string, at: Date) => {
    const from = phone.slice(1);
    const value = {
      messaging_product: "whatsapp",
      metadata,
      contacts: [{ profile: { name }, wa_id: from }],
      messages: [{ from, id: `wamid.team.${++wamids}`, timestamp: seconds(at), type: "text", text: { body } }],
    };
    await simJson(sandbox.simUrl, "webhook", { method: "POST", body: { field: "messages", value } });
    await sandbox.settled();
  };
  /** The merchant answers from the WhatsApp Business app (a Coexistence echo) at `at`. */
  const phoneAppAnswers = async (phone: string, body: string, at: Date) => {
    const value = {
      messaging_product: "whatsapp",
      metadata,
      message_echoes: [{ from: "15550100001", to: phone.slice(1), id: `wamid.team.${++wamids}`, timestamp: seconds(at), type: "text", text: { body } }],
    };
    await simJson(sandbox.simUrl, "webhook", { method: "POST", body: { field: "smb_message_echoes", value } });
    await sandbox.settled();
  };
  /** The customer writes now through the simulator, which opens its service window for the app's answers. */
  const customerWritesNow = async (phone: string, name: string) => {
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: phone, name, text: "Olá?", phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
    return (await sandbox.db.contact.findFirstOrThrow({ where: { shopId, phoneE164: phone } })).id;
  };
  const act = (contactId: string, userId: number, fields: Record<string, string>) =>
    fetch(`${sandbox.appUrl}/app/conversations/${contactId}`, {
      method: "POST",
      headers: { authorization: `Bearer ${sandbox.sessionToken(sandbox.shopDomain, userId)}`, "content-type": "application/x-www-form-urlencoded", "user-agent": BROWSER_UA },
      body: new URLSearchParams({ requestId: crypto.randomUUID(), ...fields }).toString(),
    });
  /** A staff member answers in the app; the app stamps it with its own clock, so it is moved to `at` when given. */
  const staffAnswers = async (contactId: string, userId: number, body: string, at?: Date) => {
    const requestId = crypto.randomUUID();
    expect((await act(contactId, userId, { intent: "text", text: body, requestId })).status).toBe(200);
    const key = { shopId_idempotencyKey: { shopId, idempotencyKey: `STAFF:${requestId}` } };
    expect((await sandbox.db.message.findUniqueOrThrow({ where: key })).status).not.toBe("FAILED");
    if (at) await sandbox.db.message.update({ where: key, data: { occurredAt: at } });
  };
  const staffCloses = async (contactId: string, userId: number, at: Date) => {
    expect((await act(contactId, userId, { intent: "close" })).status).toBe(200);
    const closed = await sandbox.db.conversationEvent.findFirstOrThrow({ where: { shopId, contactId, kind: "CLOSED" }, orderBy: { at: "desc" } });
    await sandbox.db.conversationEvent.update({ where: { id: closed.id }, data: { at } });
  };

  it("shows first-response and resolution medians and p90s per person for last week, from the messages' own times", async () => {
    // The demo shop is in São Paulo (no daylight saving): a local week starts Monday 00:00, 03:00 UTC.
    const local = new Date(Date.now() - 3 * HOUR);
    const monday = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() - ((local.getUTCDay() + 6) % 7) - 7, 3));
    const at = (day: number, hour: number, minute: number) => new Date(monday.getTime() + day * DAY + hour * HOUR + minute * MIN);
    // Open 09:00–18:00 on weekdays: the 15-minute target counts only those minutes.
    const weekday = [{ open: "09:00", close: "18:00" }];
    await sandbox.db.shop.update({ where: { id: shopId }, data: { businessHours: [[], weekday, weekday, weekday, weekday, weekday, []], firstResponseTargetMinutes: 15 } });

    const [ana, bruno, carla, diego, elena] = ["+5511955571001", "+5511955571002", "+5511955571003", "+5511955571004", "+5511955571005"];
    const ids: Record<string, string> = {};
    for (const [phone, name] of [
      [ana, "Ana"],
      [bruno, "Bruno"],
      [carla, "Carla"],
      [diego, "Diego"],
      [elena, "Elena"],
    ] as const)
      ids[phone] = await customerWritesNow(phone, name);

    // Monday: Elena asks for a person at 09:00, Mariana answers at 09:06 (6 min) and closes at 09:30.
    await customerWrites(elena, "Elena", "Quero falar com um humano", at(0, 9, 0));
    await staffAnswers(ids[elena]!, 1, "Oi Elena, sou a Mariana", at(0, 9, 6));
    await staffCloses(ids[elena]!, 1, at(0, 9, 30));
    // Tuesday: Ana, answered by Mariana in 4 min, writes again; Mariana closes at 10:30 (30 min).
    await customerWrites(ana, "Ana", "Tem o tênis 38?", at(1, 10, 0));
    await staffAnswers(ids[ana]!, 1, "Temos sim!", at(1, 10, 4));
    await customerWrites(ana, "Ana", "Obrigada", at(1, 10, 5));
    await staffCloses(ids[ana]!, 1, at(1, 10, 30));
    // Bruno writes twice; an automatic message is no answer; Mariana answers at 11:10 (10 min); Rafael closes at 12:00 (1 h).
    await customerWrites(bruno, "Bruno", "Boa tarde", at(1, 11, 0));
    await customerWrites(bruno, "Bruno", "Alguém aí?", at(1, 11, 0.5));
    const automatic = await sandbox.db.message.create({
      data: { shopId, contactId: ids[bruno]!, direction: "OUT", source: "AUTOMATION", type: "template", templateName: "order_confirmation", status: "SENT", occurredAt: at(1, 11, 5) },
    });
    await touchConversation(sandbox.db, automatic);
    await staffAnswers(ids[bruno]!, 1, "Oi Bruno!", at(1, 11, 10));
    await staffCloses(ids[bruno]!, 2, at(1, 12, 0));
    // Carla writes at 17:55 on Wednesday; Rafael answers at 09:08 on Thursday: 15 h 13 min, but 13 opening minutes (met).
    // She writes again at 09:20 and the phone app answers at 09:50 (30 min, missed); Rafael closes at 10:00 (16 h 5 min).
    await customerWrites(carla, "Carla", "Vocês trocam tamanho?", at(2, 17, 55));
    await staffAnswers(ids[carla]!, 2, "Trocamos sim", at(3, 9, 8));
    await customerWrites(carla, "Carla", "Como faço?", at(3, 9, 20));
    await phoneAppAnswers(carla, "Te mando o link", at(3, 9, 50));
    await staffCloses(ids[carla]!, 2, at(3, 10, 0));
    // Friday: Diego, answered from the phone app in 2 min and once more; Mariana closes at 15:00 (1 h).
    await customerWrites(diego, "Diego", "Meu pedido chegou?", at(4, 14, 0));
    await phoneAppAnswers(diego, "Chegou hoje", at(4, 14, 2));
    await phoneAppAnswers(diego, "Qualquer coisa, chama", at(4, 14, 3));
    await staffCloses(ids[diego]!, 1, at(4, 15, 0));

    const team = await page("/app/team");
    const weekLabel = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "America/Sao_Paulo" }).format(monday);
    const lastWeek = team.slice(team.indexOf(`Week of ${weekLabel}`)).split(/Week of /)[1]!;
    expect(lastWeek).toContain("Mariana Costa 3 6 min 10 min 3/3 30 min 1 h 3");
    // Rafael: one first response; two resolutions, 1 h and 16 h 5 min (the median halfway, 8 h 32 min 30 s).
    expect(lastWeek).toContain("Rafael Lima 1 15 h 13 min 15 h 13 min 1/1 8 h 32 min 16 h 5 min 2");
    expect(lastWeek).toContain("Phone app 3 16 min 30 min 1/2 — — 0");
    expect(lastWeek).toContain("Everyone 7 8 min 15 h 13 min 5/6 1 h 16 h 5 min 5");
    expect(lastWeek).toContain("Answered from the phone app: 43% of answers");
    expect(lastWeek).toContain("Handed to a person: 0");
    // This week the customers only wrote, and the handoffs were recorded: Elena's, and Bruno's (his "Olá?" and his
    // two messages, none answered when they came in, made three): the window holds both weeks.
    const whole = team.slice(team.indexOf("Last 8 weeks"), team.indexOf("Week of"));
    expect(whole).toContain("Everyone 7 8 min 15 h 13 min 5/6 1 h 16 h 5 min 5");
    expect(whole).toContain("Handed to a person: 2 · Asked for a person: 1 · 3 messages without an answer: 1");
    expect(team).toContain("First-response target: 15 min of opening hours");
    expect(team).toContain("5 of 6 first responses in the last 8 weeks met it.");
    // Another shop's team page has none of it.
    const other = await page("/app/team", {}, otherShop);
    expect(other).toContain("No team activity yet");
    expect(other).not.toContain("Rafael Lima");

    // With a fixed clock: at the end of that week it is the newest week; a week on it is the one before; eight weeks on, gone.
    const endOfWeek = await teamReport(sandbox.db, shopId, new Date(monday.getTime() + 7 * DAY - 1000));
    expect(endOfWeek.weeks[0]!.start).toBe(monday.toISOString());
    expect(endOfWeek.weeks[0]!.rows.map((r) => [r.name ?? r.actorType, r.firstResponses.median, r.firstResponses.p90, r.resolutions.median, r.resolutions.p90])).toEqual([
      ["Mariana Costa", 6 * MIN, 10 * MIN, 30 * MIN, HOUR],
      ["Rafael Lima", 15 * HOUR + 13 * MIN, 15 * HOUR + 13 * MIN, (HOUR + 16 * HOUR + 5 * MIN) / 2, 16 * HOUR + 5 * MIN],
      ["PHONE_APP", 16 * MIN, 30 * MIN, null, null],
    ]);
    expect(endOfWeek.window.handoffs.total).toBe(0);
    const weekAfter = await teamReport(sandbox.db, shopId, new Date(monday.getTime() + 7 * DAY));
    expect(weekAfter.weeks[0]!.start).toBe(new Date(monday.getTime() + 7 * DAY).toISOString());
    expect(weekAfter.weeks[0]!.total.answers).toBe(0);
    expect(weekAfter.weeks[1]!.total).toMatchObject({ answers: 7, closed: 5, firstResponses: { count: 6, met: 5 } });
    expect((await teamReport(sandbox.db, shopId, new Date(monday.getTime() + 8 * 7 * DAY))).window.total.answers).toBe(0);

    await sandbox.db.shop.update({ where: { id: shopId }, data: { businessHours: Prisma.DbNull } });
  });

  it("a customer waiting past the first-response target is overdue, with how long they have waited, until answered; another shop does not see it", async () => {
    const olga = "+5511955572001";
    // She wrote two hours ago (the target is 15 minutes) and again just now.
    await customerWrites(olga, "Olga Prado", "Vocês entregam amanhã?", new Date(Date.now() - 2 * HOUR - 30_000));
    const contactId = await customerWritesNow(olga, "Olga Prado");
    await customerWritesNow("+5511955572002", "Nina Souza");

    const overdue = await page("/app/conversations", { filter: "overdue" });
    expect(overdue).toContain("Olga Prado Info Unread Critical Overdue · waiting 2 h +55 11 95557 2001");
    expect(overdue).not.toContain("Nina Souza");
    expect(await page("/app/conversations")).toContain("Nina Souza Info Unread Attention Needs reply +55 11 95557 2002");
    expect(await page("/app/conversations", { filter: "overdue" }, otherShop)).not.toContain("Olga Prado");

    await staffAnswers(contactId, 1, "Entregamos sim!");
    expect(await page("/app/conversations", { filter: "overdue" })).not.toContain("Olga Prado");
    expect(await page("/app/conversations")).toContain("Olga Prado +55 11 95557 2001 No order yet Staff: Entregamos sim!");
  });
});
