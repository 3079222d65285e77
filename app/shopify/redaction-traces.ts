// What of an erased customer other rows may carry, and how to find it: their
// phone in any format a person or WhatsApp writes it ("+55 11 97777-0001",
// "(11) 97777-0001", 5511977770001), their email and full name, and, in rows
// tied to no customer (a test send filled from their order), their first
// name or order number as a whole value.
import { parsePhoneNumberFromString } from "libphonenumber-js";

export interface Traces {
  /** Phone digits: the international number and the national one. */
  digits: string[];
  /** Email and full names, found as whole words in a text. */
  words: string[];
  /** First names and order names, found as a whole JSON string (`"Olga"`, `"#1042"`) in rows tied to no customer. */
  values: string[];
}

const MIN_DIGITS = 8;
const MIN_WORD = 5;

/** `phones`: E.164 numbers only (read in the shop's country before they come here): a number as typed reads as any country's. */
export function customerTraces(input: { phones: string[]; email: string | null; names: string[]; orderNames: string[] }): Traces {
  const digits = input.phones
    .filter((phone) => phone.startsWith("+"))
    .flatMap((phone) => {
      const parsed = parsePhoneNumberFromString(phone);
      return parsed?.isValid() ? [parsed.number.slice(1), parsed.nationalNumber] : [phone.replace(/\D/g, "")];
    });
  const names = input.names.map((name) => name.trim()).filter(Boolean);
  const firstNames = names.map((name) => name.split(/\s+/)[0]!);
  return {
    digits: [...new Set(digits.filter((d) => d.length >= MIN_DIGITS))],
    // A full name only (two words or more): one word ("Maria") names too many other people to erase their messages for it.
    words: [...new Set([...(input.email ? [input.email] : []), ...names.filter((name) => /\s/.test(name))].filter((w) => w.length >= MIN_WORD))],
    values: [...new Set([...firstNames, ...input.orderNames].filter((v) => v.length >= 2))],
  };
}

/** The text with what people put between a phone's digits (spaces, dashes, dots, brackets) taken out. */
export function squeezeDigits(text: string): string {
  return text.replace(/(\d)[\s().-]+(?=\d)/g, "$1");
}

/** Text a database can look for (`contains`) to find candidates: each phone's last four digits (any format keeps them together), and the words. */
export function candidateTerms(traces: Traces): string[] {
  return [...new Set([...traces.digits.map((d) => d.slice(-4)), ...traces.words])];
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `needle` in `text` as a whole: no letter or digit right before or after it ("Maria" is not in "Mariana", 977770001 not in 1977770001). */
function containsWhole(text: string, needle: string): boolean {
  return new RegExp(`(?<![\\p{L}\\p{N}])${escape(needle)}(?![\\p{L}\\p{N}])`, "u").test(text);
}

/** Whether the text (a body, or stored JSON) carries the customer; `unlinked`: a row tied to no customer, where first names and order names count too. */
export function carries(text: string, traces: Traces, unlinked = false): boolean {
  if (traces.words.some((word) => containsWhole(text, word))) return true;
  const squeezed = squeezeDigits(text);
  if (traces.digits.some((digits) => containsWhole(squeezed, digits))) return true;
  return unlinked && traces.values.some((value) => text.includes(JSON.stringify(value)));
}
