// The inbox rules' shop settings, as the inbox settings page edits them:
// opening hours, the away reply, the first-response target, the phone-app
// hold, who counts as VIP and the where-is-my-order answers. Read from the
// form as strings, all checked before anything is saved.
import { z } from "zod";

import { type BusinessHours, businessHoursSchema, readBusinessHours } from "./business-hours";
import type { Db } from "../core/db.server";
import { Prisma, type Shop } from "../generated/prisma/client";
import type { MessageKey, Translate } from "../i18n";

/** The largest spend threshold accepted, in whole units (its millionths still fit a 64-bit integer). */
const MAX_SPEND_UNITS = 1_000_000_000_000n;

/**
 * An amount as a merchant types it, in millionths: "1500", "1500,50",
 * "1.500,50", "1,500.50". With both separators the last one is the decimal
 * one; a lone separator before exactly three digits after one to three
 * digits ("1.500", "12,000") groups thousands, as no currency amount here is
 * typed to the thousandth. Null for anything else, negatives included.
 */
export function parseAmountMicros(raw: string): bigint | null {
  const value = raw.replace(/[\s\u00a0\u202f]/g, "");
  if (!/^\d[\d.,]*$/.test(value)) return null;
  const lastDot = value.lastIndexOf(".");
  const lastComma = value.lastIndexOf(",");
  let whole = value;
  let fraction = "";
  let groupSeparator: string | null = null;
  if (lastDot >= 0 && lastComma >= 0) {
    const decimalAt = Math.max(lastDot, lastComma);
    whole = value.slice(0, decimalAt);
    fraction = value.slice(decimalAt + 1);
    groupSeparator = decimalAt === lastDot ? "," : ".";
  } else if (lastDot >= 0 || lastComma >= 0) {
    const separator = lastDot >= 0 ? "." : ",";
    const parts = value.split(separator);
    if (parts.length > 2 || (parts[1]!.length === 3 && parts[0]!.length <= 3)) groupSeparator = separator;
    else [whole, fraction] = parts as [string, string];
  }
  if (groupSeparator) {
    const groups = whole.split(groupSeparator);
    if (groups.length > 1 && !(/^\d{1,3}$/.test(groups[0]!) && groups.slice(1).every((g) => /^\d{3}$/.test(g)))) return null;
    whole = groups.join("");
  }
  if (!/^\d+$/.test(whole) || !/^\d{0,6}$/.test(fraction)) return null;
  const units = BigInt(whole);
  if (units > MAX_SPEND_UNITS) return null;
  return units * 1_000_000n + BigInt(fraction.padEnd(6, "0"));
}

/** Millionths as the merchant reads and types them back (no grouping; never exactly three decimals, which would read as thousands). */
export function amountInput(micros: bigint | null, locale: string): string {
  if (micros === null) return "";
  const whole = micros / 1_000_000n;
  let fraction = String(micros % 1_000_000n)
    .padStart(6, "0")
    .replace(/0+$/, "");
  if (!fraction) return String(whole);
  if (fraction.length < 2) fraction = fraction.padEnd(2, "0");
  if (fraction.length === 3) fraction += "0";
  return `${whole}${locale === "en" ? "." : ","}${fraction}`;
}

const onOff = z.enum(["on", "off"]).transform((v) => v === "on");
// Digits only: a coerced number would save an empty field as 0 and take "1e2" or "0x10".
const wholeNumber = (min: number, max: number) => z.string().trim().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(max));
const hoursJson = z.string().transform((raw, ctx) => {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: "Not JSON" });
    return z.NEVER;
  }
});

export const inboxSettingsSchema = z.object({
  // The form offers one or two ranges a day (the rules read up to three), not overlapping.
  businessHours: hoursJson.pipe(
    businessHoursSchema.superRefine((days, ctx) =>
      days.forEach((day, index) => {
        const [a, b] = day;
        if (day.length > 2) ctx.addIssue({ code: z.ZodIssueCode.custom, message: "At most two ranges a day", path: [index] });
        else if (a && b && a.open < b.close && b.open < a.close) ctx.addIssue({ code: z.ZodIssueCode.custom, message: "Ranges overlap", path: [index] });
      }),
    ),
  ),
  awayMessageEnabled: onOff,
  firstResponseTargetMinutes: wholeNumber(1, 1440),
  phoneAppHoldHours: wholeNumber(0, 168),
  // Shopify tags are comma-separated, so one tag holds no comma.
  vipCustomerTag: z
    .string()
    .trim()
    .max(255)
    .refine((tag) => !tag.includes(","))
    .transform((tag) => tag || null),
  vipSpendMicros: z
    .string()
    .trim()
    .transform((raw, ctx) => {
      if (!raw) return null;
      const micros = parseAmountMicros(raw);
      if (micros === null) ctx.addIssue({ code: z.ZodIssueCode.custom, message: raw.includes("-") ? "Negative" : "Not an amount" });
      return micros;
    }),
  orderStatusAnswers: onOff,
});
export type InboxSettings = z.output<typeof inboxSettingsSchema>;
export type InboxSettingsField = keyof InboxSettings;

export const INBOX_SETTINGS_FIELDS = Object.keys(inboxSettingsSchema.shape) as InboxSettingsField[];

/** The settings as the page shows them. */
export function inboxSettingsOf(shop: Shop, locale: string) {
  return {
    businessHours: readBusinessHours(shop.businessHours) ?? (Array.from({ length: 7 }, () => []) as BusinessHours),
    awayMessageEnabled: shop.awayMessageEnabled,
    firstResponseTargetMinutes: shop.firstResponseTargetMinutes,
    phoneAppHoldHours: shop.phoneAppHoldHours,
    vipCustomerTag: shop.vipCustomerTag ?? "",
    vipSpend: amountInput(shop.vipSpendMicros, locale),
    orderStatusAnswers: shop.orderStatusAnswers,
    timezone: shop.timezone,
    currency: shop.currency,
  };
}

/** The weekday names Sunday first, as `BusinessHours` counts them, in the merchant's language. */
export function weekdayNames(locale: string): string[] {
  const format = new Intl.DateTimeFormat(locale, { weekday: "long", timeZone: "UTC" });
  // 2023-01-01 was a Sunday.
  return Array.from({ length: 7 }, (_, day) => {
    const name = format.format(new Date(Date.UTC(2023, 0, 1 + day)));
    // Spanish and Portuguese write weekdays in lower case; here each starts a line or a message.
    return name.charAt(0).toLocaleUpperCase(locale) + name.slice(1);
  });
}

export type SaveSettingsResult = { ok: true } | { ok: false; errors: Partial<Record<InboxSettingsField, string>> };

/** Checks every field; saves all of them, or nothing and an error on each bad field. */
export async function saveInboxSettings(db: Db, shopId: string, form: FormData, t: Translate, locale: string): Promise<SaveSettingsResult> {
  const raw = Object.fromEntries(INBOX_SETTINGS_FIELDS.map((field) => [field, form.get(field) ?? undefined]));
  const parsed = inboxSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const errors: Partial<Record<InboxSettingsField, string>> = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as InboxSettingsField;
      if (errors[field]) continue;
      errors[field] = field === "businessHours" ? hoursError(issue.path, t, locale) : t(`inboxSettings.error.${field}` as MessageKey);
    }
    return { ok: false, errors };
  }
  const s = parsed.data;
  await db.shop.update({
    where: { id: shopId },
    data: {
      // No day open: no hours at all (always open), as readBusinessHours reads it.
      businessHours: s.businessHours.some((day) => day.length) ? s.businessHours : Prisma.DbNull,
      awayMessageEnabled: s.awayMessageEnabled,
      firstResponseTargetMinutes: s.firstResponseTargetMinutes,
      phoneAppHoldHours: s.phoneAppHoldHours,
      vipCustomerTag: s.vipCustomerTag,
      vipSpendMicros: s.vipSpendMicros,
      orderStatusAnswers: s.orderStatusAnswers,
    },
  });
  return { ok: true };
}

/** A bad range names its day; a malformed list (not from the form) only the field. */
function hoursError(path: (string | number)[], t: Translate, locale: string): string {
  const day = path[1];
  if (typeof day !== "number") return t("inboxSettings.error.businessHours");
  return t("inboxSettings.error.businessHoursDay", { day: weekdayNames(locale)[day] ?? "" });
}
