// Calling code (and, for +1, area code) → WhatsApp pricing market. Meta
// publishes the authoritative map as a CSV; this is the part we could check:
// the standalone markets on the pricing page, the +1 area codes it names as
// Latin America, and the common members of each regional group. Anything
// unlisted is "Other". Longest prefix wins.
import { getCountryCallingCode, isSupportedCountry } from "libphonenumber-js";

const MARKET_PREFIXES: Record<string, string[]> = {
  "North America": ["1"],
  "Latin America": ["1809", "1829", "1849", "1658", "1876", "1787", "1939", "1868", "501", "502", "503", "504", "505", "506", "507", "509", "591", "592", "593", "595", "597", "598", "58"],
  Argentina: ["54"],
  Brazil: ["55"],
  Chile: ["56"],
  Colombia: ["57"],
  Mexico: ["52"],
  Peru: ["51"],
  Egypt: ["20"],
  France: ["33"],
  Germany: ["49"],
  India: ["91"],
  Indonesia: ["62"],
  Israel: ["972"],
  Italy: ["39"],
  Malaysia: ["60"],
  Netherlands: ["31"],
  Nigeria: ["234"],
  Pakistan: ["92"],
  Russia: ["7"],
  "Saudi Arabia": ["966"],
  "South Africa": ["27"],
  Spain: ["34"],
  Turkey: ["90"],
  "United Arab Emirates": ["971"],
  "United Kingdom": ["44"],
  "Western Europe": ["43", "32", "45", "358", "30", "353", "47", "351", "46", "41", "352", "354"],
  "Central & Eastern Europe": ["48", "420", "421", "36", "40", "359", "385", "386", "370", "371", "372", "380", "375", "381"],
  "Middle East": ["973", "965", "968", "974", "962", "961", "964", "967"],
  "Asia Pacific": ["61", "64", "81", "82", "86", "852", "853", "886", "65", "66", "84", "63", "880", "94", "977", "95", "855", "856"],
  "Rest of Africa": ["254", "233", "255", "256", "212", "213", "216", "251", "263", "260", "237", "225", "221", "250", "244", "258"],
};

const BY_PREFIX = new Map<string, string>(Object.entries(MARKET_PREFIXES).flatMap(([market, prefixes]) => prefixes.map((p) => [p, market] as const)));

/** The pricing market of an E.164 number ("+5511…" → "Brazil"). */
export function marketForE164(e164: string): string {
  const digits = e164.replace(/\D/g, "");
  for (let length = Math.min(4, digits.length); length > 0; length--) {
    const market = BY_PREFIX.get(digits.slice(0, length));
    if (market) return market;
  }
  return "Other";
}

/** The pricing market of a country as Meta reports it in pricing_analytics ("BR" → "Brazil"). */
export function marketForCountry(country: string): string {
  const iso = country.toUpperCase();
  if (!isSupportedCountry(iso)) return "Other";
  const code = getCountryCallingCode(iso);
  if (code === "1") return iso === "US" || iso === "CA" ? "North America" : "Latin America";
  return marketForE164(code);
}
