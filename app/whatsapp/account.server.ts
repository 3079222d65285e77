// The shop's WhatsApp account as the app pages see it: connection facts,
// never the token. Onboarding (issue #3) writes these rows.
import type { Db } from "../db.server";
import type { OnboardingState } from "../domain";

export interface ConnectionSummary {
  state: OnboardingState;
  displayPhoneNumber: string | null;
  verifiedName: string | null;
  coexistence: boolean;
  qualityRating: string | null;
  messagingLimitTier: string | null;
  lastPhoneAppActivityAt: string | null;
  disconnectReason: string | null;
}

export async function getConnection(db: Db, shopId: string): Promise<ConnectionSummary> {
  const account = await db.whatsAppAccount.findUnique({ where: { shopId } });
  if (!account) {
    return {
      state: "NOT_CONNECTED",
      displayPhoneNumber: null,
      verifiedName: null,
      coexistence: false,
      qualityRating: null,
      messagingLimitTier: null,
      lastPhoneAppActivityAt: null,
      disconnectReason: null,
    };
  }
  return {
    state: account.onboardingState as OnboardingState,
    displayPhoneNumber: account.displayPhoneNumber,
    verifiedName: account.verifiedName,
    coexistence: account.coexistence,
    qualityRating: account.qualityRating,
    messagingLimitTier: account.messagingLimitTier,
    lastPhoneAppActivityAt: account.lastPhoneAppActivityAt?.toISOString() ?? null,
    disconnectReason: account.disconnectReason,
  };
}
