// Phones as people read them, for the pages (stored as E.164).
import { parsePhoneNumberFromString } from "libphonenumber-js";

/** A stored E.164 phone as people write it: "+55 11 98765 4321". */
export function formatPhone(e164: string | null): string | null {
  if (!e164) return null;
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}
