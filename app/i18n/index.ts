// UI text in the merchant's language. Shopify passes the admin locale as the
// `locale` query parameter; we serve en, es and pt-BR and fall back to en.
import { en, type MessageKey } from "./en";
import { es } from "./es";
import { ptBR } from "./pt-BR";

export const LOCALES = ["en", "es", "pt-BR"] as const;
export type Locale = (typeof LOCALES)[number];

const catalogs: Record<Locale, Record<MessageKey, string>> = { en, es, "pt-BR": ptBR };

/** Picks the best supported locale for a BCP 47 tag such as "es-MX" or "pt-BR". */
export function resolveLocale(tag: string | null | undefined): Locale {
  if (!tag) return "en";
  const lower = tag.toLowerCase();
  if (lower.startsWith("pt")) return "pt-BR";
  if (lower.startsWith("es")) return "es";
  return "en";
}

/**
 * The language a browser asks for in Accept-Language ("fr-CA, es;q=0.8, en;q=0.5"): the supported one it weighs
 * highest (the earlier on a tie), en when it names none of them. Pages outside the admin have nothing better to go by.
 */
export function localeFromAcceptLanguage(header: string | null | undefined): Locale {
  const asked = (header ?? "")
    .split(",")
    .map((part, order) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([01](\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), order };
    })
    .filter(({ tag, q }) => q > 0 && /^(en|es|pt)(-|$)/.test(tag))
    .sort((a, b) => b.q - a.q || a.order - b.order);
  return resolveLocale(asked[0]?.tag);
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const catalog = catalogs[locale];
  return (key, values) => catalog[key].replace(/\{(\w+)\}/g, (_, name: string) => String(values?.[name] ?? `{${name}}`));
}

export type { MessageKey };
