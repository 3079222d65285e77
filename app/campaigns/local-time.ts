// When a campaign's message is due for a recipient: their local time, read
// from their phone's country (CampaignRecipient.countryCode, as
// libphonenumber-js reads the phone). A country spanning several zones takes its most
// populous one (Brazil: São Paulo, Mexico: Mexico City, the US: New York); a
// country not in the table, or a phone with no country, takes the shop's zone.
import { TZDate } from "@date-fns/tz";

import { outsideQuietHours } from "../messaging/automations.server";
import type { Db } from "../core/db.server";
import { isTimeZone } from "../pricing/time";

const MAIN_ZONE: Record<string, string> = {
  AR: "America/Argentina/Buenos_Aires",
  BO: "America/La_Paz",
  BR: "America/Sao_Paulo",
  CA: "America/Toronto",
  CL: "America/Santiago",
  CO: "America/Bogota",
  CR: "America/Costa_Rica",
  DO: "America/Santo_Domingo",
  EC: "America/Guayaquil",
  ES: "Europe/Madrid",
  GT: "America/Guatemala",
  HN: "America/Tegucigalpa",
  MX: "America/Mexico_City",
  NI: "America/Managua",
  PA: "America/Panama",
  PE: "America/Lima",
  PT: "Europe/Lisbon",
  PY: "America/Asuncion",
  SV: "America/El_Salvador",
  US: "America/New_York",
  UY: "America/Montevideo",
  VE: "America/Caracas",
};

/** Quiet hours when the shop has none set on its cart reminders: no marketing from 21:00 to 09:00, recipient-local. */
export const DEFAULT_QUIET_HOURS = { start: "21:00", end: "09:00" };

export function recipientTimeZone(countryCode: string | null, shopTimeZone: string): string {
  const zone = countryCode ? MAIN_ZONE[countryCode.toUpperCase()] : undefined;
  return zone ?? (isTimeZone(shopTimeZone) ? shopTimeZone : "UTC");
}

/** "HH:MM" on `day` ("YYYY-MM-DD") in `timeZone`, as an instant. */
export function localInstant(day: string, hhmm: string, timeZone: string): Date {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(new TZDate(y!, m! - 1, d!, Number(hhmm.slice(0, 2)), Number(hhmm.slice(3)), 0, timeZone).getTime());
}

export interface Schedule {
  scheduleKind: string;
  sendAt: Date | null;
  localTime: string | null;
}

/**
 * When a recipient's message is due: now, the campaign's time, or the local
 * time on the campaign's day (`day`, the shop's date of sendAt) in their zone;
 * never earlier than `now` (a local time already past goes at once), and
 * moved out of the quiet hours in their zone.
 */
export function dueAt(schedule: Schedule, day: string, countryCode: string | null, shopTimeZone: string, quietHours: unknown, now: Date): Date {
  const zone = recipientTimeZone(countryCode, shopTimeZone);
  let at = now;
  if (schedule.scheduleKind === "AT" && schedule.sendAt) at = schedule.sendAt;
  if (schedule.scheduleKind === "LOCAL" && schedule.localTime) at = localInstant(day, schedule.localTime, zone);
  return outsideQuietHours(at.getTime() < now.getTime() ? now : at, zone, quietHours);
}

/** The shop's quiet hours for campaigns: its cart reminders' (null there: none), else the default. */
export async function campaignQuietHours(db: Db, shopId: string): Promise<unknown> {
  const cartReminders = await db.automation.findUnique({ where: { shopId_trigger: { shopId, trigger: "CHECKOUT_ABANDONED" } }, select: { quietHours: true } });
  return cartReminders ? cartReminders.quietHours : DEFAULT_QUIET_HOURS;
}
