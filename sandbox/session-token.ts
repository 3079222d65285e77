// Shopify admin session tokens for the sandbox: the HS256 JWT that App Bridge
// gets from Shopify, signed here with the app's API secret so requests go
// through the real authenticate.admin path.
import { createHmac, randomUUID } from "node:crypto";

export function signSessionToken(input: { shop: string; apiKey: string; apiSecret: string; userId?: string; ttlSeconds?: number }): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const header = encode({ alg: "HS256", typ: "JWT" });
  const payload = encode({
    iss: `https://${input.shop}/admin`,
    dest: `https://${input.shop}`,
    aud: input.apiKey,
    sub: input.userId ?? "1",
    exp: now + (input.ttlSeconds ?? 60),
    nbf: now - 5,
    iat: now,
    jti: randomUUID(),
    sid: randomUUID(),
  });
  const signature = createHmac("sha256", input.apiSecret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}

/**
 * A session token as Shopify gives a checkout UI extension (sessionToken.get()):
 * `dest` is the bare shop domain, `sub` the logged-in customer's gid (absent for
 * guests), no `iss` or `sid`.
 */
export function signCheckoutSessionToken(input: { shop: string; apiKey: string; apiSecret: string; customerGid?: string; ttlSeconds?: number }): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const header = encode({ alg: "HS256", typ: "JWT" });
  const payload = encode({
    dest: input.shop,
    aud: input.apiKey,
    ...(input.customerGid ? { sub: input.customerGid } : {}),
    exp: now + (input.ttlSeconds ?? 300),
    nbf: now - 5,
    iat: now,
    jti: randomUUID(),
  });
  const signature = createHmac("sha256", input.apiSecret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${signature}`;
}
