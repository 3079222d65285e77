// POST /admin/oauth/access_token as the Shopify library calls it: token
// exchange of an admin session token for an offline token (expiring when the
// app asks and the simulator is set so) or an online token naming the staff
// member behind the token's `sub`, and refresh of an expiring offline token.
import { createHmac, timingSafeEqual } from "node:crypto";

import { json, type Reply, type ShopifyContext } from "./http";

/** Online access tokens last a day (Shopify answers `expires_in: 86399`); they never come with a refresh token. */
const ONLINE_TOKEN_SECONDS = 86_399;

function verifySessionToken(token: string, apiKey: string, secret: string): { shop: string; sub: string } | null {
  const [header, payload, signature] = token.split(".");
  if (!header || !payload || !signature) return null;
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as { dest?: string; aud?: string; exp?: number; sub?: string };
  if (claims.aud !== apiKey || !claims.exp || claims.exp * 1000 < Date.now()) return null;
  // An admin session token's `sub` is the user's numeric id.
  if (!claims.dest || !claims.sub || !/^\d+$/.test(claims.sub)) return null;
  return { shop: new URL(claims.dest).hostname, sub: claims.sub };
}

export function accessToken({ options, store }: ShopifyContext, body: Record<string, unknown>): Reply {
  if (body.client_id !== options.apiKey || body.client_secret !== options.apiSecret) {
    return json(400, { error: "invalid_client", error_description: "Client authentication failed" });
  }
  const offlineTokenSeconds = options.offlineTokenSeconds === undefined ? null : options.offlineTokenSeconds;
  const expiring = body.expiring === "1" && offlineTokenSeconds !== null;
  const grant = (shop: string, scope: string) => {
    const { accessToken, refreshToken } = store.issueToken(shop, scope, expiring ? offlineTokenSeconds : null);
    return json(200, {
      access_token: accessToken,
      scope,
      ...(refreshToken ? { expires_in: offlineTokenSeconds, refresh_token: refreshToken, refresh_token_expires_in: 90 * 24 * 3600 } : {}),
    });
  };
  // Online tokens: the app's scopes, limited to what the person may do (associated_user_scope), for a day.
  const onlineGrant = (shop: string, sub: string): Reply => {
    const { scopes, ...user } = store.staffMember(shop, sub);
    const userScope = scopes
      ? options.scopes
          .split(",")
          .filter((scope) => scopes.includes(scope))
          .join(",")
      : options.scopes;
    const { accessToken } = store.issueToken(shop, userScope, ONLINE_TOKEN_SECONDS, { refreshable: false });
    return json(200, { access_token: accessToken, scope: options.scopes, expires_in: ONLINE_TOKEN_SECONDS, associated_user_scope: userScope, associated_user: user });
  };
  if (body.grant_type === "urn:ietf:params:oauth:grant-type:token-exchange") {
    const subject = typeof body.subject_token === "string" ? verifySessionToken(body.subject_token, options.apiKey, options.apiSecret) : null;
    if (!subject) return json(400, { error: "invalid_subject_token", error_description: "The session token is invalid or expired" });
    store.shop(subject.shop);
    if (body.requested_token_type === "urn:shopify:params:oauth:token-type:offline-access-token") return grant(subject.shop, options.scopes);
    if (body.requested_token_type === "urn:shopify:params:oauth:token-type:online-access-token") return onlineGrant(subject.shop, subject.sub);
    return json(400, { error: "invalid_request", error_description: "Unknown requested_token_type" });
  }
  if (body.grant_type === "refresh_token") {
    const known = typeof body.refresh_token === "string" ? store.refreshTokens.get(body.refresh_token) : undefined;
    if (!known) return json(400, { error: "invalid_grant", error_description: "The refresh token is invalid" });
    store.refreshTokens.delete(body.refresh_token as string);
    return grant(known.shop, known.scope);
  }
  return json(400, { error: "unsupported_grant_type" });
}
