// Account-level webhooks: Meta telling the app that the connection changed
// (partner removed, app uninstalled, Coexistence offboarded or reconnected,
// WABA deleted, disabled or reinstated), that the account is in trouble
// (violation, restriction, scheduled for disabling), or that the number's
// limits changed. Meta's codes and info are stored as they come; the pages
// translate them (account-notice.ts). Deliveries come out of order: each
// change carries its entry `time`, and an older one never overrides what a
// newer one decided.
import { z } from "zod";

import type { Db } from "../core/db.server";
import { cancelled } from "../core/domain";
import { log } from "../core/log.server";
import { type AccountAlerts, readAlerts } from "./account-notice";
import { entryTime } from "./timestamps";
import { reason } from "../core/reasons";

const DISCONNECTING = new Set(["PARTNER_REMOVED", "PARTNER_APP_UNINSTALLED", "ACCOUNT_OFFBOARDED", "ACCOUNT_DELETED"]);
/** Meta's news that changes nothing here (onboarding, pricing, verification, terms). */
const INFORMATIONAL = new Set([
  "PARTNER_ADDED",
  "PARTNER_APP_INSTALLED",
  "AD_ACCOUNT_LINKED",
  "AUTH_INTL_PRICE_ELIGIBILITY_UPDATE",
  "BUSINESS_PRIMARY_LOCATION_COUNTRY_UPDATE",
  "MM_LITE_TERMS_SIGNED",
  "PARTNER_CLIENT_CERTIFICATION_STATUS_UPDATE",
  "VOLUME_BASED_PRICING_TIER_UPDATE",
]);

const info = z.record(z.unknown());
const accountUpdateSchema = z
  .object({
    event: z.string(),
    ban_info: z
      .object({ waba_ban_state: z.string().optional(), waba_ban_date: z.union([z.string(), z.number()]).optional() })
      .passthrough()
      .optional(),
    violation_info: info.optional(),
    // An array of {restriction_type, expiration} in Meta's samples; a single object is accepted too.
    restriction_info: z.union([z.array(info), info]).optional(),
    disconnection_info: info.optional(),
  })
  .passthrough();
type AccountUpdate = z.infer<typeof accountUpdateSchema>;

/** Meta's own words about a disconnect, when it gives some (string values of its info object). */
function disconnectDetail(value: AccountUpdate): string | null {
  const words = Object.values(value.disconnection_info ?? {}).filter((v): v is string => typeof v === "string" && v !== "");
  if (value.ban_info?.waba_ban_date !== undefined) words.push(String(value.ban_info.waba_ban_date));
  return words.length ? words.join(" · ") : null;
}

type Effect =
  | { kind: "disconnect"; reason: string; detail: string | null }
  | { kind: "reconnect"; undoes: string[]; clearsAlert: boolean }
  | { kind: "alert"; event: string; info: unknown }
  | { kind: "none"; known: boolean };

function effectOf(value: AccountUpdate): Effect {
  const ban = value.ban_info?.waba_ban_state;
  if (DISCONNECTING.has(value.event)) return { kind: "disconnect", reason: value.event, detail: disconnectDetail(value) };
  if (value.event === "DISABLED_UPDATE") {
    if (ban === "DISABLE") return { kind: "disconnect", reason: "WABA_DISABLED", detail: disconnectDetail(value) };
    if (ban === "REINSTATE") return { kind: "reconnect", undoes: ["WABA_DISABLED"], clearsAlert: true };
    if (ban === "SCHEDULE_FOR_DISABLE") return { kind: "alert", event: "SCHEDULE_FOR_DISABLE", info: value.ban_info };
    return { kind: "none", known: false };
  }
  if (value.event === "ACCOUNT_RECONNECTED") return { kind: "reconnect", undoes: [...DISCONNECTING], clearsAlert: false };
  if (value.event === "ACCOUNT_VIOLATION") return { kind: "alert", event: value.event, info: value.violation_info ?? {} };
  if (value.event === "ACCOUNT_RESTRICTION") {
    const restrictions = value.restriction_info;
    return { kind: "alert", event: value.event, info: { restrictions: Array.isArray(restrictions) ? restrictions : restrictions ? [restrictions] : [] } };
  }
  return { kind: "none", known: INFORMATIONAL.has(value.event) };
}

const notAfter = (at: Date) => ({ OR: [{ connectionEventAt: null }, { connectionEventAt: { lte: at } }] });

/**
 * Rewrites the shop's warnings: `change` gets the ones in force and returns
 * them changed. Each kind keeps its own entry time, so a restriction does not
 * hide a violation, and an older event of a kind never replaces a newer one;
 * nothing older than the account's floor (signup, reinstatement) counts.
 */
async function changeAlerts(db: Db, shopId: string, at: Date, change: (alerts: AccountAlerts) => AccountAlerts | null, raiseFloor = false) {
  const account = await db.whatsAppAccount.findFirst({ where: { shopId }, select: { id: true, accountAlerts: true, accountAlertsSince: true } });
  if (!account || (account.accountAlertsSince && account.accountAlertsSince > at)) return;
  const changed = change(readAlerts(account.accountAlerts));
  if (!changed) return;
  await db.whatsAppAccount.update({ where: { id: account.id }, data: { accountAlerts: JSON.stringify(changed), ...(raiseFloor ? { accountAlertsSince: at } : {}) } });
}

export async function applyAccountUpdate(db: Db, shopId: string, raw: unknown, time?: number) {
  const value = accountUpdateSchema.parse(raw);
  const at = entryTime(time);
  const effect = effectOf(value);
  if (effect.kind === "none") {
    if (!effect.known) log.info({ shopId, event: value.event }, "Recorded an account_update event the app does not act on");
    return;
  }
  if (effect.kind === "alert") {
    await changeAlerts(db, shopId, at, (alerts) => {
      const known = alerts[effect.event];
      if (known && new Date(known.at) > at) return null;
      return { ...alerts, [effect.event]: { info: effect.info, at: at.toISOString() } };
    });
    return;
  }
  if (effect.kind === "disconnect") {
    // The token is kept: an offboarded Coexistence number can come back (ACCOUNT_RECONNECTED).
    const moved = await db.whatsAppAccount.updateMany({
      where: { shopId, ...notAfter(at) },
      data: { onboardingState: "DISCONNECTED", disconnectedAt: at, disconnectReason: effect.reason, disconnectDetail: effect.detail, connectionEventAt: at },
    });
    if (moved.count) {
      await db.message.updateMany({
        where: { shopId, status: { in: ["SCHEDULED", "QUEUED"] } },
        data: cancelled(reason("WHATSAPP_DISCONNECTED", { detail: value.event })),
      });
    }
    return;
  }
  // Meta undoes only a disconnect of its own kind: never the merchant's, nor a number moved to another shop.
  await db.whatsAppAccount.updateMany({
    where: { shopId, onboardingState: "DISCONNECTED", accessTokenCiphertext: { not: null }, disconnectReason: { in: effect.undoes }, ...notAfter(at) },
    data: { onboardingState: "CONNECTED", disconnectedAt: null, disconnectReason: null, disconnectDetail: null },
  });
  await db.whatsAppAccount.updateMany({ where: { shopId, ...notAfter(at) }, data: { connectionEventAt: at } });
  if (effect.clearsAlert) {
    // Reinstated: the warnings up to now are over; one Meta sent later stays.
    await changeAlerts(db, shopId, at, (alerts) => Object.fromEntries(Object.entries(alerts).filter(([, alert]) => new Date(alert.at) > at)), true);
  }
}

const qualitySchema = z
  .object({
    display_phone_number: z.string().optional(),
    event: z.string().optional(),
    max_daily_conversations_per_business: z.string().optional(),
    current_limit: z.string().optional(),
  })
  .passthrough();

/**
 * `phone_number_quality_update`: a messaging-limit change, or a throughput
 * upgrade. On a throughput upgrade `current_limit` is the throughput level
 * (TIER_UNLIMITED: higher throughput), not a messaging limit: only
 * `max_daily_conversations_per_business` is. The event names no phone
 * number id, so it comes to every shop on the WABA: the limit is the
 * business's, but a throughput upgrade is the one number's it names (by its
 * display number: an account whose number is not known yet is not it).
 */
export async function applyPhoneNumberQualityUpdate(db: Db, shopId: string, raw: unknown) {
  const value = qualitySchema.parse(raw);
  const digits = (phone: string) => phone.replace(/\D/g, "");
  const named = value.display_phone_number;
  const account = named ? await db.whatsAppAccount.findUnique({ where: { shopId }, select: { displayPhoneNumber: true } }) : null;
  const thisNumber = !named || (account?.displayPhoneNumber ? digits(account.displayPhoneNumber) === digits(named) : false);
  const throughput = value.event === "THROUGHPUT_UPGRADE" && thisNumber;
  const tier = value.event === "THROUGHPUT_UPGRADE" ? value.max_daily_conversations_per_business : (value.max_daily_conversations_per_business ?? value.current_limit);
  await db.whatsAppAccount.updateMany({ where: { shopId }, data: { ...(tier ? { messagingLimitTier: tier } : {}), ...(throughput ? { throughputLevel: "HIGH" } : {}) } });
}
