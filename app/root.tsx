import { Links, Meta, Outlet, Scripts, ScrollRestoration, useMatches, useRouteLoaderData } from "@remix-run/react";

import { pageTitle } from "./ui/page-titles";
import type { loader as appLoader } from "./routes/app";
import type { loader as loginLoader } from "./routes/auth.login";

export default function App() {
  // The staff member's language is resolved by the app's layout; the login page's by the browser's Accept-Language.
  const appLocale = useRouteLoaderData<typeof appLoader>("routes/app")?.locale;
  const loginLocale = useRouteLoaderData<typeof loginLoader>("routes/auth.login")?.locale;
  const locale = appLocale ?? loginLocale ?? "en";
  const leaf = useMatches().at(-1)?.id;
  return (
    <html lang={locale}>
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width,initial-scale=1" />
        <link rel="preconnect" href="https://cdn.shopify.com/" />
        <title>{pageTitle(locale, leaf)}</title>
        <Meta />
        <Links />
      </head>
      <body>
        <Outlet />
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}
