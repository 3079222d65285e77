// A scheduled campaign's messages, written by the worker in batches under the
// campaign's claim (queueLockedUntil/queueLockedBy): a batch's rows, its
// recipients' links to them and the campaign's count move in one transaction
// that only commits while the claim holds and the campaign is still going, so
// a worker that dies mid-queue is followed by another from the last batch and
// nobody gets two. The idempotency key (CAMPAIGN:<campaign>:<customer>) backs
// that up. Then the campaign moves on: SCHEDULED → SENDING once its first
// message is due, SENDING → DONE once every message is final. A campaign's
// message opens no inbox conversation (5,000 of them would bury the customers
// who wrote): the customer's reply does.
import type { Db, Tx } from "../core/db.server";
import { singleStatementUpsert } from "../core/db-errors.server";
import { STATUS_RANK } from "../core/domain";
import { languageFor, templateFor } from "../messaging/automations.server";
import type { Campaign, CampaignRecipient, Shop } from "../generated/prisma/client";
import { deadLeases } from "../jobs/leases.server";
import { localDay } from "../pricing/time";
import { campaignQuietHours, dueAt } from "./local-time";
import { campaignLinks, campaignParameters } from "./template-params";
import type { AppDeps } from "../core/deps";

// A batch's recipients are linked to their messages one statement each (each link is its own message id), so on a
// busy PostgreSQL a batch takes about 10 ms per recipient: 200 keep the transaction to seconds, and its timeout is
// above that, well within the claim (a transaction that outlives the claim still holds the campaign's row).
const BATCH = 200;
const BATCH_TIMEOUT_MS = 30_000;
const CLAIM_MS = 60_000;
const GOING = ["SCHEDULED", "SENDING"];
/** The source of a campaign's messages: costed like the automations', reported apart. */
export const CAMPAIGN_SOURCE = "CAMPAIGN";

type Deps = Pick<AppDeps, "db" | "leaseId">;

/** Writes the messages of campaigns due for it; returns how many campaigns it finished writing. */
export async function queueDueCampaigns(deps: Deps, options: { stopping?: () => boolean } = {}): Promise<number> {
  const { db } = deps;
  const now = new Date();
  const dead = await deadLeases(db, now);
  const due = await db.campaign.findMany({
    where: {
      status: { in: GOING },
      recipients: { some: { excluded: null, messageId: null } },
      OR: [{ queueLockedUntil: null }, { queueLockedUntil: { lt: now } }, ...(dead.length ? [{ queueLockedBy: { in: dead } }] : [])],
    },
    include: { shop: true },
    take: 5,
  });
  let finished = 0;
  for (const campaign of due) {
    if (options.stopping?.()) break;
    const claim = { queueLockedBy: deps.leaseId ?? null, queueLockedUntil: new Date(Date.now() + CLAIM_MS) };
    const won = await db.campaign.updateMany({
      where: { id: campaign.id, status: { in: GOING }, queueLockedUntil: campaign.queueLockedUntil, queueLockedBy: campaign.queueLockedBy },
      data: claim,
    });
    if (!won.count) continue;
    if (await writeMessages(db, campaign, campaign.shop, claim.queueLockedUntil, options)) finished++;
  }
  await advanceCampaigns(db);
  return finished;
}

/** Writes batches until every recipient has their message (true), or the worker stops or loses the claim (false). */
async function writeMessages(db: Db, campaign: Campaign, shop: Shop, claimedUntil: Date, options: { stopping?: () => boolean }): Promise<boolean> {
  // The shop's cart-reminder quiet hours apply to its other marketing too; the dispatcher checks them again at send.
  const quietHours = await campaignQuietHours(db, shop.id);
  const day = localDay(campaign.sendAt ?? new Date(), shop.timezone);
  let lockedUntil = claimedUntil;
  for (;;) {
    if (options.stopping?.()) return false;
    const batch = await db.campaignRecipient.findMany({ where: { campaignId: campaign.id, excluded: null, messageId: null }, orderBy: { id: "asc" }, take: BATCH });
    if (batch.length === 0) {
      await db.campaign.updateMany({ where: { id: campaign.id, queueLockedUntil: lockedUntil }, data: { queueLockedUntil: null, queueLockedBy: null } });
      return true;
    }
    const next = new Date(Date.now() + CLAIM_MS);
    // Contacts, consent records and messages together, under the claim, for the recipients still there (a
    // customers/redact meanwhile erased theirs: nothing of them is written back).
    const moved = await db.$transaction(
      async (tx) => {
        const held = await tx.campaign.updateMany({ where: { id: campaign.id, status: { in: GOING }, queueLockedUntil: lockedUntil }, data: { queueLockedUntil: next } });
        if (!held.count) return false;
        const current = await tx.campaignRecipient.findMany({ where: { id: { in: batch.map((r) => r.id) }, messageId: null }, orderBy: { id: "asc" } });
        const rows = await messagesFor(tx, campaign, shop, current, (recipient) => dueAt(campaign, day, recipient.countryCode, shop.timezone, quietHours, new Date()));
        await tx.message.createMany({ data: rows.map((r) => r.message) });
        for (const r of rows) await tx.campaignRecipient.update({ where: { id: r.recipientId }, data: { messageId: r.message.id, dueAt: r.message.scheduledFor } });
        await tx.campaign.update({ where: { id: campaign.id }, data: { queued: { increment: rows.length } } });
        return true;
      },
      { timeout: BATCH_TIMEOUT_MS },
    );
    if (!moved) {
      // Paused or cancelled: the claim goes now, so a resume carries on at once (taken over by another worker: it is theirs, nothing changes).
      await db.campaign.updateMany({ where: { id: campaign.id, queueLockedUntil: lockedUntil }, data: { queueLockedUntil: null, queueLockedBy: null } });
      return false;
    }
    lockedUntil = next;
  }
}

type Recipient = Pick<CampaignRecipient, "id" | "customerId" | "contactId" | "phoneE164" | "countryCode" | "market" | "locale" | "firstName" | "consentSource">;

/** Each recipient's row: their template language, variables and due time; SKIPPED with the reason code when it cannot go. */
async function messagesFor(db: Tx, campaign: Campaign, shop: Shop, batch: Recipient[], due: (r: Recipient) => Date) {
  const contacts = await contactsFor(db, shop.id, batch);
  const templates = new Map<string, Awaited<ReturnType<typeof templateFor>>>();
  const rows = [];
  for (const recipient of batch) {
    const contact = contacts.get(recipient.phoneE164 ?? "");
    const base = {
      id: crypto.randomUUID(),
      shopId: shop.id,
      direction: "OUT",
      source: CAMPAIGN_SOURCE,
      type: "template",
      campaignId: campaign.id,
      contactId: contact?.id ?? null,
      templateName: campaign.templateName,
      recipientPhone: recipient.phoneE164,
      market: recipient.market,
      idempotencyKey: `CAMPAIGN:${campaign.id}:${recipient.customerId}`,
    };
    const skip = (reason: string) => ({ recipientId: recipient.id, message: { ...base, status: "SKIPPED", statusRank: STATUS_RANK.SKIPPED, skipReason: reason, scheduledFor: null } });
    if (!contact || !recipient.phoneE164) {
      rows.push(skip("CAMPAIGN_NO_CONTACT"));
      continue;
    }
    const language = languageFor(recipient.locale ?? contact.locale, shop.locale);
    if (!templates.has(language)) templates.set(language, await templateFor(db, shop.id, campaign.templateName ?? "", language));
    const { template, held } = templates.get(language)!;
    if (held || !template) {
      rows.push(skip(held ? "CAMPAIGN_TEMPLATE_HELD" : "CAMPAIGN_TEMPLATE_MISSING"));
      continue;
    }
    const parameters = campaignParameters(campaign.variableMapping, recipient, shop);
    if (!parameters.ok) {
      rows.push(skip("CAMPAIGN_EMPTY_VARIABLE"));
      continue;
    }
    const scheduledFor = due(recipient);
    rows.push({
      recipientId: recipient.id,
      message: {
        ...base,
        templateId: template.id,
        templateLanguage: template.language,
        params: { body: parameters.values, links: campaignLinks(template.components, campaign) },
        status: "SCHEDULED",
        statusRank: STATUS_RANK.SCHEDULED,
        scheduledFor,
      },
    });
  }
  return rows;
}

/**
 * The batch's contacts by phone, carrying the consent the audience found in
 * Shopify: a recipient the app did not know yet becomes a contact with it, a
 * known one without consent (and no opt-out) gets it, each with its consent
 * record (source shopify_whatsapp or shopify_sms), so the dispatcher's consent
 * check and a later opt-out apply to them as to anyone.
 */
async function contactsFor(db: Tx, shopId: string, batch: Recipient[]) {
  const phones = batch.flatMap((r) => (r.phoneE164 ? [r.phoneE164] : []));
  for (const r of batch) {
    if (!r.phoneE164 || !r.consentSource) continue;
    const at = new Date();
    // An upsert in one statement, with no unique violation to abort the transaction: a customer writing in meanwhile may have made it.
    const contact = await db.contact.upsert({
      where: { shopId_phoneE164: { shopId, phoneE164: r.phoneE164 } },
      create: { shopId, phoneE164: r.phoneE164, countryCode: r.countryCode, market: r.market, locale: r.locale, shopifyCustomerId: r.customerId },
      update: singleStatementUpsert({ shopId }),
    });
    const granted = await db.contact.updateMany({
      where: { id: contact.id, marketingConsent: false, marketingOptedOutAt: null },
      data: { marketingConsent: true, marketingConsentSource: r.consentSource, marketingConsentAt: at },
    });
    if (granted.count) await db.consentRecord.create({ data: { shopId, contactId: contact.id, category: "MARKETING", granted: true, source: r.consentSource, recordedAt: at } });
  }
  const contacts = await db.contact.findMany({ where: { shopId, phoneE164: { in: phones } } });
  return new Map(contacts.map((c) => [c.phoneE164!, c]));
}

/** SCHEDULED → SENDING once a message is due; SENDING → DONE once all are written and none is waiting or being sent. */
export async function advanceCampaigns(db: Db, now = new Date()) {
  await db.campaign.updateMany({
    // A message of it is due (a skipped one, which has no time, starts nothing).
    where: { status: "SCHEDULED", messages: { some: { status: { notIn: ["SKIPPED", "CANCELLED"] }, scheduledFor: { lte: now } } } },
    data: { status: "SENDING", startedAt: now },
  });
  await db.campaign.updateMany({
    // Every message written and final (a campaign whose every row was skipped is done without starting).
    where: {
      status: { in: ["SCHEDULED", "SENDING"] },
      recipients: { none: { excluded: null, messageId: null } },
      messages: { none: { status: { in: ["SCHEDULED", "QUEUED", "SENDING"] } } },
    },
    data: { status: "DONE", finishedAt: now },
  });
}
