// Sandbox only (ZAP_SANDBOX=1, refused in production): outside the Shopify
// admin there is no App Bridge to hand the page a session token. This inline
// stand-in does the two things the app relies on: `shopify.idToken()`, and the
// Authorization header App Bridge adds to the app's own fetches. The token is
// the one the sandbox signed into the page URL, so requests still go through
// authenticate.admin.
export const SANDBOX_APP_BRIDGE_SCRIPT = `(() => {
  const token = new URLSearchParams(location.search).get("id_token") || sessionStorage.getItem("zap-sandbox-id-token");
  if (!token) return;
  sessionStorage.setItem("zap-sandbox-id-token", token);
  window.shopify = { idToken: async () => token, toast: { show: (m) => console.info(m) }, config: {} };
  const nativeFetch = window.fetch.bind(window);
  window.fetch = (input, init = {}) => {
    const url = new URL(typeof input === "string" ? input : input.url, location.href);
    if (url.origin !== location.origin) return nativeFetch(input, init);
    const headers = new Headers(init.headers || (typeof input === "string" ? undefined : input.headers));
    if (!headers.has("authorization")) headers.set("authorization", "Bearer " + token);
    return nativeFetch(input, { ...init, headers });
  };
})();`;
