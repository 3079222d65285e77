// CORS for the app's admin UI extensions, which call the app from Shopify's
// extension origin with the admin session token.

/** Admin extensions run on Shopify's extension origin; the library answers "*", this narrows it to Shopify's. */
const ADMIN_ORIGINS = ["https://extensions.shopifycdn.com", "https://admin.shopify.com"];

export function adminOnly(request: Request, response: Response): Response {
  const origin = request.headers.get("origin");
  if (response.headers.has("access-control-allow-origin")) {
    if (origin && ADMIN_ORIGINS.includes(origin)) {
      response.headers.set("access-control-allow-origin", origin);
      response.headers.append("vary", "Origin");
    } else {
      response.headers.delete("access-control-allow-origin");
    }
  }
  return response;
}
