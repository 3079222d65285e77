// Calendar days in the WABA's timezone: rates change and volume tiers reset at
// local midnight there, and the report's days are that account's days.
import { TZDate } from "@date-fns/tz";

/** Meta reports `timezone_id` as an IANA name in the simulator and a numeric id on some accounts: only a valid IANA name is used. */
export function wabaTimeZone(accountTimeZone: string | null | undefined, shopTimeZone: string): string {
  for (const zone of [accountTimeZone, shopTimeZone]) if (zone && isTimeZone(zone)) return zone;
  return "UTC";
}

const knownZones = new Map<string, boolean>();

export function isTimeZone(zone: string): boolean {
  let valid = knownZones.get(zone);
  if (valid === undefined) {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: zone });
      valid = true;
    } catch {
      valid = false;
    }
    // Bounded: names come from Meta and Shopify, a handful per shop.
    if (knownZones.size < 1000) knownZones.set(zone, valid);
  }
  return valid;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
    formatters.set(timeZone, f);
  }
  return f;
}

function parts(date: Date, timeZone: string): Record<string, number> {
  return Object.fromEntries(
    formatter(timeZone)
      .formatToParts(date)
      .filter((p) => p.type !== "literal")
      .map((p) => [p.type, Number(p.value)]),
  );
}

/** The local date ("2026-11-25") of an instant in a timezone. */
export function localDay(date: Date, timeZone: string): string {
  const p = parts(date, timeZone);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

/**
 * The first instant of a day ("2026-11-25") in a timezone: local midnight, or
 * 01:00 where daylight saving time starts at midnight (America/Santiago,
 * America/Havana), as @date-fns/tz resolves a wall time that does not exist.
 */
export function startOfDay(day: string, timeZone: string): Date {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(new TZDate(y, m - 1, d, 0, 0, 0, timeZone).getTime());
}

/** Local midnight on the first of the month containing `day`. */
export function monthStart(day: string, timeZone: string): Date {
  return startOfDay(`${day.slice(0, 7)}-01`, timeZone);
}

/** "2026-02-28" is a day; "2026-02-30" and "2026-13-01" are not (Date.UTC would roll them over). */
export function isRealDay(day: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return false;
  const [y, m, d] = match.slice(1).map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d)).toISOString().slice(0, 10) === day;
}

/** The day after ("2026-11-30" → "2026-12-01"). */
export function nextDay(day: string): string {
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d + 1)).toISOString().slice(0, 10);
}

/** `days` local days ending with `last`, inclusive. */
export function daysEnding(last: string, days: number): { from: string; to: string } {
  const [y, m, d] = last.split("-").map(Number) as [number, number, number];
  return { from: new Date(Date.UTC(y, m - 1, d - days + 1)).toISOString().slice(0, 10), to: last };
}
