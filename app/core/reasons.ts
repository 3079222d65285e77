// Why a message did not go out, or why something was refused, stored as a code
// with parameters ("BLOCKED_MARKET?country=US") and worded in the merchant's
// language when a page shows it (app/i18n/codes.ts). Rows written before codes
// hold English sentences: the ones the app wrote read as their code, any other
// text is shown as a detail.

export const REASON_CODES = [
  "OPTED_OUT",
  "NO_CONSENT",
  "BLOCKED_MARKET",
  "OPT_IN_REQUIRED",
  "TEMPLATE_HELD",
  "TEMPLATE_NOT_APPROVED",
  "EMPTY_VARIABLE",
  "NO_PHONE",
  "AUTOMATION_PAUSED",
  "CATEGORY_MOVED",
  "CATEGORY_WILL_MOVE",
  "CHECKOUT_COMPLETED",
  "ANSWER_TOO_LATE",
  "NOT_CONNECTED",
  "NO_CONTENT",
  "SEND_GAVE_UP",
  "NOT_RESENT",
  "APP_UNINSTALLED",
  "WHATSAPP_DISCONNECTED",
  "CAMPAIGN_CANCELLED",
  "CAMPAIGN_NO_CONTACT",
  "CAMPAIGN_TEMPLATE_HELD",
  "CAMPAIGN_TEMPLATE_MISSING",
  "CAMPAIGN_EMPTY_VARIABLE",
  // Connecting WhatsApp (signup.server.ts): why it stopped.
  "SIGNUP_CANCELLED",
  "SIGNUP_META_ERROR",
  "SIGNUP_NOT_STARTED",
  "SIGNUP_LINK_USED",
  "TOKEN_UNCHECKED",
  "TOKEN_INVALID",
  "NO_WABA",
  "WABA_NOT_OWNED",
  "NUMBERS_UNREADABLE",
  "NUMBER_NOT_OWNED",
  "NO_NUMBER",
  "SYNC_TOO_LATE",
  "ONBOARDING_REPLACED",
  // Not stored: a failure Meta gave, worded from its error code with its title as the detail.
  "META_ERROR",
] as const;

export type ReasonCode = (typeof REASON_CODES)[number];
export type ReasonParams = Record<string, string>;
/** `code` null: not one of ours (an old English row), the text is the detail. `detail`: words that are not ours to translate. */
export type Reason = { code: ReasonCode | null; params: ReasonParams; detail: string | null };

const known = new Set<string>(REASON_CODES);

/** The stored form of a reason: its code, then its parameters as a query string. */
export function reason(code: ReasonCode, params: Record<string, string | number | null | undefined> = {}): string {
  const query = new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (v === null || v === undefined ? [] : [[k, String(v)]]))).toString();
  return query ? `${code}?${query}` : code;
}

// The English the app stored before codes, read as the code it meant (rows written then keep it).
const LEGACY: [RegExp, ReasonCode, string[]][] = [
  [/^The customer opted out of marketing messages$/, "OPTED_OUT", []],
  [/^No marketing consent recorded for this customer$/, "NO_CONSENT", []],
  [/^Marketing to (\w+) numbers is blocked for this shop$/, "BLOCKED_MARKET", ["country"]],
  [/^The shop requires explicit opt-in and this customer has not opted in$/, "OPT_IN_REQUIRED", []],
  [/^Template (\S+) \((\S+)\) is ([A-Z_]+)$/, "TEMPLATE_HELD", ["template", "language", "status"]],
  [/^Template (\S+) is not approved in any language$/, "TEMPLATE_NOT_APPROVED", ["template"]],
  [/^No valid phone number on the order \(customer, shipping or billing\)$/, "NO_PHONE", []],
  [/^The checkout was completed$/, "CHECKOUT_COMPLETED", []],
  [/^The automatic answer was not sent in time$/, "ANSWER_TOO_LATE", []],
  [/^WhatsApp is not connected for this shop$/, "NOT_CONNECTED", []],
  [/^The message has no recipient or content$/, "NO_CONTENT", []],
  [/^Gave up after (\d+) attempts: (.*)$/s, "SEND_GAVE_UP", ["attempts", "detail"]],
  [/^Not sent again: WhatsApp never confirmed it, and the merchant chose not to resend$/, "NOT_RESENT", []],
  [/^App uninstalled$/, "APP_UNINSTALLED", []],
  [/^WhatsApp disconnected \((\w+)\)$/, "WHATSAPP_DISCONNECTED", ["detail"]],
  [/^Automation paused: (.*)$/s, "AUTOMATION_PAUSED", ["cause"]],
  [/^Meta moved template (\S+) from (\w+) to (\w+)$/, "CATEGORY_MOVED", ["template", "from", "to"]],
  [/^Meta will move template (\S+) from (\w+) to (\w+)$/, "CATEGORY_WILL_MOVE", ["template", "from", "to"]],
];

function legacy(stored: string): Reason | null {
  for (const [pattern, code, names] of LEGACY) {
    const match = pattern.exec(stored);
    if (!match) continue;
    const params = Object.fromEntries(names.map((name, i) => [name, match[i + 1]!]));
    return { code, params, detail: params.detail ?? null };
  }
  return null;
}

/** A stored reason read back; anything that is not one of our codes (Meta's own words, English we no longer know) is a detail. */
export function parseReason(stored: string): Reason {
  const match = /^([A-Z][A-Z0-9_]*)(?:\?(.*))?$/s.exec(stored);
  if (!match || !known.has(match[1]!)) return legacy(stored) ?? { code: null, params: {}, detail: stored || null };
  const params = Object.fromEntries(new URLSearchParams(match[2] ?? ""));
  return { code: match[1] as ReasonCode, params, detail: params.detail ?? null };
}

/** Why an outgoing message did not go out: our code in skipReason or errorTitle, else Meta's error (its title as the detail); null when nothing says. */
export function messageProblemOf(m: { skipReason?: string | null; errorTitle?: string | null; errorCode?: number | null }): Reason | null {
  if (m.skipReason) return parseReason(m.skipReason);
  if (!m.errorTitle && (m.errorCode ?? null) === null) return null;
  const parsed = parseReason(m.errorTitle ?? "");
  if (parsed.code) return parsed;
  return { code: "META_ERROR", params: (m.errorCode ?? null) === null ? {} : { code: String(m.errorCode) }, detail: m.errorTitle || null };
}

/** Words in a stored reason that are not ours (Meta's, an old row's), for hosts that word our codes themselves. */
export function foreignDetail(stored: string | null | undefined): string | null {
  return stored ? parseReason(stored).detail : null;
}
