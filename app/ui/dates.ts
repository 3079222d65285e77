// A calendar day the app stores as YYYY-MM-DD (a day in the shop's or the WhatsApp account's time zone, already
// chosen), shown in the staff member's language: "Oct 1, 2026", "1 oct 2026", "1 de out. de 2026".
export function formatDay(day: string, locale: string, style: "medium" | "long" = "medium"): string {
  // Noon UTC of that day, formatted in UTC: the same calendar day whatever the server's or browser's zone.
  return new Intl.DateTimeFormat(locale, { dateStyle: style, timeZone: "UTC" }).format(new Date(`${day}T12:00:00Z`));
}
