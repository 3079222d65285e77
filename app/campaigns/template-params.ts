// A campaign template's body variables: each mapped to a field of the
// recipient or the shop ({{1}} → first_name), and the UTM tags that fill its
// link button's variable. Shared by the page (preview) and the sending (each
// recipient's message).
import { z } from "zod";

import { resolveParameters } from "../automations.server";
import { dynamicLink } from "../template-text";
import { utmLinkValue } from "./utm";

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

/** The template's link button (its language's) with the value that tags it; none when it has no link or the campaign no UTM name. */
export function campaignLink(components: unknown, utmCampaign: string | null): { index: number; text: string } | undefined {
  const link = dynamicLink(components);
  return link && utmCampaign ? { index: link.index, text: utmLinkValue(link.url, utmCampaign) } : undefined;
}
