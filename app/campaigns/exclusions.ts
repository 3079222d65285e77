// Why a customer of a campaign's audience would not receive it (shared by the
// audience reader and the campaign page).
export const EXCLUSIONS = ["NO_PHONE", "NO_CONSENT", "OPTED_OUT", "BLOCKED_MARKET", "DUPLICATE"] as const;
export type Exclusion = (typeof EXCLUSIONS)[number];
