import type { LoaderFunctionArgs } from "@remix-run/node";

import { config } from "../core/config.server";
import { parseReason } from "../core/reasons";
import { db } from "../core/db.server";
import { type Locale, localeFromAcceptLanguage, resolveLocale, translator } from "../i18n";
import { signupStepName, storedReasonText, withDetail } from "../i18n/codes";
import { appDeps } from "../services.server";
import { findShop } from "../shopify/shops.server";
import { readSignupState, signupRedirectUri } from "../whatsapp/signup-redirect.server";
import { parkSignup } from "../whatsapp/signup-parked.server";

// GET /signup/callback?code&state: the top-level-window fallback of Embedded
// Signup returns here. No admin session exists on this request: the signed
// state names the shop, and the signup waits for a staff member to confirm it
// on the connect page (parkSignup).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  const state = readSignupState(url.searchParams.get("state") ?? "", config().encryptionKey);
  const shop = state ? await findShop(db(), state.shop) : null;
  // The language of whoever opened the link, else the store's; a link that cannot be read, the browser's.
  const named = state?.locale ?? shop?.locale;
  const locale = named ? resolveLocale(named) : localeFromAcceptLanguage(request.headers.get("accept-language"));
  const t = translator(locale);
  if (!shop) return page(locale, 400, t("callback.invalid"));
  const code = url.searchParams.get("code");
  if (!code) return page(locale, 400, withDetail(t, { text: t("callback.notCompleted"), detail: url.searchParams.get("error_description") }));
  const result = await parkSignup(appDeps(), shop.id, {
    code,
    redirectUri: signupRedirectUri(config()),
    intendedCoexistence: state!.coexistence,
    link: { linkId: state!.linkId, issuedAt: state!.issuedAt },
  });
  const admin = `https://admin.shopify.com/store/${shop.domain.replace(".myshopify.com", "")}/apps/${config().SHOPIFY_API_KEY}/app/connect`;
  if (result.ok) return page(locale, 200, t("callback.parked", { number: result.displayPhoneNumber }), admin);
  // A spent link has nothing to resume: its reason says where a new one is.
  if (parseReason(result.reason).code === "SIGNUP_LINK_USED") return page(locale, 422, storedReasonText(t, locale, result.reason, "code.unknown"), admin);
  return page(locale, 422, t("callback.failed", { step: signupStepName(t, result.step), reason: storedReasonText(t, locale, result.reason, "code.unknown") }), admin);
};

/** The callback's page, in `locale` (named on the document for screen readers), readable on a phone. */
function page(locale: Locale, status: number, message: string, adminUrl?: string) {
  const t = translator(locale);
  const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const link = adminUrl ? `<p><a href="${escape(adminUrl)}">${escape(t("callback.return"))}</a></p>` : "";
  return new Response(
    `<!doctype html><html lang="${locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escape(t("callback.title"))}</title></head><body style="font-family:system-ui;margin:3rem auto;max-width:36rem"><h1>${escape(t("callback.title"))}</h1><p id="result">${escape(message)}</p>${link}</body></html>`,
    { status, headers: { "content-type": "text/html; charset=utf-8" } },
  );
}
