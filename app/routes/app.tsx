import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import polarisEn from "@shopify/polaris/locales/en.json";
import polarisEs from "@shopify/polaris/locales/es.json";
import polarisPtBR from "@shopify/polaris/locales/pt-BR.json";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";

import { config } from "../config.server";
import { type Locale, resolveLocale, translator } from "../i18n";
import { authenticate } from "../shopify.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

const polarisTranslations: Record<Locale, typeof polarisEn> = { en: polarisEn, es: polarisEs, "pt-BR": polarisPtBR };

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  return { apiKey: config().SHOPIFY_API_KEY, locale: resolveLocale(new URL(request.url).searchParams.get("locale")) };
};

export default function App() {
  const { apiKey, locale } = useLoaderData<typeof loader>();
  const t = translator(locale);
  return (
    <AppProvider isEmbeddedApp apiKey={apiKey} i18n={polarisTranslations[locale]}>
      <NavMenu>
        <Link to="/app" rel="home">
          {t("nav.home")}
        </Link>
      </NavMenu>
      <Outlet />
    </AppProvider>
  );
}

// Shopify needs its own error and header handling for embedded responses.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);
