// How Meta signs webhook bodies: HMAC-SHA256 with the app secret over the body
// in escaped-unicode form (each UTF-16 code unit above 0x7e as lowercase \uXXXX),
// while the body sent on the wire keeps the real UTF-8 characters.
import { createHmac } from "node:crypto";

export function metaSignature(body: string, appSecret: string): string {
  let escaped = "";
  for (let i = 0; i < body.length; i++) {
    const unit = body.charCodeAt(i);
    escaped += unit > 0x7e ? `\\u${unit.toString(16).padStart(4, "0")}` : body[i];
  }
  return "sha256=" + createHmac("sha256", appSecret).update(escaped, "utf8").digest("hex");
}
