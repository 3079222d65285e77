// The shop's WhatsApp account as the app pages see it: connection facts and
// health, never the token. Onboarding (signup.server.ts) writes these rows.
import type { AppConfig } from "../core/config.server";
import { decryptSecret } from "../core/crypto.server";
import type { Db } from "../core/db.server";
import type { OnboardingState } from "../core/domain";
import { accountNotices, type AccountNotice } from "./account-notice";
import type { WhatsAppClient } from "./client.server";

export interface ConnectionSummary {
  state: OnboardingState;
  displayPhoneNumber: string | null;
  verifiedName: string | null;
  coexistence: boolean;
  qualityRating: string | null;
  messagingLimitTier: string | null;
  throughputLevel: string | null;
  lastPhoneAppActivityAt: string | null;
  connectedAt: string | null;
  disconnectReason: string | null;
  onboardingError: string | null;
  contactsSyncRequested: boolean;
  historySyncRequested: boolean;
  historySyncProgress: number | null;
  historySyncError: string | null;
  /** Meta's account events the merchant must see (disconnect, violation, restriction). */
  notices: AccountNotice[];
}

export type ConnectionHealth =
  | { level: "ok" }
  | { level: "warning" | "critical"; reason: "PHONE_APP_INACTIVE_SOON" | "PHONE_APP_INACTIVE"; idleDays: number; limitDays: number }
  | { level: "critical"; reason: "DISCONNECTED"; detail: string | null }
  | { level: "warning"; reason: "ONBOARDING_INCOMPLETE"; detail: string | null };

export async function getConnection(db: Db, shopId: string): Promise<ConnectionSummary> {
  const account = await db.whatsAppAccount.findUnique({ where: { shopId } });
  return {
    state: (account?.onboardingState ?? "NOT_CONNECTED") as OnboardingState,
    displayPhoneNumber: account?.displayPhoneNumber ?? null,
    verifiedName: account?.verifiedName ?? null,
    coexistence: account?.coexistence ?? false,
    qualityRating: account?.qualityRating ?? null,
    messagingLimitTier: account?.messagingLimitTier ?? null,
    throughputLevel: account?.throughputLevel ?? null,
    lastPhoneAppActivityAt: account?.lastPhoneAppActivityAt?.toISOString() ?? null,
    connectedAt: account?.connectedAt?.toISOString() ?? null,
    disconnectReason: account?.disconnectReason ?? null,
    onboardingError: account?.onboardingError ?? null,
    contactsSyncRequested: Boolean(account?.contactsSyncRequestedAt),
    historySyncRequested: Boolean(account?.historySyncRequestedAt),
    historySyncProgress: account?.historySyncProgress ?? null,
    historySyncError: account?.historySyncError ?? null,
    notices: account ? accountNotices(account) : [],
  };
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Warn this many days before the phone-app inactivity limit is reached. */
const WARNING_LEAD_DAYS = 3;

/**
 * What the merchant must know about the connection: a disconnect reported by
 * Meta, an unfinished onboarding, or (Coexistence) a phone app left unused
 * close to or past the period after which Meta may disconnect the number.
 */
export function connectionHealth(summary: ConnectionSummary, limitDays: number, now = new Date()): ConnectionHealth {
  if (summary.state === "DISCONNECTED") return { level: "critical", reason: "DISCONNECTED", detail: summary.disconnectReason };
  if (summary.state === "NOT_CONNECTED") return { level: "ok" };
  if (summary.state !== "CONNECTED") return { level: "warning", reason: "ONBOARDING_INCOMPLETE", detail: summary.onboardingError };
  if (!summary.coexistence) return { level: "ok" };
  const lastSeen = summary.lastPhoneAppActivityAt ?? summary.connectedAt;
  if (!lastSeen) return { level: "ok" };
  const idleDays = Math.floor((now.getTime() - new Date(lastSeen).getTime()) / DAY_MS);
  if (idleDays >= limitDays) return { level: "critical", reason: "PHONE_APP_INACTIVE", idleDays, limitDays };
  if (idleDays >= limitDays - WARNING_LEAD_DAYS) return { level: "warning", reason: "PHONE_APP_INACTIVE_SOON", idleDays, limitDays };
  return { level: "ok" };
}

/**
 * A Graph client carrying the shop's business token, for WABA-level calls, with
 * the WABA and the shop's own number on it (other stores of the business may
 * have numbers on the same WABA); null when not connected.
 */
export async function accountClient(deps: { db: Db; config: AppConfig; graph: WhatsAppClient }, shopId: string) {
  const account = await deps.db.whatsAppAccount.findUnique({ where: { shopId } });
  if (!account?.accessTokenCiphertext || !account.wabaId || account.onboardingState !== "CONNECTED") return null;
  return {
    client: deps.graph.withToken(decryptSecret(account.accessTokenCiphertext, deps.config.encryptionKey)),
    wabaId: account.wabaId,
    phoneNumberId: account.phoneNumberId,
    displayPhoneNumber: account.displayPhoneNumber,
  };
}
