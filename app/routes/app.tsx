import type { HeadersFunction, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, Outlet, useLoaderData, useRouteError } from "@remix-run/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import polarisEn from "@shopify/polaris/locales/en.json";
import polarisEs from "@shopify/polaris/locales/es.json";
import polarisPtBR from "@shopify/polaris/locales/pt-BR.json";
import { Box, InlineStack, AppProvider as PolarisAppProvider } from "@shopify/polaris";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { boundary } from "@shopify/shopify-app-remix/server";

import { config } from "../config.server";
import { type Locale, type MessageKey, resolveLocale, translator } from "../i18n";
import { SANDBOX_APP_BRIDGE_SCRIPT } from "../sandbox-app-bridge";
import { authenticateRestoringOfflineAccess } from "../shopify.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

const polarisTranslations: Record<Locale, typeof polarisEn> = { en: polarisEn, es: polarisEs, "pt-BR": polarisPtBR };

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticateRestoringOfflineAccess(request);
  return { apiKey: config().SHOPIFY_API_KEY, locale: resolveLocale(new URL(request.url).searchParams.get("locale")), sandbox: config().ZAP_SANDBOX };
};

export default function App() {
  const { apiKey, locale, sandbox } = useLoaderData<typeof loader>();
  const t = translator(locale);
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
  // The sandbox runs outside the admin: Polaris without the CDN App Bridge,
  // the stand-in that supplies session tokens, and a plain bar for the admin's menu.
  if (sandbox) {
    return (
      <PolarisAppProvider i18n={polarisTranslations[locale]}>
        <script dangerouslySetInnerHTML={{ __html: SANDBOX_APP_BRIDGE_SCRIPT }} />
        <Box padding="300" background="bg-surface" borderBlockEndWidth="025" borderColor="border">
          <InlineStack gap="400">
            {links.map((link) => (
              <Link key={link.to} to={link.to}>
                {link.label}
              </Link>
            ))}
          </InlineStack>
        </Box>
        <main>
          <Outlet />
        </main>
      </PolarisAppProvider>
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
      <main>
        <Outlet />
      </main>
    </AppProvider>
  );
}

// Shopify needs its own error and header handling for embedded responses.
export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) => boundary.headers(headersArgs);

// Every page has a title naming its part of the app (screen readers announce
// it; the embedded admin shows its own above the frame).
const SECTIONS: Record<string, MessageKey> = {
  conversations: "nav.conversations",
  orders: "nav.conversations",
  team: "nav.team",
  automations: "nav.automations",
  campaigns: "nav.campaigns",
  "inbox-settings": "nav.inboxSettings",
  costs: "nav.costs",
  connect: "nav.connect",
};

export const meta: MetaFunction<typeof loader> = ({ data, location }) => {
  const t = translator(data?.locale ?? "en");
  const section = SECTIONS[location.pathname.split("/")[2] ?? ""];
  return [{ title: section ? `${t(section)} · ${t("app.name")}` : t("app.name") }];
};
