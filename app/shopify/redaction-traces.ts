// What of an erased customer other rows may carry, and how to find it: their
// phone in any format a person or WhatsApp writes it ("+55 11 97777-0001",
// "(11) 97777-0001", 5511977770001), their email and full name, and, in rows
// tied to no customer (a test send filled from their order), their first
// name or order number as a whole value.
import { parsePhoneNumberFromString } from "libphonenumber-js";

export interface Traces {
  /** Phone digits: the international number and the national one. */
  digits: string[];
  /** Email and full names, found anywhere in a text. */
  words: string[];
  /** First names and order names, found as a whole JSON string (`"Olga"`, `"#1042"`) in rows tied to no customer. */
  values: string[];
}

const MIN_DIGITS = 8;
const MIN_WORD = 5;

export function customerTraces(input: { phones: string[]; email: string | null; names: string[]; orderNames: string[] }): Traces {
  const digits = input.phones.flatMap((phone) => {
    const international = phone.replace(/\D/g, "");
    const national = parsePhoneNumberFromString(phone.startsWith("+") ? phone : `+${international}`)?.nationalNumber;
    return [international, national ?? ""];
  });
  const names = input.names.map((name) => name.trim()).filter(Boolean);
  const firstNames = names.map((name) => name.split(/\s+/)[0]!);
  return {
    digits: [...new Set(digits.filter((d) => d.length >= MIN_DIGITS))],
    words: [...new Set([...(input.email ? [input.email] : []), ...names].filter((w) => w.length >= MIN_WORD))],
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

/** Whether the text (a body, or stored JSON) carries the customer; `unlinked`: a row tied to no customer, where first names and order names count too. */
export function carries(text: string, traces: Traces, unlinked = false): boolean {
  if (traces.words.some((word) => text.includes(word))) return true;
  const squeezed = squeezeDigits(text);
  if (traces.digits.some((digits) => squeezed.includes(digits))) return true;
  return unlinked && traces.values.some((value) => text.includes(JSON.stringify(value)));
}
