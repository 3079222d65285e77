// The issue-16 check: what in a page's text is not in the page's language.
// English from the catalogue (a value, or a fixed run of one between its
// placeholders, of 12 characters or more, that the locale says differently)
// and raw codes the app must word (Meta's ratings, limits, categories,
// statuses, WhatsApp language codes, our reason codes).
import { en } from "../../app/i18n/en";
import { es } from "../../app/i18n/es";
import { ptBR } from "../../app/i18n/pt-BR";
import { REASON_CODES } from "../../app/core/reasons";

const catalogs = { es, "pt-BR": ptBR } as const;

const RAW_CODES = [
  "GREEN",
  "YELLOW",
  "RED",
  "TIER_\\w+",
  "MARKETING",
  "UTILITY",
  "AUTHENTICATION",
  "SERVICE",
  "APPROVED",
  "PENDING",
  "REJECTED",
  "en_US",
  "es_MX",
  "es_AR",
  "pt_BR",
  "TOKEN_EXCHANGED",
  "NUMBER_SELECTED",
  "SYNC_REQUESTED",
  "whatsapp_\\w+",
  ...REASON_CODES,
];
const rawCode = new RegExp(`(?<![\\w-])(${RAW_CODES.join("|")})(?![\\w-])`, "g");

const MIN_LENGTH = 12;

/** The English runs a page in `locale` must not show: fixed text of the catalogue's values the locale translates. */
function englishRuns(locale: keyof typeof catalogs): string[] {
  const translated = catalogs[locale] as Record<string, string>;
  const everything = Object.values(translated).join("\n");
  const runs = new Set<string>();
  for (const [key, value] of Object.entries(en)) {
    if (translated[key] === value) continue;
    for (const run of value.split(/\{+\w+\}+/)) {
      const text = run.trim();
      // A run the locale also uses somewhere (a brand, a shared word) is not English out of place.
      if (text.length >= MIN_LENGTH && !everything.includes(text)) runs.add(text);
    }
  }
  return [...runs];
}

const cache = new Map<string, string[]>();

/** Each English run and raw code found in `text` (a page's innerText), with where it is; empty when the page is all in `locale`. */
export function findUntranslated(text: string, locale: "es" | "pt-BR"): string[] {
  const runs = cache.get(locale) ?? englishRuns(locale);
  cache.set(locale, runs);
  const context = (at: number, length: number) => JSON.stringify(text.slice(Math.max(0, at - 30), at + length + 30));
  const found: string[] = [];
  for (const run of runs) {
    const at = text.indexOf(run);
    if (at >= 0) found.push(`English "${run}" in ${context(at, run.length)}`);
  }
  for (const match of text.matchAll(rawCode)) found.push(`raw code ${match[1]} in ${context(match.index, match[0].length)}`);
  return found;
}
