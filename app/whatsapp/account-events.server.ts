// Account-level webhooks: Meta telling the app that the connection changed
// (partner removed, Coexistence offboarded or reconnected, WABA disabled) or
// that the number's limits changed.
import { z } from "zod";

import type { Db } from "../db.server";

const DISCONNECTING = new Set(["PARTNER_REMOVED", "PARTNER_APP_UNINSTALLED", "ACCOUNT_OFFBOARDED", "ACCOUNT_DELETED"]);

const accountUpdateSchema = z
  .object({ event: z.string(), ban_info: z.object({ waba_ban_state: z.string().optional() }).passthrough().optional() })
  .passthrough();

export async function applyAccountUpdate(db: Db, shopId: string, raw: unknown) {
  const value = accountUpdateSchema.parse(raw);
  const ban = value.ban_info?.waba_ban_state;
  if (DISCONNECTING.has(value.event) || (value.event === "DISABLED_UPDATE" && ban === "DISABLE")) {
    // The token is kept: an offboarded Coexistence number can come back (ACCOUNT_RECONNECTED).
    await db.whatsAppAccount.updateMany({
      where: { shopId },
      data: { onboardingState: "DISCONNECTED", disconnectedAt: new Date(), disconnectReason: value.event === "DISABLED_UPDATE" ? "WABA_DISABLED" : value.event },
    });
    await db.message.updateMany({ where: { shopId, status: { in: ["SCHEDULED", "QUEUED"] } }, data: { status: "CANCELLED", skipReason: `WhatsApp disconnected (${value.event})` } });
    return;
  }
  if (value.event === "ACCOUNT_RECONNECTED" || (value.event === "DISABLED_UPDATE" && ban === "REINSTATE")) {
    await db.whatsAppAccount.updateMany({
      where: { shopId, onboardingState: "DISCONNECTED", accessTokenCiphertext: { not: null } },
      data: { onboardingState: "CONNECTED", disconnectedAt: null, disconnectReason: null },
    });
  }
}

const qualitySchema = z
  .object({
    event: z.string().optional(),
    max_daily_conversations_per_business: z.string().optional(),
    current_limit: z.string().optional(),
  })
  .passthrough();

/**
 * `phone_number_quality_update`: a messaging-limit change, or a throughput
 * upgrade. On a throughput upgrade `current_limit` is the throughput level
 * (TIER_UNLIMITED: higher throughput), not a messaging limit: only
 * `max_daily_conversations_per_business` is.
 */
export async function applyPhoneNumberQualityUpdate(db: Db, shopId: string, raw: unknown) {
  const value = qualitySchema.parse(raw);
  const throughput = value.event === "THROUGHPUT_UPGRADE";
  const tier = throughput ? value.max_daily_conversations_per_business : (value.max_daily_conversations_per_business ?? value.current_limit);
  await db.whatsAppAccount.updateMany({ where: { shopId }, data: { ...(tier ? { messagingLimitTier: tier } : {}), ...(throughput ? { throughputLevel: "HIGH" } : {}) } });
}
