// Stand-ins for Meta's Embedded Signup front end: the Facebook JS SDK
// (FB.init / FB.login opening a popup) and the signup dialog, which mints a
// code and reports back the way Meta does: the login callback and the
// WA_EMBEDDED_SIGNUP message event as two separate channels. In redirect mode
// (the OAuth dialog opened as a page) it redirects to redirect_uri instead.
import { SEED } from "./state";

export function facebookSdkScript(simOrigin: string): string {
  return `(() => {
  const SIM = ${JSON.stringify(simOrigin)};
  let pending = null;
  const finish = (cb, code) => { if (pending !== cb) return; pending = null; cb(code ? { authResponse: { code }, status: "connected" } : { authResponse: null, status: "unknown" }); };
  window.addEventListener("message", (ev) => {
    if (ev.origin !== SIM) return;
    let d = ev.data;
    if (typeof d === "string") { try { d = JSON.parse(d); } catch { return; } }
    if (!d || d.type !== "SIM_FB_LOGIN" || !pending) return;
    // drop: the login callback never comes, not even when the window closes.
    if (d.drop) pending = null;
    else finish(pending, d.code);
  });
  window.FB = {
    init() {},
    login(cb, options) {
      pending = cb;
      const extras = (options && options.extras) || {};
      const query = new URLSearchParams({ mode: "popup", config_id: (options && options.config_id) || "", feature: extras.featureType || "" });
      const popup = window.open(SIM + "/_sim/es-dialog?" + query, "whatsapp-embedded-signup", "width=520,height=640");
      if (!popup) return finish(cb, undefined);
      const timer = setInterval(() => { if (popup.closed) { clearInterval(timer); setTimeout(() => finish(cb, undefined), 800); } }, 200);
    },
  };
  if (typeof window.fbAsyncInit === "function") window.fbAsyncInit();
})();`;
}

/**
 * How Finish reports back in popup mode: both channels in either order; one
 * only (the login callback never comes, or no session event is posted); or
 * the finish event with a login callback that carries no code, either order.
 */
export const SIGNUP_ORDERS = ["event-first", "code-first", "event-only", "code-only", "no-code", "no-code-first"] as const;
export type SignupOrder = (typeof SIGNUP_ORDERS)[number];

export interface DialogOptions {
  mode: "popup" | "redirect";
  coexistence: boolean;
  order: SignupOrder;
  redirectUri?: string;
  state?: string;
}

export function signupDialogPage(options: DialogOptions): string {
  const number = options.coexistence ? "+55 11 98765-0002 (WhatsApp Business app)" : "+1 555-010-0001 (new Cloud API number)";
  const config = {
    ...options,
    finishEvent: options.coexistence
      ? { type: "WA_EMBEDDED_SIGNUP", event: "FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING", version: 3, data: { waba_id: SEED.wabaId } }
      : { type: "WA_EMBEDDED_SIGNUP", event: "FINISH", version: 3, data: { phone_number_id: SEED.cloudPhoneNumberId, waba_id: SEED.wabaId, business_id: SEED.businessId } },
    cancelEvent: { type: "WA_EMBEDDED_SIGNUP", event: "CANCEL", version: 3, data: { current_step: "PHONE_NUMBER_SETUP" } },
    // Meta documents a reported error as CANCEL carrying error fields.
    errorEvent: {
      type: "WA_EMBEDDED_SIGNUP",
      event: "CANCEL",
      version: 3,
      data: { error_message: "This phone number is already registered to a WhatsApp account", error_id: "524126", session_id: "f34b51dab5e0498", timestamp: "1746041036" },
    },
  };
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>WhatsApp Embedded Signup (simulator)</title>
<style>body{font-family:system-ui;margin:2rem;max-width:28rem}button{font-size:1rem;padding:.5rem 1rem;margin-right:.5rem}</style></head>
<body>
<h1>Connect to WhatsApp</h1>
<p>Simulator stand-in for Meta's Embedded Signup.</p>
<p>Number: <strong>${number}</strong></p>
<button id="finish">Finish</button><button id="cancel">Cancel</button><button id="error">Report an error</button>
<script>
const config = ${JSON.stringify(config)};
async function mintCode() {
  const response = await fetch("/_sim/signup-codes", { method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ coexistence: config.coexistence, redirectUri: config.redirectUri }) });
  return (await response.json()).code;
}
function report(messages) {
  for (const message of messages) window.opener && window.opener.postMessage(JSON.stringify(message), "*");
  setTimeout(() => window.close(), 150);
}
document.getElementById("finish").onclick = async () => {
  const code = await mintCode();
  if (config.mode === "redirect") {
    location.href = config.redirectUri + "?" + new URLSearchParams({ code, state: config.state || "" });
    return;
  }
  const login = { type: "SIM_FB_LOGIN", code };
  const noCode = { type: "SIM_FB_LOGIN" };
  const orders = {
    "event-first": [config.finishEvent, login],
    "code-first": [login, config.finishEvent],
    "event-only": [config.finishEvent, { type: "SIM_FB_LOGIN", drop: true }],
    "code-only": [login],
    "no-code": [config.finishEvent, noCode],
    "no-code-first": [noCode, config.finishEvent],
  };
  report(orders[config.order]);
};
document.getElementById("error").onclick = () => report([config.errorEvent, { type: "SIM_FB_LOGIN" }]);
document.getElementById("cancel").onclick = () => {
  if (config.mode === "redirect") {
    location.href = config.redirectUri + "?" + new URLSearchParams({ error: "access_denied", error_description: "The user cancelled", state: config.state || "" });
    return;
  }
  report([config.cancelEvent, { type: "SIM_FB_LOGIN" }]);
};
</script>
</body></html>`;
}
