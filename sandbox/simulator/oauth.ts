// Meta's OAuth as Embedded Signup uses it: the dialog opened as a page
// (redirect mode), the code exchange that grants a business token reaching one
// WABA, and debug_token, which tells the app what a token reaches.
import { randomBytes } from "node:crypto";

import { GraphApiError, type GraphRoute } from "./graph";
import { signupDialogPage } from "./signup-pages";

const CODE_TTL_MS = 30_000;

export const oauthRoutes: GraphRoute[] = [
  {
    method: "GET",
    pattern: /^oauth\/access_token$/,
    handler: ({ world, appId, appSecret }, req) => {
      if (appId && req.query.get("client_id") !== appId) throw new GraphApiError(101, "Error validating application. Invalid application ID.", "");
      if (req.query.get("client_secret") !== appSecret) throw new GraphApiError(1, "Error validating client secret.", "");
      const code = req.query.get("code") ?? "";
      const grant = world.codes.get(code);
      world.codes.delete(code);
      if (!grant || Date.now() - grant.issuedAt > CODE_TTL_MS) {
        throw new GraphApiError(100, "Invalid verification code format.", "The code has expired or was already used");
      }
      if ((grant.redirectUri ?? null) !== (req.query.get("redirect_uri") ?? null)) {
        throw new GraphApiError(100, "Error validating verification code. Please make sure your redirect_uri is identical to the one you used in the OAuth dialog request", "");
      }
      const token = "sim-bisu-" + randomBytes(16).toString("hex");
      world.tokens.set(token, grant.wabaId);
      return { body: { access_token: token, token_type: "bearer" } };
    },
  },
  {
    method: "GET",
    pattern: /^debug_token$/,
    handler: ({ world, appId, appSecret }, req) => {
      // Inspecting a token takes the app's own token (app id|app secret), as on Meta.
      if (!req.token?.endsWith(`|${appSecret}`) || (appId && req.token !== `${appId}|${appSecret}`)) {
        throw new GraphApiError(190, "Invalid OAuth access token signature.", "", 400);
      }
      const wabaId = world.tokens.get(req.query.get("input_token") ?? "");
      if (!wabaId) throw new GraphApiError(190, "Invalid OAuth access token", "", 401);
      return {
        body: {
          data: {
            app_id: appId,
            is_valid: true,
            granular_scopes: [
              { scope: "whatsapp_business_management", target_ids: [wabaId] },
              { scope: "whatsapp_business_messaging", target_ids: [wabaId] },
            ],
          },
        },
      };
    },
  },
  {
    // Meta's OAuth dialog opened as a page (the Embedded Signup fallback): redirect mode.
    method: "GET",
    pattern: /^dialog\/oauth$/,
    handler: ({ appId }, req) => {
      const redirectUri = req.query.get("redirect_uri");
      if (!redirectUri || (appId && req.query.get("client_id") !== appId)) throw new GraphApiError(100, "Invalid client_id or redirect_uri", "");
      const extras = req.query.get("extras") ?? "";
      return {
        contentType: "text/html; charset=utf-8",
        body: signupDialogPage({ mode: "redirect", coexistence: extras.includes("whatsapp_business_app_onboarding"), order: "event-first", redirectUri, state: req.query.get("state") ?? undefined }),
      };
    },
  },
];
