// Opening hours: ranges of local time per weekday in the shop's timezone
// ("09:00"–"18:00"; stored "24:00" closes at midnight). A timezone this runtime
// does not know is read as UTC (never a time that fails to compute). They decide when a customer
// gets the away reply and how a first-response target counts: minutes count
// only while the shop is open. Shared by server and pages (no server imports).
import { TZDate } from "@date-fns/tz";
import { z } from "zod";

import { isTimeZone } from "../pricing/time";

const clock = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, "Use a time such as 09:00");

function minutesOf(time: string): number {
  return Number(time.slice(0, 2)) * 60 + Number(time.slice(3));
}

const rangeSchema = z.object({ open: clock, close: clock }).refine((r) => minutesOf(r.open) < minutesOf(r.close), { message: "Closing must come after opening", path: ["close"] });

const daySchema = z
  .array(rangeSchema)
  .max(3)
  .refine((ranges) => [...ranges].sort((a, b) => minutesOf(a.open) - minutesOf(b.open)).every((r, i, sorted) => i === 0 || minutesOf(sorted[i - 1]!.close) <= minutesOf(r.open)), {
    message: "Opening ranges must not overlap",
  });

/** Seven days, Sunday first (as `Date.getDay`), each with up to three ranges that do not overlap; an empty day is closed. */
export const businessHoursSchema = z.array(daySchema).length(7);
export type BusinessHours = z.infer<typeof businessHoursSchema>;

/** The shop's stored hours, or null: none set (always open), or unreadable. */
export function readBusinessHours(raw: unknown): BusinessHours | null {
  const parsed = businessHoursSchema.safeParse(raw);
  return parsed.success && parsed.data.some((day) => day.length) ? parsed.data : null;
}

type Interval = { start: number; end: number };

const DAY_MS = 24 * 60 * 60 * 1000;

/** The open intervals (epoch ms) of the local days from the one before `from` through `days` after it, in order. */
function intervals(hours: BusinessHours, zone: string, from: Date, days: number): Interval[] {
  const timeZone = isTimeZone(zone) ? zone : "UTC";
  const local = new TZDate(from.getTime(), timeZone);
  const out: Interval[] = [];
  for (let offset = -1; offset <= days; offset++) {
    // Noon of the local day, so a daylight-saving change never skips or repeats a day.
    const day = new TZDate(local.getFullYear(), local.getMonth(), local.getDate() + offset, 12, 0, 0, timeZone);
    for (const range of hours[day.getDay()]!) {
      const at = (time: string) => new TZDate(day.getFullYear(), day.getMonth(), day.getDate(), 0, minutesOf(time), 0, timeZone).getTime();
      out.push({ start: at(range.open), end: at(range.close) });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

export function isOpen(hours: BusinessHours | null, timeZone: string, at: Date): boolean {
  if (!hours) return true;
  const t = at.getTime();
  return intervals(hours, timeZone, at, 0).some((i) => i.start <= t && t < i.end);
}

/** When the shop opens next after `at` (null: always open, or never within a week). */
export function nextOpening(hours: BusinessHours | null, timeZone: string, at: Date): Date | null {
  if (!hours) return null;
  const t = at.getTime();
  const next = intervals(hours, timeZone, at, 8).find((i) => i.start > t);
  return next ? new Date(next.start) : null;
}

/**
 * The closed period `at` falls in, named by when it began (the last closing
 * before `at`): one away reply per period. Null while open.
 */
export function closedPeriodStart(hours: BusinessHours | null, timeZone: string, at: Date): Date | null {
  if (!hours || isOpen(hours, timeZone, at)) return null;
  const t = at.getTime();
  // Open some day of every week, so a closing within the last eight days is always there.
  const closings = intervals(hours, timeZone, new Date(t - 8 * DAY_MS), 9)
    .map((i) => i.end)
    .filter((end) => end <= t);
  return closings.length ? new Date(Math.max(...closings)) : null;
}

/** `minutes` of opening time after `from`: when a first answer is due. Without hours, plain minutes. */
export function addOpenMinutes(hours: BusinessHours | null, timeZone: string, from: Date, minutes: number): Date {
  let left = minutes * 60_000;
  if (hours) {
    let cursor = from.getTime();
    for (let week = 0; week < 8; week++) {
      for (const i of intervals(hours, timeZone, new Date(cursor), 7)) {
        if (i.end <= cursor) continue;
        const start = Math.max(i.start, cursor);
        if (i.end - start >= left) return new Date(start + left);
        left -= i.end - start;
        cursor = i.end;
      }
    }
  }
  return new Date(from.getTime() + left);
}
