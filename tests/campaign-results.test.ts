// A campaign's results, over real HTTP: its messages written as the sending
// writes them (QUEUED, one per recipient) and sent by the real dispatcher to
// the simulator, which answers with statuses and Meta's pricing. One recipient
// reads and replies, one writes STOP (a reply too), one message fails (131026), one
// recipient had opted out before it went (cancelled); two recipients order
// within the window, one after it, a non-recipient through the campaign's UTM
// link and another through some other link. The page and the CSV show exactly
// those numbers; another shop gets 404.
import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { campaignEstimate } from "../app/campaigns/campaigns.server";
import { STATUS_RANK } from "../app/domain";
import { cardInForce, rateCardsFor, rateFor } from "../app/pricing/rate-cards.server";
import { localDay } from "../app/pricing/time";
import { startSandbox, type Sandbox } from "../sandbox/harness";
import { installShop } from "../sandbox/seed";
import { orderPayload } from "../sandbox/shopify-payloads";
import { SEED } from "../sandbox/simulator/state";
import { testDatabaseUrl } from "./helpers/db";
import { BROWSER_UA, simJson } from "./helpers/http";

const DAY_MS = 24 * 60 * 60 * 1000;
const PHONES = { ana: "+5511955556001", bruno: "+5511955556002", carla: "+5511955556003", davi: "+5511955556004", elisa: "+5511955556005", gabriel: "+5511955556006" };
type Name = keyof typeof PHONES;

describe("campaign results: reach, cost beside the estimate, attributed orders", () => {
  let sandbox: Sandbox;
  let shopId: string;
  let campaignId: string;
  const otherShop = "other-results.myshopify.com";
  const messageIds = {} as Record<Name, string>;

  beforeAll(async () => {
    sandbox = await startSandbox({ env: { DATABASE_URL: testDatabaseUrl() }, simSettings: { statusDelayMs: 5 } });
    await installShop(sandbox.db, sandbox.config, otherShop);
    shopId = (await sandbox.db.shop.findUniqueOrThrow({ where: { domain: sandbox.shopDomain } })).id;
  });
  afterAll(async () => {
    await sandbox?.stop();
  });

  const text = (html: string) => html.replace(/<[^>]+>/g, " ").replace(/&amp;/g, "&").replace(/&#x27;/g, "'").replace(/\s+/g, " ");
  const page = async (path: string, shop?: string) => {
    const response = await fetch(sandbox.adminUrl(path, { shop, locale: "en" }), { headers: { "user-agent": BROWSER_UA } });
    return { status: response.status, text: text(await response.text()) };
  };
  const csv = (shop?: string) =>
    fetch(`${sandbox.appUrl}/app/campaigns/${campaignId}/results.csv`, { headers: { authorization: `Bearer ${sandbox.sessionToken(shop)}`, "user-agent": BROWSER_UA } });
  const message = (name: Name) => sandbox.db.message.findUniqueOrThrow({ where: { id: messageIds[name] } });
  /** Writes the recipients' campaign messages as the sending does; the dispatcher sends them. */
  const queue = async (names: Name[]) => {
    const template = await sandbox.db.template.findFirstOrThrow({ where: { shopId, name: "abandoned_cart", language: "pt_BR", status: "APPROVED" } });
    for (const name of names) {
      const recipient = await sandbox.db.campaignRecipient.findFirstOrThrow({ where: { campaignId, phoneE164: PHONES[name] } });
      const row = await sandbox.db.message.create({
        data: {
          shopId,
          campaignId,
          direction: "OUT",
          source: "AUTOMATION",
          type: "template",
          contactId: recipient.contactId,
          templateId: template.id,
          templateName: template.name,
          templateLanguage: template.language,
          params: { body: [recipient.firstName ?? "", "Camiseta Azul", "https://demo-store.myshopify.com/?utm_campaign=bf2026"] },
          recipientPhone: recipient.phoneE164,
          market: recipient.market,
          idempotencyKey: `campaign:${campaignId}:${recipient.id}`,
          status: "QUEUED",
          statusRank: STATUS_RANK.QUEUED,
        },
      });
      await sandbox.db.campaignRecipient.update({ where: { id: recipient.id }, data: { messageId: row.id } });
      messageIds[name] = row.id;
    }
  };
  const statuses = (names: Name[]) => expect.poll(async () => Promise.all(names.map(async (n) => (await message(n)).status)), { timeout: 30_000, interval: 100 });
  const placeOrder = async (phone: string, overrides: Record<string, unknown>) => {
    const order = orderPayload({ customer: { id: Math.floor(Math.random() * 1e9), first_name: "Cliente", phone }, shipping_address: { first_name: "Cliente", phone, country_code: "BR" }, ...overrides });
    expect((await fetch(`${sandbox.shopify.url}/_sim/shopify/orders`, { method: "POST", body: JSON.stringify({ shop: sandbox.shopDomain, order }) })).status).toBe(200);
    return order.name;
  };

  it("shows what the campaign reached, cost and brought, on the page and in the CSV", async () => {
    const names = Object.keys(PHONES) as Name[];
    const contacts = {} as Record<Name, string>;
    for (const name of names) {
      const contact = await sandbox.db.contact.create({
        data: { shopId, phoneE164: PHONES[name], waId: PHONES[name].slice(1), name, countryCode: "BR", market: "Brazil", marketingConsent: true, marketingConsentSource: "test", marketingConsentAt: new Date(Date.now() - DAY_MS) },
      });
      contacts[name] = contact.id;
    }
    const campaign = await sandbox.db.campaign.create({
      data: { shopId, name: "Black Friday", status: "SENDING", audienceStatus: "READY", templateName: "abandoned_cart", utmCampaign: "bf2026", attributionDays: 7 },
    });
    campaignId = campaign.id;
    await sandbox.db.campaignRecipient.createMany({
      data: names.map((name, i) => ({ campaignId, shopId, customerId: String(7_700_000 + i), contactId: contacts[name], phoneE164: PHONES[name], countryCode: "BR", market: "Brazil", locale: "pt-BR", firstName: name })),
    });
    // The estimate stored at scheduling, as campaignEstimate gives it.
    const estimate = await campaignEstimate(sandbox.db, campaign);
    await sandbox.db.campaign.update({ where: { id: campaignId }, data: { estimate: JSON.parse(JSON.stringify(estimate)) } });
    // Gabriel opts out after the audience was read, before the campaign reaches him: his message is cancelled, not an opt-out it caused.
    await sandbox.db.contact.update({ where: { id: contacts.gabriel }, data: { marketingConsent: false, marketingOptedOutAt: new Date(Date.now() - 60_000), marketingOptOutSource: "test" } });

    // Carla's send fails; Ana's is read; the others are delivered.
    await simJson(sandbox.simUrl, "fail-next", { method: "POST", body: { code: 131026, phoneNumberId: SEED.cloudPhoneNumberId } });
    await queue(["carla"]);
    await statuses(["carla"]).toEqual(["FAILED"]);
    await simJson(sandbox.simUrl, "settings", { method: "PATCH", body: { sendRead: true } });
    await queue(["ana"]);
    await statuses(["ana"]).toEqual(["READ"]);
    await simJson(sandbox.simUrl, "settings", { method: "PATCH", body: { sendRead: false } });
    await queue(["bruno", "davi", "elisa", "gabriel"]);
    await statuses(["bruno", "davi", "elisa", "gabriel"]).toEqual(["DELIVERED", "DELIVERED", "DELIVERED", "CANCELLED"]);

    // Ana replies to the campaign's message; Bruno writes STOP.
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: PHONES.ana, text: "Quero!", contextWamid: (await message("ana")).wamid, phoneNumberId: SEED.cloudPhoneNumberId } });
    await simJson(sandbox.simUrl, "inbound", { method: "POST", body: { from: PHONES.bruno, text: "STOP", phoneNumberId: SEED.cloudPhoneNumberId } });
    await sandbox.settled();
    // Both answer the campaign's message as the app counts replies (the cost report's too): a STOP is a reply.
    expect((await message("ana")).repliedAt).not.toBeNull();
    expect((await message("bruno")).repliedAt).not.toBeNull();
    expect((await sandbox.db.contact.findUniqueOrThrow({ where: { id: contacts.bruno } })).marketingOptedOutAt).not.toBeNull();

    // Orders: Ana (USD) and Davi (BRL) within the window; Elisa after it; a non-recipient through the campaign's link, another through some other link.
    const sentAt = (await message("elisa")).sentAt!;
    const anaOrder = await placeOrder(PHONES.ana, { currency: "USD", total_price: "50.00", processed_at: new Date().toISOString() });
    const daviOrder = await placeOrder(PHONES.davi, { currency: "BRL", total_price: "120.00", processed_at: new Date().toISOString() });
    await placeOrder(PHONES.elisa, { currency: "BRL", total_price: "99.00", processed_at: new Date(sentAt.getTime() + 8 * DAY_MS).toISOString() });
    const utmOrder = await placeOrder("+5511955556101", { currency: "USD", total_price: "30.00", processed_at: new Date().toISOString(), landing_site: "/products/camiseta?utm_source=whatsapp&utm_campaign=bf2026" });
    await placeOrder("+5511955556102", { currency: "USD", total_price: "45.00", processed_at: new Date().toISOString(), landing_site: "/?utm_campaign=bf2026-newsletter" });
    await sandbox.settled();
    expect(await sandbox.db.order.count({ where: { shopId, landingSite: { contains: "utm_campaign=bf2026" } } })).toBe(2);

    // Independently of the page: the marketing rate of the card in force, times the four delivered.
    const card = cardInForce(await rateCardsFor(sandbox.db, shopId, "USD"), localDay(new Date(), "America/Sao_Paulo"))!;
    const rate = rateFor(card, "Brazil", "marketing")!;
    const usd = (micros: number) => new Intl.NumberFormat("en", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 4 }).format(micros / 1_000_000);
    const actual = rate * 4;
    expect(estimate.markets).toEqual([expect.objectContaining({ market: "Brazil", recipients: 6, costMicros: rate * 6 })]);

    const { status, text: shown } = await page(`/app/campaigns/${campaignId}/results`);
    expect(status).toBe(200);
    expect(shown).toContain("Messages 6 Sent 4 Delivered 4 Read 1 Replied 2 Opted out of marketing 1 Failed 1 Skipped or cancelled 1");
    expect(shown).toContain("131026 The number cannot receive the message (not on WhatsApp, or an outdated app). 1");
    expect(shown).toContain(`Brazil 6 ${usd(rate * 6)} 4 ${usd(actual)}`);
    expect(shown).toContain(`Totals ${usd(rate * 6)} 4 ${usd(actual)}`);
    expect(shown).toContain("BRL 1 R$120.00 Not comparable: WhatsApp is billed in USD");
    const ratio = new Intl.NumberFormat("en", { maximumFractionDigits: 2 }).format(80_000_000 / actual);
    expect(shown).toContain(`USD 2 $80.00 ${ratio}× ($80.00 per ${usd(actual)})`);
    for (const [name, total, via] of [[anaOrder, "$50.00", "Recipient's order"], [daviOrder, "R$120.00", "Recipient's order"], [utmOrder, "$30.00", "Campaign link (UTM)"]] as const) {
      expect(shown).toMatch(new RegExp(`${name} [^$R]+ ${total.replace("$", "\\$")} ${via.replace(/[()]/g, "\\$&")}`));
    }
    expect(shown.match(/Recipient's order|Campaign link \(UTM\)/g)).toHaveLength(3);

    const response = await csv();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/csv");
    const rows = parse(await response.text()) as string[][];
    const row = (section: string, key: string) => rows.find((r) => r[0] === section && r[1] === key);
    expect(rows[0]).toEqual(["section", "key", "count", "amount", "currency"]);
    for (const [key, count] of [["messages", "6"], ["sent", "4"], ["delivered", "4"], ["read", "1"], ["replied", "2"], ["opted_out", "1"], ["failed", "1"], ["skipped", "1"]] as const) expect(row("count", key)?.[2]).toBe(count);
    expect(rows.filter((r) => r[0] === "failure")).toEqual([["failure", expect.stringMatching(/^131026 /), "1", "", ""]]);
    expect(row("cost", "Brazil")).toEqual(["cost", "Brazil", "4", (actual / 1e6).toFixed(6), "USD"]);
    expect(row("estimate", "total")).toEqual(["estimate", "total", "", ((rate * 6) / 1e6).toFixed(6), "USD"]);
    expect(rows.filter((r) => r[0] === "revenue")).toEqual([["revenue", "total", "1", "120.000000", "BRL"], ["revenue", "total", "2", "80.000000", "USD"]]);
    expect(rows.filter((r) => r[0] === "revenue_per_spend")).toEqual([["revenue_per_spend", "CURRENCY", "", "", "BRL"], ["revenue_per_spend", "ratio", "", (80_000_000 / actual).toFixed(2), "USD"]]);
    expect(rows.filter((r) => r[0]?.startsWith("order_")).map((r) => [r[0], r[1]!.split(" ")[0], r[3], r[4]]).sort()).toEqual(
      [["order_recipient", anaOrder, "50.000000", "USD"], ["order_recipient", daviOrder, "120.000000", "BRL"], ["order_utm", utmOrder, "30.000000", "USD"]].sort(),
    );

    // Another shop naming this campaign finds nothing.
    expect((await page(`/app/campaigns/${campaignId}/results`, otherShop)).status).toBe(404);
    expect((await csv(otherShop)).status).toBe(404);
  });
});
