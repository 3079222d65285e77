// Codes in the merchant's words: why a message did not go out (app/core/reasons.ts),
// Meta's ratings, limits, categories and template statuses, WhatsApp language
// codes and country codes (named by Intl.DisplayNames in the UI language), and
// counted phrases (the one/other key chosen by Intl.PluralRules).
import type { OptOutSource } from "../core/domain";
import { messageProblemOf, parseReason, type Reason } from "../core/reasons";
import { isMessageKey, type Locale, type MessageKey, type Translate } from "./index";

const known = (key: string): MessageKey | null => (isMessageKey(key) ? key : null);

const capitalize = (text: string, locale: Locale) => text.charAt(0).toLocaleUpperCase(locale) + text.slice(1);

/**
 * A WhatsApp language code (en_US, pt_BR, es) named in the UI language: "English (United States)",
 * "Português (Brasil)"; inside a sentence as the language writes it there ("en inglés (Estados Unidos)").
 */
export function languageName(locale: Locale, waCode: string, inSentence = false): string {
  try {
    const name = new Intl.DisplayNames([locale], { type: "language", languageDisplay: "standard", fallback: "none" }).of(waCode.replace(/_/g, "-"));
    if (!name) return waCode;
    return inSentence ? name : capitalize(name, locale);
  } catch {
    return waCode;
  }
}

/** An ISO country code (MX, BR) named in the UI language. */
export function regionName(locale: Locale, countryCode: string): string {
  try {
    return new Intl.DisplayNames([locale], { type: "region", fallback: "none" }).of(countryCode.toUpperCase()) ?? countryCode;
  } catch {
    return countryCode;
  }
}

type PluralBase<K extends string> = K extends `${infer B}.other` ? B : never;

/** The phrase for `count` of something: the key's ".one" form for one (as the language counts), else ".other". */
export function plural(t: Translate, locale: Locale, key: PluralBase<MessageKey>, count: number, values: Record<string, string | number> = {}): string {
  const form = new Intl.PluralRules(locale).select(count);
  const chosen = known(`${key}.${form}`) ?? (`${key}.other` as MessageKey);
  return t(chosen, { count: new Intl.NumberFormat(locale).format(count), ...values });
}

export function qualityName(t: Translate, rating: string | null | undefined): string {
  return t(known(`quality.${rating}`) ?? "home.connection.unknown");
}

/** Meta's messaging limit (TIER_250, TIER_2K, TIER_100K, TIER_UNLIMITED): how many customers a day the number may start conversations with. */
export function messagingLimitName(t: Translate, locale: Locale, tier: string | null | undefined): string {
  if (tier === "TIER_UNLIMITED") return t("limit.unlimited");
  const match = /^TIER_(\d+)(K?)$/.exec(tier ?? "");
  if (!match) return t("home.connection.unknown");
  return plural(t, locale, "limit.perDay", Number(match[1]) * (match[2] ? 1000 : 1));
}

// Meta's pricing markets (app/pricing/markets.ts): one country, named by Intl, or a region of several.
const MARKET_COUNTRIES: Record<string, string> = {
  Argentina: "AR",
  Brazil: "BR",
  Chile: "CL",
  Colombia: "CO",
  Mexico: "MX",
  Peru: "PE",
  Egypt: "EG",
  France: "FR",
  Germany: "DE",
  India: "IN",
  Indonesia: "ID",
  Israel: "IL",
  Italy: "IT",
  Malaysia: "MY",
  Netherlands: "NL",
  Nigeria: "NG",
  Pakistan: "PK",
  Russia: "RU",
  "Saudi Arabia": "SA",
  "South Africa": "ZA",
  Spain: "ES",
  Turkey: "TR",
  "United Arab Emirates": "AE",
  "United Kingdom": "GB",
};
const MARKET_REGIONS: Record<string, MessageKey> = {
  "North America": "market.northAmerica",
  "Latin America": "market.latinAmerica",
  "Western Europe": "market.westernEurope",
  "Central & Eastern Europe": "market.easternEurope",
  "Middle East": "market.middleEast",
  "Asia Pacific": "market.asiaPacific",
  "Rest of Africa": "market.restOfAfrica",
  Other: "costs.market.other",
};

/** A pricing market ("Brazil", "Rest of Africa") named in the UI language; one the app does not know keeps Meta's name. */
export function marketName(t: Translate, locale: Locale, market: string): string {
  const country = MARKET_COUNTRIES[market];
  if (country) return regionName(locale, country);
  const region = MARKET_REGIONS[market];
  return region ? t(region) : market;
}

const CATEGORIES = ["MARKETING", "UTILITY", "AUTHENTICATION", "AUTHENTICATION_INTERNATIONAL", "SERVICE"];

/** A pricing or template category (MARKETING, UTILITY, …) named for the merchant. */
export function categoryName(t: Translate, category: string | null | undefined): string {
  const upper = (category ?? "").toUpperCase();
  return CATEGORIES.includes(upper) ? t(`costs.category.${upper.toLowerCase()}` as MessageKey) : t("category.other");
}

export function templateStatusName(t: Translate, status: string): string {
  return t(known(`templateStatus.${status}`) ?? "templateStatus.other");
}

/**
 * A reason in the merchant's words, and what it carries that is not ours to translate (Meta's words, an old
 * row's English). One that is not ours reads as `unknown` (for a message: not sent, for a reason the app does not know).
 */
export function reasonText(t: Translate, locale: Locale, reason: Reason, unknown: MessageKey = "code.other"): { text: string; detail: string | null } {
  if (reason.code === null) return { text: t(unknown), detail: reason.detail };
  if (reason.code === "META_ERROR" && !reason.params.code) return { text: t("code.metaErrorNoCode"), detail: reason.detail };
  const p = reason.params;
  const values: Record<string, string> = { ...p };
  if (p.country) values.country = regionName(locale, p.country);
  if (p.language) values.language = languageName(locale, p.language, true);
  if (p.status) values.status = templateStatusName(t, p.status);
  if (p.from) values.from = categoryName(t, p.from);
  if (p.to) values.to = categoryName(t, p.to);
  if (p.cause) values.cause = storedReasonText(t, locale, p.cause, "code.unknown");
  return { text: t(`code.${reason.code}` as MessageKey, values), detail: reason.detail };
}

/** A sentence with its detail after it, for places with room for one line. */
export function withDetail(t: Translate, { text, detail }: { text: string; detail: string | null }): string {
  return detail ? t("code.withDetail", { text, detail }) : text;
}

/** A stored reason (a code, or the English of rows written before codes) as one line. */
export function storedReasonText(t: Translate, locale: Locale, stored: string, unknown: MessageKey = "code.other"): string {
  return withDetail(t, reasonText(t, locale, parseReason(stored), unknown));
}

/** The step of connecting WhatsApp where it stopped (signup.server.ts), named for the merchant. */
export function signupStepName(t: Translate, step: string | null | undefined): string {
  return t(known(`signupStep.${step}`) ?? "signupStep.other");
}

/** Why an outgoing message did not go out (app/core/reasons.ts messageProblemOf), in the merchant's words; null when nothing says. */
export function messageProblem(t: Translate, locale: Locale, m: { skipReason?: string | null; errorTitle?: string | null; errorCode?: number | null }): { text: string; detail: string | null } | null {
  const problem = messageProblemOf(m);
  return problem ? reasonText(t, locale, problem) : null;
}

/** An app page action's refusal (`actionError.<code>`), with a detail when WhatsApp gave one. */
export function actionErrorText(t: Translate, locale: Locale, error: { code: string; cause?: string | null }): string {
  const text = t(known(`actionError.${error.code}`) ?? "actionError.reload");
  if (!error.cause) return text;
  const cause = parseReason(error.cause);
  return cause.code ? `${text} ${withDetail(t, reasonText(t, locale, cause))}` : withDetail(t, { text, detail: cause.detail });
}

/** A refusal a page's action gave as a catalogue key with values; a key the catalogue lacks reads as the generic refusal. */
export function errorText(t: Translate, error: { key: string; params: Record<string, string>; detail?: string | null }): string {
  const key = known(error.key);
  return withDetail(t, { text: key ? t(key, error.params) : t("actionError.reload"), detail: error.detail ?? null });
}

/** The banner of a customer who opted out of marketing, saying how. */
export function optedOutText(t: Translate, source: OptOutSource): string {
  const how =
    source.kind === "staff"
      ? t("thread.optOutSource.staff", { name: source.name })
      : source.kind === "keyword"
        ? t("thread.optOutSource.keyword", { keyword: source.keyword })
        : t(`thread.optOutSource.${source.kind}`);
  return t("thread.optedOut", { source: how });
}
