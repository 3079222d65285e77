// The Embedded Signup fallback for when the SDK popup fails inside the admin
// iframe: Meta's OAuth dialog in a top-level window, redirecting back to
// /signup/callback. The `state` parameter carries the shop, signed and
// short-lived, since that request has no admin session.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

import type { AppConfig } from "../core/config.server";

/** How long a link may be used. */
export const STATE_TTL_MS = 30 * 60 * 1000;

function sign(payload: string, key: Buffer): string {
  return createHmac("sha256", key).update(`signup-state:${payload}`).digest("base64url");
}

export interface SignupState {
  shop: string;
  /** The path the merchant chose; the redirect flow has no session event to say it. */
  coexistence: boolean;
  /** The language of the staff member who opened it: the callback page speaks it (the request has no session to say it). */
  locale?: string;
}

/** A link as the callback reads it: what it was made for, its one-time id and when it was made. */
export interface SignupLink extends SignupState {
  linkId: string;
  issuedAt: Date;
}

export function createSignupState(state: SignupState, key: Buffer, now = Date.now()): string {
  const linkId = randomBytes(16).toString("base64url");
  const payload = Buffer.from(JSON.stringify({ ...state, jti: linkId, iat: now, exp: now + STATE_TTL_MS })).toString("base64url");
  return `${payload}.${sign(payload, key)}`;
}

/** What a state was made for, its id and when, or null when it is forged or expired. */
export function readSignupState(state: string, key: Buffer, now = Date.now()): SignupLink | null {
  const [payload, signature] = state.split(".");
  if (!payload || !signature) return null;
  const expected = Buffer.from(sign(payload, key));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  try {
    const { shop, jti, iat, exp, coexistence, locale } = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as {
      shop?: unknown;
      jti?: unknown;
      iat?: unknown;
      exp?: unknown;
      coexistence?: unknown;
      locale?: unknown;
    };
    return typeof shop === "string" && typeof jti === "string" && typeof iat === "number" && typeof exp === "number" && exp > now
      ? { shop, coexistence: coexistence === true, linkId: jti, issuedAt: new Date(iat), ...(typeof locale === "string" ? { locale } : {}) }
      : null;
  } catch {
    return null;
  }
}

export function signupRedirectUri(config: AppConfig): string {
  return `${config.SHOPIFY_APP_URL.replace(/\/$/, "")}/signup/callback`;
}

/** Meta's OAuth dialog for Embedded Signup, opened as a page of its own. */
export function signupDialogUrl(config: AppConfig, shop: string, coexistence: boolean, locale?: string): string {
  const query = new URLSearchParams({
    client_id: config.META_APP_ID,
    config_id: config.META_CONFIG_ID,
    redirect_uri: signupRedirectUri(config),
    response_type: "code",
    override_default_response_type: "true",
    state: createSignupState({ shop, coexistence, ...(locale ? { locale } : {}) }, config.encryptionKey),
    extras: JSON.stringify(coexistence ? { setup: {}, featureType: "whatsapp_business_app_onboarding", sessionInfoVersion: "3" } : { setup: {} }),
  });
  return `${config.FACEBOOK_DIALOG_URL.replace(/\/$/, "")}/${config.WHATSAPP_GRAPH_VERSION}/dialog/oauth?${query}`;
}
