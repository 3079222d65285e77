// A campaign template's body variables: each mapped to a field of the
// recipient or the shop ({{1}} → first_name), and the UTM tags that fill its
// link button's variable. Shared by the page (preview) and the sending (each
// recipient's message).
import { z } from "zod";

import { resolveParameters } from "../messaging/automations.server";
import { dynamicLinks } from "../whatsapp/template-text";
import { utmLinkValue, utmSlug } from "./utm";

export const CAMPAIGN_FIELDS = ["first_name", "store_name"] as const;
export type CampaignField = (typeof CAMPAIGN_FIELDS)[number];

/** The stored mapping: one field per body variable, in order. */
export const campaignMappingSchema = z.array(z.enum(CAMPAIGN_FIELDS)).max(10);

/** A recipient's values for the fields. */
export function campaignFields(recipient: { firstName: string | null }, shop: { name: string | null; domain: string }): Record<CampaignField, string> {
  return { first_name: recipient.firstName ?? "", store_name: shop.name ?? shop.domain };
}

/** The body parameters of a recipient's message, or why there are none (a variable empty for them). */
export function campaignParameters(mapping: unknown, recipient: { firstName: string | null }, shop: { name: string | null; domain: string }) {
  const fields = campaignMappingSchema.safeParse(mapping ?? []);
  if (!fields.success) return { ok: false as const, reason: "The campaign's variables are not valid" };
  return resolveParameters(fields.data, campaignFields(recipient, shop));
}

/**
 * The template's link buttons (its language's) with the value that tags each:
 * the campaign's utm_campaign, or the one its page suggests when none was
 * saved (a template given a link later), so that Meta never gets a link
 * without its variable.
 */
export function campaignLinks(components: unknown, campaign: { id: string; name: string; utmCampaign: string | null }): { index: number; text: string }[] {
  const utm = campaign.utmCampaign ?? utmSlug(campaign.name, campaign.id);
  return dynamicLinks(components).map((link) => ({ index: link.index, text: utmLinkValue(link.url, utm) }));
}
