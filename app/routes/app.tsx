import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { isRouteErrorResponse, Link, Outlet, useLoaderData, useLocation, useRouteError, useRouteLoaderData } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import polarisEn from "@shopify/polaris/locales/en.json";
import polarisEs from "@shopify/polaris/locales/es.json";
import polarisPtBR from "@shopify/polaris/locales/pt-BR.json";
import { Banner, Box, InlineStack, Page } from "@shopify/polaris";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";

import { AdminUiProvider } from "../ui/AdminUi";
import { useScrollableTables } from "../ui/useScrollableTables";
import { config } from "../core/config.server";
import { db } from "../core/db.server";
import { type Locale, resolveLocale, translator } from "../i18n";
import { rememberLocale } from "../i18n/locale.server";
import { SANDBOX_APP_BRIDGE_SCRIPT } from "../shopify/sandbox-app-bridge";
import { requireShop } from "../shopify/request.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

const polarisTranslations: Record<Locale, typeof polarisEn> = { en: polarisEn, es: polarisEs, "pt-BR": polarisPtBR };

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, locale } = await requireShop(request, { restoringOfflineAccess: true });
  await rememberLocale(db(), request, session);
  return { apiKey: config().SHOPIFY_API_KEY, locale, sandbox: config().ZAP_SANDBOX };
};

export default function App() {
  const { apiKey, locale, sandbox } = useLoaderData<typeof loader>();
  const t = translator(locale);
  useScrollableTables(t("a11y.scrollableTable"));
  const links = [
    { to: "/app", label: t("nav.home") },
    { to: "/app/conversations", label: t("nav.conversations") },
    { to: "/app/team", label: t("nav.team") },
    { to: "/app/automations", label: t("nav.automations") },
    { to: "/app/campaigns", label: t("nav.campaigns") },
    { to: "/app/inbox-settings", label: t("nav.inboxSettings") },
    { to: "/app/costs", label: t("nav.costs") },
    { to: "/app/connect", label: t("nav.connect") },
  ];
  // The sandbox runs outside the admin: the same provider (Polaris `url`s as
  // Remix links, so they navigate with the session token) without the CDN App
  // Bridge, the stand-in that supplies session tokens, a plain bar for the admin's menu, and
  // Polaris' frame (its own main landmark) for the save bar, toasts and loading bar.
  if (sandbox) {
    return (
      <AppProvider isEmbeddedApp={false} apiKey={apiKey} i18n={polarisTranslations[locale]}>
        <script dangerouslySetInnerHTML={{ __html: SANDBOX_APP_BRIDGE_SCRIPT }} />
        <AdminUiProvider sandbox>
          <Box padding="300" background="bg-surface" borderBlockEndWidth="025" borderColor="border">
            <InlineStack gap="400">
              {links.map((link) => (
                <Link key={link.to} to={link.to}>
                  {link.label}
                </Link>
              ))}
            </InlineStack>
          </Box>
          <Outlet />
        </AdminUiProvider>
      </AppProvider>
    );
  }
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} i18n={polarisTranslations[locale]}>
      <NavMenu>
        {links.map((link, index) => (
          <Link key={link.to} to={link.to} {...(index === 0 ? { rel: "home" } : {})}>
            {link.label}
          </Link>
        ))}
      </NavMenu>
      <AdminUiProvider sandbox={false}>
        <main>
          <Outlet />
        </main>
      </AdminUiProvider>
    </AppProvider>
  );
}

// Shopify needs its own error and header handling for embedded responses (its authentication pages and
// answers); the app's own failures (a page that does not exist, a request it cannot handle, an error) are
// told in the staff member's language.
export function ErrorBoundary() {
  const error = useRouteError();
  const app = useRouteLoaderData<typeof loader>("routes/app");
  // After a failed action the layout's loader has not run: the admin's `locale` parameter says the language.
  const location = useLocation();
  const own = isRouteErrorResponse(error) ? ({ 400: "error.badRequest", 404: "error.notFound" } as const)[error.status as 400 | 404] : error instanceof Error ? "error.unexpected" : undefined;
  if (!own) return boundary.error(error);
  const locale = app?.locale ?? resolveLocale(new URLSearchParams(location.search).get("locale"));
  const t = translator(locale);
  // Inside the admin as the layout is (App Bridge from Shopify's CDN), or the sandbox's stand-in; without the
  // layout's data (its own loader failed) a plain Polaris page, with no App Bridge to start without a key.
  return (
    <AppProvider isEmbeddedApp={Boolean(app && !app.sandbox)} apiKey={app?.apiKey ?? ""} i18n={polarisTranslations[locale]}>
      {app?.sandbox ? <script dangerouslySetInnerHTML={{ __html: SANDBOX_APP_BRIDGE_SCRIPT }} /> : null}
      <Page title={t("error.title")} backAction={{ content: t("nav.home"), url: "/app" }}>
        <Banner tone="critical">
          <p data-testid="app-error">{t(own)}</p>
        </Banner>
      </Page>
    </AppProvider>
  );
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
