// Verifies Meta's X-Hub-Signature-256. Meta signs an escaped-unicode form of the
// body (every UTF-16 code unit outside printable ASCII as lowercase \uXXXX), so
// the raw bytes are decoded, escaped, and only then HMAC'd; the comparison is
// constant-time.
import { createHmac, timingSafeEqual } from "node:crypto";

function escapeLikeMeta(body: string): string {
  return body.replace(/[^\0-~]/g, (ch) => "\\u" + ch.charCodeAt(0).toString(16).padStart(4, "0"));
}

export function isValidMetaSignature(rawBody: Buffer, header: string | null, appSecret: string): boolean {
  const match = /^sha256=([0-9a-f]{64})$/i.exec(header?.trim() ?? "");
  if (!match) return false;
  const expected = createHmac("sha256", appSecret)
    .update(escapeLikeMeta(rawBody.toString("utf8")), "utf8")
    .digest();
  const given = Buffer.from(match[1]!, "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}
