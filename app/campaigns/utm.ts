// A campaign's UTM tags: the value that fills the variable at the end of its
// template's link, so a visit from the message (and the order's landing_site)
// names the campaign. Browser-safe: the campaign page previews the link.
import { z } from "zod";

/** A campaign's utm_campaign: what ties a visit from its link (and the order's landing_site) to it. */
export const utmCampaignSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_-]{0,59}$/);

/**
 * A campaign's name as a utm_campaign value: lowercase letters and digits
 * joined by dashes, then the end of its id, so that two campaigns named alike
 * (each year's "Black Friday", names in another script) never share orders.
 */
export function utmSlug(name: string, campaignId: string): string {
  const slug = name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 50);
  return `${slug || "campaign"}-${campaignId.slice(-6).toLowerCase()}`;
}

/** What fills the variable at the end of the template's link: the UTM tags, after the link's own query if it has one. */
export function utmLinkValue(url: string, utmCampaign: string): string {
  const base = url.replace(/\{\{\s*1\s*\}\}$/, "");
  return `${base.includes("?") ? "&" : "?"}utm_source=whatsapp&utm_medium=campaign&utm_campaign=${utmCampaign}`;
}
