// What Meta's account events mean for the merchant, as data the pages
// translate (components/AccountNotices.tsx): a disconnect with its reason, or
// the account warning in force (violation, restriction, scheduled disabling),
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
  accountAlert: string | null;
  accountAlertInfo: string | null;
}

const restrictionSchema = z
  .object({ restriction_type: z.string().optional(), type: z.string().optional(), expiration: z.union([z.string(), z.number()]).optional() })
  .passthrough();
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

function readInfo(text: string | null): z.infer<typeof alertInfoSchema> {
  if (!text) return {};
  try {
    return alertInfoSchema.safeParse(JSON.parse(text)).data ?? {};
  } catch {
    return {};
  }
}

export function accountNotices(facts: AccountFacts, now = new Date()): AccountNotice[] {
  const notices: AccountNotice[] = [];
  if (facts.onboardingState === "DISCONNECTED") notices.push({ kind: "disconnected", reason: facts.disconnectReason ?? "UNKNOWN", metaReason: facts.disconnectDetail });
  const info = readInfo(facts.accountAlertInfo);
  if (facts.accountAlert === "ACCOUNT_VIOLATION") notices.push({ kind: "violation", metaReason: info.violation_type ?? null });
  const disabled = facts.onboardingState === "DISCONNECTED" && facts.disconnectReason === "WABA_DISABLED";
  // Once disabled, the earlier warning that it would be is old news.
  if (facts.accountAlert === "SCHEDULE_FOR_DISABLE" && !disabled) notices.push({ kind: "scheduledDisable", metaReason: info.waba_ban_date === undefined ? null : String(info.waba_ban_date) });
  if (facts.accountAlert === "ACCOUNT_RESTRICTION") {
    const restrictions = (info.restrictions ?? []).map((r) => ({ type: r.restriction_type ?? r.type ?? "UNKNOWN", until: expiry(r.expiration) }));
    const current = restrictions.filter((r) => !r.until || new Date(r.until) > now);
    if (current.length || !restrictions.length) notices.push({ kind: "restriction", restrictions: current });
  }
  return notices;
}
