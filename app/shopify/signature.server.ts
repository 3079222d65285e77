// Verifies Shopify's X-Shopify-Hmac-Sha256: base64 HMAC-SHA256 of the raw body
// with the app's API secret, compared in constant time. Intake checks only
// this, never a session: a webhook must be stored even when the shop's Admin
// API token cannot be refreshed (app/uninstalled and the compliance topics
// arrive exactly then).
import { createHmac, timingSafeEqual } from "node:crypto";

export function isValidShopifyHmac(rawBody: Buffer, header: string | null, apiSecret: string): boolean {
  if (!header || !/^[A-Za-z0-9+/]+=*$/.test(header.trim())) return false;
  const expected = createHmac("sha256", apiSecret).update(rawBody).digest();
  const given = Buffer.from(header.trim(), "base64");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
