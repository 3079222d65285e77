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

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(en, key);
}

export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

export function translator(locale: Locale): Translate {
  const catalog = catalogs[locale];
  return (key, values) => catalog[key].replace(/\{(\w+)\}/g, (_, name: string) => String(values?.[name] ?? `{${name}}`));
}

export type { MessageKey };
