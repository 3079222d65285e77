// Who may receive what. Utility messages (order updates) go to customers who
// gave a phone at checkout, unless the shop asks for explicit opt-in;
// marketing needs recorded marketing consent, no opt-out, and a market not on
// the shop's block list (US by default: Meta stopped delivering marketing
// templates to US numbers in 2025). Inbound keywords opt a contact out at once.
import { z } from "zod";

import { contactForWhatsAppUser } from "./contacts.server";
import { type ActionResult, actorOfSource, recordEvent } from "./conversations.server";
import type { Db, Tx } from "../core/db.server";
import { cancelled, type OptOutSource } from "../core/domain";
import type { Contact, Shop } from "../generated/prisma/client";
import { actorName, type Staff, staffSource } from "../shopify/staff.server";
import { reason } from "../core/reasons";
import { ItemChecks } from "../whatsapp/payload-items";
import { unixSecondsValue } from "../whatsapp/timestamps";

/** The utility consent a phone typed at checkout gives: order updates, but not an explicit opt-in. */
export const CHECKOUT_PHONE = "shopify_checkout_phone";

/** `reason`: a stored reason code (app/core/reasons.ts). */
export type ConsentDecision = { allowed: true } | { allowed: false; reason: string };

const stringList = z.array(z.string());

export function blockedCountries(shop: Pick<Shop, "marketingBlockedCountries">): string[] {
  return stringList
    .catch([])
    .parse(shop.marketingBlockedCountries)
    .map((c) => c.toUpperCase());
}

export function optOutKeywords(shop: Pick<Shop, "optOutKeywords">): string[] {
  return stringList
    .catch([])
    .parse(shop.optOutKeywords)
    .map((k) => k.trim().toUpperCase())
    .filter(Boolean);
}

export function consentFor(
  category: string,
  shop: Pick<Shop, "requireUtilityOptIn" | "marketingBlockedCountries" | "smsConsentCountsForWhatsApp">,
  contact: Pick<Contact, "utilityConsent" | "utilityConsentSource" | "marketingConsent" | "marketingConsentSource" | "marketingOptedOutAt" | "countryCode">,
): ConsentDecision {
  if (category === "MARKETING") {
    const refused = marketingRefusal(shop, contact);
    if (refused === "OPTED_OUT") return { allowed: false, reason: reason("OPTED_OUT") };
    if (refused === "NO_CONSENT") return { allowed: false, reason: reason("NO_CONSENT") };
    if (refused === "BLOCKED_MARKET") return { allowed: false, reason: reason("BLOCKED_MARKET", { country: contact.countryCode }) };
    return { allowed: true };
  }
  // A phone given at checkout allows order updates, unless the shop asks for an explicit opt-in: then it does not count.
  const explicit = contact.utilityConsent && contact.utilityConsentSource !== CHECKOUT_PHONE;
  if (shop.requireUtilityOptIn && !explicit) return { allowed: false, reason: reason("OPT_IN_REQUIRED") };
  return { allowed: true };
}

export type MarketingRefusal = "OPTED_OUT" | "NO_CONSENT" | "BLOCKED_MARKET";

/** Why marketing may not go to the contact (null: it may): opted out, no WhatsApp opt-in, or a market the shop blocks. */
export function marketingRefusal(
  shop: Pick<Shop, "marketingBlockedCountries" | "smsConsentCountsForWhatsApp">,
  contact: Pick<Contact, "marketingConsent" | "marketingConsentSource" | "marketingOptedOutAt" | "countryCode">,
): MarketingRefusal | null {
  if (contact.marketingOptedOutAt) return "OPTED_OUT";
  // Consent recorded before these rules: Shopify's email consent never counts, its SMS consent only if the shop says so.
  const source = contact.marketingConsentSource;
  const counts = contact.marketingConsent && source !== "shopify_checkout" && (source !== "shopify_sms" || shop.smsConsentCountsForWhatsApp);
  if (!counts) return "NO_CONSENT";
  if (contact.countryCode && blockedCountries(shop).includes(contact.countryCode.toUpperCase())) return "BLOCKED_MARKET";
  return null;
}

/** The shop's consent settings (automations page): whether Shopify's SMS marketing consent counts for WhatsApp. */
export async function saveConsentSettings(db: Tx, shopId: string, settings: { smsConsentCounts: boolean }) {
  await db.shop.update({ where: { id: shopId }, data: { smsConsentCountsForWhatsApp: settings.smsConsentCounts } });
}

/** "STOP", "baja", " Parar! " all count; the whole message must be the keyword. */
export function isOptOutMessage(text: string | null | undefined, keywords: string[]): boolean {
  return keywordOf(text, keywords) !== null;
}

/**
 * Words a customer sends on WhatsApp to opt (back) in: an opt-in to WhatsApp
 * itself. Not "SIM" or "SÍ": they are only "yes" in Portuguese and Spanish.
 */
export const OPT_IN_KEYWORDS = ["START", "ALTA"];

/** Opt-outs made in WhatsApp itself: Meta keeps refusing marketing until the customer resumes there, whatever they write. */
const META_OPT_OUTS = new Set(["whatsapp_user_preferences", "whatsapp_131050"]);

/** A stored opt-out source (`staff:<id>`, `whatsapp_keyword:<KEYWORD>`, Meta's) read for display; a staff member's id becomes their name. */
export async function optOutSource(db: Db, shopId: string, source: string | null): Promise<OptOutSource> {
  if (source?.startsWith("staff:")) return { kind: "staff", name: await actorName(db, shopId, source) };
  if (source?.startsWith("whatsapp_keyword:")) return { kind: "keyword", keyword: source.slice("whatsapp_keyword:".length) };
  if (source === "whatsapp_user_preferences") return { kind: "whatsappSettings" };
  if (source === "whatsapp_stop_promotions") return { kind: "stopPromotions" };
  if (source === "whatsapp_131050") return { kind: "refusedByWhatsApp" };
  if (source === "shopify_sms") return { kind: "shopifySms" };
  return { kind: "other" };
}

/** The keyword a whole message is ("¡Alta!" is ALTA), or null. */
export function keywordOf(text: string | null | undefined, keywords: string[]): string | null {
  if (!text) return null;
  const word = text
    .trim()
    .replace(/[!.¡]+$/g, "")
    .replace(/^[¡]+/, "")
    .toUpperCase();
  return keywords.includes(word) ? word : null;
}

/** What the customer saw and where, kept with a consent change as evidence. */
export interface ConsentEvidence {
  /** The exact words shown (a checkbox's label), in the language shown. */
  text?: string;
  locale?: string;
  orderId?: string;
}

/**
 * The customer opted in (a WhatsApp keyword, Meta's "resume", the thank-you
 * page): marketing consent, and an explicit opt-in to order updates, recorded
 * with source, time and evidence. An opt-out made in WhatsApp's own settings
 * stands until the customer resumes there: false when it did. `marketingOnly`:
 * staff relaying the customer's wish for offers, which says nothing about order updates.
 */
export async function optInToMarketing(db: Db, contactId: string, source: string, at = new Date(), evidence: ConsentEvidence = {}, scope: "all" | "marketingOnly" = "all"): Promise<boolean> {
  const contact = await db.contact.findUniqueOrThrow({ where: { id: contactId }, select: { shopId: true, marketingOptOutSource: true } });
  const keepOptOut = source !== "whatsapp_user_preferences" && META_OPT_OUTS.has(contact.marketingOptOutSource ?? "");
  await db.contact.update({
    where: { id: contactId },
    data: {
      ...(scope === "all" ? { utilityConsent: true, utilityConsentSource: source, utilityConsentAt: at } : {}),
      ...(keepOptOut ? {} : { marketingConsent: true, marketingConsentSource: source, marketingConsentAt: at, marketingOptedOutAt: null, marketingOptOutSource: null }),
    },
  });
  await db.consentRecord.create({ data: { shopId: contact.shopId, contactId, category: "MARKETING", granted: !keepOptOut, source, recordedAt: at, ...evidence } });
  return !keepOptOut;
}

/**
 * Applies an inbound opt-out: no more marketing, and anything queued is
 * cancelled. An opt-out made in WhatsApp itself stays the one on record when
 * another follows (a STOP, staff's): only the customer resumes it there, so a
 * later opt-out must not make it one staff could undo.
 */
export async function optOutOfMarketing(db: Tx, shopId: string, contactId: string, source: string, at = new Date()) {
  const current = await db.contact.findUniqueOrThrow({ where: { id: contactId }, select: { marketingOptedOutAt: true, marketingOptOutSource: true } });
  const inWhatsApp = current.marketingOptedOutAt !== null && META_OPT_OUTS.has(current.marketingOptOutSource ?? "") && !META_OPT_OUTS.has(source);
  await db.contact.update({
    where: { id: contactId },
    data: inWhatsApp ? { marketingConsent: false } : { marketingConsent: false, marketingOptedOutAt: at, marketingOptOutSource: source },
  });
  await db.consentRecord.create({ data: { shopId, contactId, category: "MARKETING", granted: false, source, recordedAt: at } });
  await recordEvent(db, shopId, contactId, "OPTED_OUT", actorOfSource(source));
  await db.message.updateMany({
    where: { shopId, contactId, status: { in: ["SCHEDULED", "QUEUED"] }, template: { category: "MARKETING" } },
    data: cancelled(reason("OPTED_OUT")),
  });
}

/** Staff stop marketing to a customer of the shop (asked by phone, in the chat); false when the shop has no such customer. */
export async function staffOptOut(db: Db, shopId: string, contactId: string, staff: Staff): Promise<boolean> {
  if (!(await db.contact.findFirst({ where: { id: contactId, shopId }, select: { id: true } }))) return false;
  await optOutOfMarketing(db, shopId, contactId, staffSource(staff));
  return true;
}

const optBackInReason = z.string().trim().min(1, "reasonRequired").max(500, "reasonTooLong");

/**
 * Staff undo an opt-out because the customer asked to receive offers again:
 * consent recorded with who (the source) and why (the record's text and the
 * event's body). An opt-out made in WhatsApp itself (131050, its settings)
 * only the customer can undo there, so it is refused.
 */
export async function staffOptBackIn(db: Db, shopId: string, contactId: string, staff: Staff, reason: string): Promise<ActionResult | null> {
  const contact = await db.contact.findFirst({ where: { id: contactId, shopId }, select: { marketingOptedOutAt: true, marketingOptOutSource: true } });
  if (!contact) return null;
  const why = optBackInReason.safeParse(reason);
  if (!why.success) return { ok: false, field: "reason", code: why.error.issues[0]?.message === "reasonTooLong" ? "reasonTooLong" : "reasonRequired" };
  if (!contact.marketingOptedOutAt) return { ok: false, field: "contact", code: "notOptedOut" };
  if (META_OPT_OUTS.has(contact.marketingOptOutSource ?? "")) return { ok: false, field: "contact", code: "optedOutInWhatsApp" };
  await optInToMarketing(db, contactId, staffSource(staff), new Date(), { text: why.data }, "marketingOnly");
  await recordEvent(db, shopId, contactId, "OPTED_IN", { type: "STAFF", id: staff.id }, { body: why.data });
  return { ok: true };
}

/**
 * Meta's 131050 in a failed status: the customer stopped marketing from this
 * business in WhatsApp. The status's recipient is opted out, found by the wa_id
 * it names (the message row may not be written yet), else through the message.
 */
export async function optOutRecipient(db: Db, shopId: string, status: { wamid: string; recipientId?: string }, source: string, at = new Date()) {
  const contactId = status.recipientId
    ? (await contactForWhatsAppUser(db, shopId, { waId: status.recipientId })).id
    : (await db.message.findUnique({ where: { shopId_wamid: { shopId, wamid: status.wamid } }, select: { contactId: true } }))?.contactId;
  if (contactId) await optOutOfMarketing(db, shopId, contactId, source, at);
}

const userPreferencesSchema = z.object({
  contacts: z.array(z.object({ wa_id: z.string().optional(), user_id: z.string().optional() })).optional(),
  user_preferences: z.array(z.unknown()),
});
const preferenceSchema = z.object({ wa_id: z.string().optional(), user_id: z.string().optional(), category: z.string(), value: z.string(), timestamp: z.unknown() }).passthrough();

/**
 * Meta's `user_preferences`: the customer stopped (or resumed) marketing
 * messages from this business in WhatsApp's own settings. A stop opts them out
 * at once; a resume gives marketing consent back. An event older than the
 * contact's last change of mind changes nothing (webhooks come out of order).
 */
export async function applyUserPreferences(db: Db, shopId: string, raw: unknown): Promise<string | undefined> {
  const value = userPreferencesSchema.parse(raw);
  // Each preference on its own. A timestamp that cannot be read (milliseconds, say, which would date it
  // millennia ahead): a stop still stops marketing, as the latest word (no message goes without consent); a resume is
  // passed over (consent is never given back on a date the app cannot trust). Either is named on the receipt.
  const checks = new ItemChecks();
  const preferences = checks.valid(value.user_preferences, preferenceSchema, ["user_preferences"]);
  checks.requireSome();
  for (const [index, preference] of preferences.entries()) {
    if (preference.category !== "marketing_messages" || !["stop", "resume"].includes(preference.value)) continue;
    const stamped = unixSecondsValue.optional().safeParse(preference.timestamp);
    if (!stamped.success) {
      checks.flag(["user_preferences", index, "timestamp"], preference.value === "stop" ? "unreadable; stop applied as the latest" : "unreadable; resume passed over");
      if (preference.value !== "stop") continue;
    }
    const user = value.contacts?.find((c) => c.wa_id === preference.wa_id) ?? value.contacts?.[0];
    const contact = await contactForWhatsAppUser(db, shopId, { waId: preference.wa_id ?? user?.wa_id, bsuid: preference.user_id ?? user?.user_id });
    // Only changes of mind the customer made on WhatsApp count (a consent recorded from Shopify carries the time it was recorded).
    const consentOnWhatsApp = contact.marketingConsentSource?.startsWith("whatsapp_") ? (contact.marketingConsentAt?.getTime() ?? 0) : 0;
    const lastChange = Math.max(contact.marketingOptedOutAt?.getTime() ?? 0, consentOnWhatsApp);
    // A stop whose time cannot be read counts as the latest word: after whatever was recorded, never before it.
    const at = !stamped.success ? new Date(Math.max(Date.now(), lastChange + 1)) : stamped.data ? new Date(Number(stamped.data) * 1000) : new Date();
    if (at.getTime() < lastChange) continue;
    if (preference.value === "stop") {
      await optOutOfMarketing(db, shopId, contact.id, "whatsapp_user_preferences", at);
    } else {
      await optInToMarketing(db, contact.id, "whatsapp_user_preferences", at);
    }
  }
  return checks.note("user_preferences");
}

/**
 * Meta's marketing opt-out quick reply ("Stop promotions", and its Spanish and
 * Portuguese wording), which only marketing templates carry: a tap opts the
 * customer out of marketing at once.
 */
const STOP_PROMOTIONS = new Set(["stop promotions", "detener promociones", "parar promoções", "parar promocoes", "bloquear promoções"]);

export function isStopPromotionsTap(tap: { text?: string; payload?: string }): boolean {
  return [tap.text, tap.payload].some((t) => t && STOP_PROMOTIONS.has(t.trim().toLowerCase()));
}
