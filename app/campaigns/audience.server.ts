// A campaign's audience: the Shopify customers of a saved segment, or of the
// segment query the merchant's filters make, read with the Admin API's
// customerSegmentMembers a page at a time by the worker. Each member becomes a
// recipient: their phone read in their address's country, the contact with
// that phone, and whether marketing may go to them (WhatsApp opt-in, with us
// or in Shopify; no opt-out; a market the shop does not block), else why not.
// A page's recipients, the cursor after it and the count move in one
// transaction under the campaign's claim, so a worker that dies mid-read is
// followed by another from the last stored page, and nothing is read twice.
import type { CountryCode } from "libphonenumber-js";
import { z } from "zod";

import type { AppConfig } from "../core/config.server";
import { marketingRefusal } from "../messaging/consent.server";
import { normalisePhone } from "../messaging/contacts.server";
import type { Db } from "../core/db.server";
import type { Campaign, Shop } from "../generated/prisma/client";
import { deadLeases } from "../jobs/leases.server";
import { log } from "../core/log.server";
import { EXCLUSIONS, type Exclusion } from "./exclusions";
import { backgroundAdmin } from "../shopify/admin/client.server";
import { type AdminData, AdminAuthError, type AdminGraphql } from "../shopify/admin/graphql.server";
import type { AppDeps } from "../core/deps";

export const AUDIENCE_QUERY = `#graphql
  query CampaignAudience($segmentId: ID, $query: String, $after: String) {
    customerSegmentMembers(first: 250, segmentId: $segmentId, query: $query, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          firstName
          defaultPhoneNumber {
            phoneNumber
            marketingState
            whatsAppMarketingConsent {
              state
            }
          }
          defaultAddress {
            countryCodeV2
            phone
          }
        }
      }
    }
  }
`;

const blankAsUnset = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** A form's number field: empty means not set; otherwise digits (two decimals where `decimals`) in range. */
const optionalNumber = (min: number, max: number, decimals = false) =>
  z.preprocess(
    blankAsUnset,
    z
      .string()
      .trim()
      .regex(decimals ? /^\d+(\.\d{1,2})?$/ : /^\d+$/, decimals ? "Use a number such as 150 or 150.50" : "Use a whole number")
      .transform(Number)
      .pipe(z.number().min(min).max(max))
      .optional(),
  );

/** The filters the campaign page offers, each optional (an empty field is unset); together (AND) they make a segment query. */
export const audienceFiltersSchema = z.object({
  country: z.preprocess(
    blankAsUnset,
    z
      .string()
      .trim()
      .regex(/^[A-Za-z]{2}$/, "Use a two-letter country code")
      .transform((c) => c.toUpperCase())
      .optional(),
  ),
  tag: z.preprocess(
    blankAsUnset,
    z
      .string()
      .trim()
      .max(40)
      .regex(/^[^',"\\]+$/, "A tag has no commas or quotes")
      .optional(),
  ),
  minOrders: optionalNumber(1, 10_000),
  minSpent: optionalNumber(0, 100_000_000, true),
  orderedWithinDays: optionalNumber(1, 3650),
});
export type AudienceFilters = z.infer<typeof audienceFiltersSchema>;

/** The ShopifyQL segment query of the filters (Shopify's segment query language); every customer when none is set. */
export function segmentQueryFor(filters: AudienceFilters): string {
  const conditions = [
    ...(filters.country ? [`customer_countries CONTAINS '${filters.country}'`] : []),
    ...(filters.tag ? [`customer_tags CONTAINS '${filters.tag}'`] : []),
    ...(filters.minOrders !== undefined ? [`number_of_orders >= ${filters.minOrders}`] : []),
    ...(filters.minSpent !== undefined ? [`amount_spent >= ${filters.minSpent}`] : []),
    ...(filters.orderedWithinDays !== undefined ? [`last_order_date > -${filters.orderedWithinDays}d`] : []),
  ];
  return conditions.length ? conditions.join(" AND ") : "number_of_orders >= 0";
}

type Member = AdminData<typeof AUDIENCE_QUERY>["customerSegmentMembers"]["edges"][number]["node"];
type AudienceShop = Pick<Shop, "id" | "country" | "marketingBlockedCountries" | "smsConsentCountsForWhatsApp">;

/** Shopify's customer id in a member's gid ("gid://shopify/CustomerSegmentMember/123" → "123"). */
function customerIdOf(member: Member): string {
  return member.id.slice(member.id.lastIndexOf("/") + 1);
}

/** Who a member is for WhatsApp, and whether marketing may go to them. */
async function recipientsOf(db: Db, shop: AudienceShop, campaignId: string, members: Member[]) {
  const read = members.map((member) => {
    const country = member.defaultAddress?.countryCodeV2 ?? shop.country ?? undefined;
    const raw = member.defaultPhoneNumber?.phoneNumber ?? member.defaultAddress?.phone ?? null;
    return { member, phone: raw ? normalisePhone(raw, country as CountryCode | undefined) : null };
  });
  const phones = read.flatMap((r) => (r.phone ? [r.phone.e164] : []));
  const [contacts, earlier, seen] = await Promise.all([
    db.contact.findMany({ where: { shopId: shop.id, phoneE164: { in: phones } } }),
    db.campaignRecipient.findMany({ where: { campaignId, excluded: null, phoneE164: { in: phones } }, select: { phoneE164: true } }),
    db.campaignRecipient.findMany({ where: { campaignId, customerId: { in: read.map((r) => customerIdOf(r.member)) } }, select: { customerId: true } }),
  ]);
  const taken = new Set(earlier.map((r) => r.phoneE164));
  // A customer Shopify lists again (the segment changed while it was read) is one recipient.
  const already = new Set(seen.map((r) => r.customerId));
  return read
    .filter(({ member }) => !already.has(customerIdOf(member)) && already.add(customerIdOf(member)))
    .map(({ member, phone }) => {
      const base = { campaignId, shopId: shop.id, customerId: customerIdOf(member), firstName: member.firstName ?? null };
      if (!phone) return { ...base, excluded: "NO_PHONE" as Exclusion };
      const contact = contacts.find((c) => c.phoneE164 === phone.e164);
      const whatsapp = member.defaultPhoneNumber?.whatsAppMarketingConsent.state;
      const sms = member.defaultPhoneNumber?.marketingState;
      // An opt-in to WhatsApp in Shopify counts like one with us (and SMS, where the shop says so); an opt-out anywhere wins.
      const shopifyConsent = whatsapp === "SUBSCRIBED" ? "shopify_whatsapp" : sms === "SUBSCRIBED" ? "shopify_sms" : null;
      const optedOutInShopify = whatsapp === "UNSUBSCRIBED";
      // A consent we took from Shopify's SMS marketing ends when the customer unsubscribes there.
      const ownConsent = Boolean(contact?.marketingConsent) && !(contact?.marketingConsentSource === "shopify_sms" && (sms === "UNSUBSCRIBED" || sms === "REDACTED"));
      const countryCode = phone.country ?? null;
      const asContact = {
        marketingConsent: ownConsent || Boolean(shopifyConsent),
        marketingConsentSource: ownConsent ? (contact?.marketingConsentSource ?? null) : shopifyConsent,
        marketingOptedOutAt: contact?.marketingOptedOutAt ?? (optedOutInShopify ? new Date() : null),
        countryCode,
      };
      const refused = marketingRefusal(shop, asContact);
      const duplicate = !refused && taken.has(phone.e164);
      if (!refused && !duplicate) taken.add(phone.e164);
      return {
        ...base,
        contactId: contact?.id ?? null,
        phoneE164: phone.e164,
        countryCode,
        market: phone.market,
        locale: contact?.locale ?? null,
        excluded: (refused ?? (duplicate ? "DUPLICATE" : null)) as Exclusion | null,
        consentSource: ownConsent ? null : shopifyConsent,
      };
    });
}

const CLAIM_MS = 60_000;
const MAX_ATTEMPTS = 5;
const RETRY_AFTER_MS = 30_000;

type Deps = Pick<AppDeps, "db" | "leaseId"> & { config: Pick<AppConfig, "SHOPIFY_ADMIN_URL"> };

/** Reads every audience waiting (or whose worker died), a page at a time; returns how many finished. */
export async function readDueAudiences(deps: Deps, options: { stopping?: () => boolean } = {}): Promise<number> {
  const { db } = deps;
  const now = new Date();
  const dead = await deadLeases(db, now);
  const due = await db.campaign.findMany({
    where: {
      audienceStatus: { in: ["PENDING", "READING"] },
      OR: [{ audienceLockedUntil: null }, { audienceLockedUntil: { lt: now } }, ...(dead.length ? [{ audienceLockedBy: { in: dead } }] : [])],
    },
    include: { shop: { select: { id: true, domain: true, country: true, marketingBlockedCountries: true, smsConsentCountsForWhatsApp: true, uninstalledAt: true } } },
    take: 5,
  });
  let finished = 0;
  for (const campaign of due) {
    if (options.stopping?.()) break;
    const claim = { audienceLockedBy: deps.leaseId ?? null, audienceLockedUntil: new Date(Date.now() + CLAIM_MS) };
    const won = await db.campaign.updateMany({
      where: { id: campaign.id, audienceStatus: { in: ["PENDING", "READING"] }, audienceLockedUntil: campaign.audienceLockedUntil, audienceLockedBy: campaign.audienceLockedBy },
      data: { ...claim, audienceStatus: "READING" },
    });
    if (!won.count) continue;
    try {
      if (campaign.shop.uninstalledAt) throw new AdminAuthError(campaign.shop.domain);
      if (await readAudience(deps, campaign, campaign.shop, claim, options)) finished++;
    } catch (error) {
      const attempts = campaign.audienceAttempts + 1;
      const lost = error instanceof AdminAuthError;
      log.warn({ campaignId: campaign.id, attempt: attempts, err: error }, "Reading a campaign's audience from Shopify failed");
      await db.campaign.updateMany({
        where: { id: campaign.id, audienceLockedUntil: claim.audienceLockedUntil },
        data:
          lost || attempts >= MAX_ATTEMPTS
            ? { audienceStatus: "FAILED", audienceAttempts: attempts, audienceError: lost ? "SHOPIFY_ACCESS_LOST" : "SHOPIFY_UNAVAILABLE", audienceLockedUntil: null }
            : { audienceAttempts: attempts, audienceLockedUntil: new Date(Date.now() + attempts * RETRY_AFTER_MS), audienceLockedBy: null },
      });
    }
  }
  return finished;
}

/** Reads pages until the audience is complete (true) or the worker stops (false, to carry on later). */
async function readAudience(deps: Deps, campaign: Campaign, shop: AudienceShop & { domain: string }, claim: { audienceLockedUntil: Date }, options: { stopping?: () => boolean }) {
  const { db } = deps;
  const graphql: AdminGraphql = await backgroundAdmin(db, deps.config, shop.domain);
  let cursor = campaign.audienceCursor;
  let lockedUntil = claim.audienceLockedUntil;
  for (;;) {
    if (options.stopping?.()) return false;
    const page = (await graphql(AUDIENCE_QUERY, { segmentId: campaign.segmentId, query: campaign.segmentId ? null : campaign.segmentQuery, after: cursor })).customerSegmentMembers;
    const rows = await recipientsOf(
      db,
      shop,
      campaign.id,
      page.edges.map((e) => e.node),
    );
    const next = new Date(Date.now() + CLAIM_MS);
    const done = !page.pageInfo.hasNextPage;
    const moved = await db.$transaction(async (tx) => {
      const held = await tx.campaign.updateMany({
        where: { id: campaign.id, audienceLockedUntil: lockedUntil },
        data: {
          audienceCursor: page.pageInfo.endCursor ?? cursor,
          audienceRead: { increment: page.edges.length },
          audienceTotal: page.totalCount,
          ...(done ? { audienceStatus: "READY", audienceLockedUntil: null, audienceLockedBy: null } : { audienceLockedUntil: next }),
        },
      });
      if (!held.count) return false;
      await tx.campaignRecipient.createMany({ data: rows });
      return true;
    });
    // Another worker took the campaign over (this one stalled past its claim): it carries on.
    if (!moved) return false;
    if (done) return true;
    cursor = page.pageInfo.endCursor ?? cursor;
    lockedUntil = next;
  }
}

/** The campaign page's audience: members read of Shopify's count, recipients, and the others by reason. */
export async function audienceSummary(db: Db, campaign: Pick<Campaign, "id" | "audienceStatus" | "audienceTotal" | "audienceRead" | "audienceError">) {
  const groups = await db.campaignRecipient.groupBy({ by: ["excluded"], where: { campaignId: campaign.id }, _count: { _all: true } });
  const count = (excluded: Exclusion | null) => groups.find((g) => g.excluded === excluded)?._count._all ?? 0;
  return {
    status: campaign.audienceStatus,
    error: campaign.audienceError,
    total: campaign.audienceTotal,
    read: campaign.audienceRead,
    recipients: count(null),
    excluded: Object.fromEntries(EXCLUSIONS.map((reason) => [reason, count(reason)])) as Record<Exclusion, number>,
  };
}
