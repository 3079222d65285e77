// The WABA's pricing_analytics field: delivered messages per day (the WABA's
// days, in its timezone), country, pricing category and type, with volume and
// cost at the simulator's own rates.
import { localDay, nextDay, startOfDay } from "../../app/pricing/time";
import type { Json } from "./graph";
import type { World } from "./state";

/** Per-delivered-message USD rates the simulator charges in pricing_analytics. */
const RATES: Record<string, { MARKETING: number; UTILITY: number; AUTHENTICATION: number }> = {
  BR: { MARKETING: 0.0625, UTILITY: 0.0068, AUTHENTICATION: 0.0068 },
  AR: { MARKETING: 0.0618, UTILITY: 0.026, AUTHENTICATION: 0.026 },
  CO: { MARKETING: 0.0125, UTILITY: 0.0008, AUTHENTICATION: 0.0008 },
  CL: { MARKETING: 0.0889, UTILITY: 0.02, AUTHENTICATION: 0.02 },
  US: { MARKETING: 0.025, UTILITY: 0.0034, AUTHENTICATION: 0.0034 },
  CA: { MARKETING: 0.025, UTILITY: 0.0034, AUTHENTICATION: 0.0034 },
};
const DEFAULT_RATE = { MARKETING: 0.05, UTILITY: 0.01, AUTHENTICATION: 0.01 };

/** `fields` is the Graph `fields` parameter, e.g. `pricing_analytics.start(…).end(…).granularity(DAILY)`. */
export function pricingAnalytics(world: World, wabaId: string, fields: string, now: number): Json {
  const start = Number(/\.start\((\d+)\)/.exec(fields)?.[1] ?? 0);
  const end = Number(/\.end\((\d+)\)/.exec(fields)?.[1] ?? Math.floor(now / 1000));
  const waba = world.wabas.find((w) => w.id === wabaId);
  // `.phone_numbers(["15550783881"])` keeps the WABA's numbers with those display digits; without it, all of them.
  const digits = (display: string) => display.replace(/\D/g, "");
  const named = /\.phone_numbers\(\[([^\]]*)\]\)/.exec(fields)?.[1];
  const wanted = named === undefined ? null : new Set([...named.matchAll(/\d+/g)].map((m) => m[0]));
  const numbers = new Map((waba?.phoneNumbers ?? []).filter((p) => !wanted || wanted.has(digits(p.displayPhoneNumber))).map((p) => [p.id, digits(p.displayPhoneNumber)]));
  const timeZone = waba?.timezoneId ?? "UTC";
  const withTier = /dimensions\([^)]*TIER/.test(fields);
  const withPhone = /dimensions\([^)]*PHONE/.test(fields);
  const points = new Map<string, Json & { volume: number; cost: number }>();
  for (const m of world.messages) {
    const delivered = m.statuses.some((s) => s.status === "delivered" || s.status === "read");
    const at = Math.floor(m.acceptedAt / 1000);
    const phoneNumber = numbers.get(m.phoneNumberId);
    if (phoneNumber === undefined || !delivered || at < start || at >= end) continue;
    // Days are the WABA's days: they start at local midnight in its timezone.
    const day = localDay(new Date(at * 1000), timeZone);
    const dayStart = startOfDay(day, timeZone).getTime() / 1000;
    const category = m.pricing.category.toUpperCase();
    const type = m.pricing.type.toUpperCase();
    const key = [dayStart, m.country, category, type, withPhone ? phoneNumber : ""].join("|");
    const rates = RATES[m.country] ?? DEFAULT_RATE;
    const unit = type === "REGULAR" && category in rates ? rates[category as keyof typeof rates] : 0;
    const tier = withTier ? { tier: "0:MAX" } : {};
    const point = points.get(key) ?? {
      start: dayStart,
      end: startOfDay(nextDay(day), timeZone).getTime() / 1000,
      country: m.country,
      ...(withPhone ? { phone_number: phoneNumber } : {}),
      pricing_category: category,
      pricing_type: type,
      ...tier,
      volume: 0,
      cost: 0,
    };
    point.volume += 1;
    point.cost = Math.round((point.cost + unit) * 1e6) / 1e6;
    points.set(key, point);
  }
  return { data: [{ data_points: [...points.values()] }] };
}
