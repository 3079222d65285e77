// What Meta's account events mean for the merchant, as data the pages
// translate (ui/AccountNotices.tsx): a disconnect with its reason, or
// the account warnings in force (violation, restriction, scheduled disabling),
// each with Meta's own words where it gave some. A restriction whose every
// part has expired is no longer shown.
import { z } from "zod";

export type AccountNotice =
  | { kind: "disconnected"; reason: string; metaReason: string | null }
  | { kind: "violation"; metaReason: string | null }
  | { kind: "restriction"; restrictions: { type: string; until: string | null }[] }
  | { kind: "scheduledDisable"; metaReason: string | null };

export interface AccountFacts {
  onboardingState: string;
  disconnectReason: string | null;
  disconnectDetail: string | null;
  accountAlerts: string | null;
}

const restrictionSchema = z.object({ restriction_type: z.string().optional(), type: z.string().optional(), expiration: z.union([z.string(), z.number()]).optional() }).passthrough();
const alertInfoSchema = z
  .object({
    violation_type: z.string().optional(),
    waba_ban_date: z.union([z.string(), z.number()]).optional(),
    restrictions: z.array(restrictionSchema).optional(),
  })
  .passthrough();

/** A restriction's end as an ISO time; Meta writes "2026-04-19T13:59:20+0000" (Unix seconds accepted too). */
function expiry(value: string | number | undefined): string | null {
  if (value === undefined || value === "") return null;
  const text = String(value);
  const at = /^\d+$/.test(text) ? new Date(Number(text) * 1000) : new Date(text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return Number.isNaN(at.getTime()) ? null : at.toISOString();
}

const alertsSchema = z.record(z.object({ info: z.unknown(), at: z.string() }));

/** The warnings in force, by Meta's event name: each with its info object and entry time (ISO). */
export type AccountAlerts = z.infer<typeof alertsSchema>;

export function readAlerts(text: string | null): AccountAlerts {
  if (!text) return {};
  try {
    return alertsSchema.safeParse(JSON.parse(text)).data ?? {};
  } catch {
    return {};
  }
}

const infoOf = (alerts: AccountAlerts, event: string) => alertInfoSchema.safeParse(alerts[event]?.info ?? {}).data ?? {};

export function accountNotices(facts: AccountFacts, now = new Date()): AccountNotice[] {
  const notices: AccountNotice[] = [];
  if (facts.onboardingState === "DISCONNECTED") notices.push({ kind: "disconnected", reason: facts.disconnectReason ?? "UNKNOWN", metaReason: facts.disconnectDetail });
  const alerts = readAlerts(facts.accountAlerts);
  if (alerts.ACCOUNT_VIOLATION) notices.push({ kind: "violation", metaReason: infoOf(alerts, "ACCOUNT_VIOLATION").violation_type ?? null });
  const disabled = facts.onboardingState === "DISCONNECTED" && facts.disconnectReason === "WABA_DISABLED";
  // Once disabled, the earlier warning that it would be is old news.
  if (alerts.SCHEDULE_FOR_DISABLE && !disabled) {
    const date = infoOf(alerts, "SCHEDULE_FOR_DISABLE").waba_ban_date;
    notices.push({ kind: "scheduledDisable", metaReason: date === undefined ? null : String(date) });
  }
  if (alerts.ACCOUNT_RESTRICTION) {
    const restrictions = (infoOf(alerts, "ACCOUNT_RESTRICTION").restrictions ?? []).map((r) => ({ type: r.restriction_type ?? r.type ?? "UNKNOWN", until: expiry(r.expiration) }));
    const current = restrictions.filter((r) => !r.until || new Date(r.until) > now);
    if (current.length || !restrictions.length) notices.push({ kind: "restriction", restrictions: current });
  }
  return notices;
}
