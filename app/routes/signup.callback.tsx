import type { LoaderFunctionArgs } from "@remix-run/node";

import { config } from "../config.server";
import { db } from "../db.server";
import { signupDeps } from "../services.server";
import { findShop } from "../shops.server";
import { readSignupState, signupRedirectUri } from "../signup-redirect.server";
import { completeSignup } from "../signup.server";

// GET /signup/callback?code&state: the top-level-window fallback of Embedded
// Signup returns here. No admin session exists on this request: the signed
// state names the shop.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const url = new URL(request.url);
  const state = readSignupState(url.searchParams.get("state") ?? "", config().encryptionKey);
  const shop = state ? await findShop(db(), state.shop) : null;
  if (!shop) return page(400, "This signup link is invalid or has expired. Start again from the app's WhatsApp connection page.");
  const code = url.searchParams.get("code");
  if (!code) return page(400, `Signup was not completed${url.searchParams.get("error_description") ? `: ${url.searchParams.get("error_description")}` : "."} Start again from the app.`);
  const result = await completeSignup(signupDeps(), shop.id, { code, redirectUri: signupRedirectUri(config()), intendedCoexistence: state!.coexistence });
  const admin = `https://admin.shopify.com/store/${shop.domain.replace(".myshopify.com", "")}/apps/${config().SHOPIFY_API_KEY}/app/connect`;
  return result.ok
    ? page(200, "WhatsApp is connected. You can close this window and return to Shopify.", admin)
    : page(422, `Connecting stopped at "${result.step}": ${result.reason}. Open the app's WhatsApp connection page to resume.`, admin);
};

function page(status: number, message: string, adminUrl?: string) {
  const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const link = adminUrl ? `<p><a href="${escape(adminUrl)}">Return to the app in Shopify</a></p>` : "";
  return new Response(
    `<!doctype html><html><head><meta charset="utf-8"><title>WhatsApp signup</title></head><body style="font-family:system-ui;margin:3rem auto;max-width:36rem"><h1>WhatsApp signup</h1><p id="result">${escape(message)}</p>${link}</body></html>`,
    { status, headers: { "content-type": "text/html; charset=utf-8" } },
  );
}
