// A scheduled campaign's messages, written by the worker in batches under the
// campaign's claim (queueLockedUntil/queueLockedBy): a batch's rows, its
// recipients' links to them and the campaign's count move in one transaction
// that only commits while the claim holds and the campaign is still going, so
// a worker that dies mid-queue is followed by another from the last batch and
// nobody gets two. The idempotency key (CAMPAIGN:<campaign>:<customer>) backs
// that up. Then the campaign moves on: SCHEDULED → SENDING once its first
// message is due, SENDING → DONE once every message is final.
import type { Db } from "../db.server";
import { STATUS_RANK } from "../domain";
import { insertOnce } from "../db-errors.server";
import { languageFor, templateFor } from "../automations.server";
import type { Campaign, CampaignRecipient, Shop } from "../generated/prisma/client";
import { deadLeases } from "../jobs/leases.server";
import { localDay } from "../pricing/time";
import { DEFAULT_QUIET_HOURS, dueAt } from "./local-time";
import { campaignParameters } from "./template-params";

const BATCH = 500;
const CLAIM_MS = 60_000;
const GOING = ["SCHEDULED", "SENDING"];
/** The source of a campaign's messages: costed like the automations', reported apart. */
export const CAMPAIGN_SOURCE = "CAMPAIGN";
/** Consent read from Shopify when the audience was read, for a recipient the app had no contact for. */
const SHOPIFY_AUDIENCE_CONSENT = "shopify_campaign_audience";

interface Deps {
  db: Db;
  leaseId?: string;
}

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
  const cartReminders = await db.automation.findUnique({ where: { shopId_trigger: { shopId: shop.id, trigger: "CHECKOUT_ABANDONED" } }, select: { quietHours: true } });
  // The shop's cart-reminder quiet hours apply to its other marketing too (null there: none); a shop without that automation gets the default.
  const quietHours = cartReminders ? cartReminders.quietHours : DEFAULT_QUIET_HOURS;
  const day = localDay(campaign.sendAt ?? new Date(), shop.timezone);
  let lockedUntil = claimedUntil;
  for (;;) {
    if (options.stopping?.()) return false;
    const batch = await db.campaignRecipient.findMany({ where: { campaignId: campaign.id, excluded: null, messageId: null }, orderBy: { id: "asc" }, take: BATCH });
    if (batch.length === 0) {
      await db.campaign.updateMany({ where: { id: campaign.id, queueLockedUntil: lockedUntil }, data: { queueLockedUntil: null, queueLockedBy: null } });
      return true;
    }
    const rows = await messagesFor(db, campaign, shop, batch, (recipient) => dueAt(campaign, day, recipient.countryCode, shop.timezone, quietHours, new Date()));
    const next = new Date(Date.now() + CLAIM_MS);
    const moved = await db.$transaction(async (tx) => {
      const held = await tx.campaign.updateMany({
        where: { id: campaign.id, status: { in: GOING }, queueLockedUntil: lockedUntil },
        data: { queued: { increment: rows.length }, queueLockedUntil: next },
      });
      if (!held.count) return false;
      await tx.message.createMany({ data: rows.map((r) => r.message) });
      for (const r of rows) await tx.campaignRecipient.update({ where: { id: r.recipientId }, data: { messageId: r.message.id, dueAt: r.message.scheduledFor } });
      return true;
    });
    // Paused, cancelled, or taken over by another worker (this one stalled past its claim).
    if (!moved) return false;
    lockedUntil = next;
  }
}

type Recipient = Pick<CampaignRecipient, "id" | "customerId" | "contactId" | "phoneE164" | "countryCode" | "market" | "locale" | "firstName">;

/** Each recipient's row: their template language, variables and due time; SKIPPED with the reason code when it cannot go. */
async function messagesFor(db: Db, campaign: Campaign, shop: Shop, batch: Recipient[], due: (r: Recipient) => Date) {
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
        params: { body: parameters.values },
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
 * known one without consent (and no opt-out) gets it, so the dispatcher's
 * consent check and a later opt-out apply to them as to anyone.
 */
async function contactsFor(db: Db, shopId: string, batch: Recipient[]) {
  const phones = batch.flatMap((r) => (r.phoneE164 ? [r.phoneE164] : []));
  const consent = { marketingConsent: true, marketingConsentSource: SHOPIFY_AUDIENCE_CONSENT, marketingConsentAt: new Date() };
  await db.contact.updateMany({ where: { shopId, phoneE164: { in: phones }, marketingConsent: false, marketingOptedOutAt: null }, data: consent });
  const known = await db.contact.findMany({ where: { shopId, phoneE164: { in: phones } } });
  const byPhone = new Map(known.map((c) => [c.phoneE164!, c]));
  for (const r of batch) {
    if (!r.phoneE164 || byPhone.has(r.phoneE164)) continue;
    const data = {
      shopId,
      phoneE164: r.phoneE164,
      countryCode: r.countryCode,
      market: r.market,
      locale: r.locale,
      shopifyCustomerId: r.customerId,
      ...consent,
    };
    // A customer writing in meanwhile may have created it: then theirs is the one.
    const contact = (await insertOnce(() => db.contact.create({ data }))) ?? (await db.contact.findUnique({ where: { shopId_phoneE164: { shopId, phoneE164: r.phoneE164 } } }));
    if (contact) byPhone.set(r.phoneE164, contact);
  }
  return byPhone;
}

/** SCHEDULED → SENDING once a message is due; SENDING → DONE once all are written and none is waiting or being sent. */
export async function advanceCampaigns(db: Db, now = new Date()) {
  await db.campaign.updateMany({
    // A skipped message (no due time) starts it too: nothing else may come.
    where: { status: "SCHEDULED", messages: { some: { OR: [{ scheduledFor: { lte: now } }, { scheduledFor: null }] } } },
    data: { status: "SENDING", startedAt: now },
  });
  await db.campaign.updateMany({
    where: {
      status: "SENDING",
      recipients: { none: { excluded: null, messageId: null } },
      messages: { none: { status: { in: ["SCHEDULED", "QUEUED", "SENDING"] } } },
    },
    data: { status: "DONE", finishedAt: now },
  });
}
