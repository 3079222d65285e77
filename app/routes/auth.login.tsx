import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { AppProvider as PolarisAppProvider, Button, Card, FormLayout, Page, Text, TextField } from "@shopify/polaris";
import polarisEn from "@shopify/polaris/locales/en.json";
import polarisEs from "@shopify/polaris/locales/es.json";
import polarisPtBR from "@shopify/polaris/locales/pt-BR.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { useState } from "react";

import { type Locale, localeFromAcceptLanguage, translator } from "../i18n";
import { login } from "../shopify/shopify.server";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

const polarisTranslations: Record<Locale, typeof polarisEn> = { en: polarisEn, es: polarisEs, "pt-BR": polarisPtBR };

// Outside the Shopify admin: ask for the shop domain and start OAuth. No session names a language here: the
// browser's Accept-Language does. The library's error is a code (no shop, or not a shop domain), worded on the page.
async function loginPage(request: Request) {
  const errors = await login(request);
  return { errors: { shop: errors?.shop ?? null }, locale: localeFromAcceptLanguage(request.headers.get("accept-language")) };
}

export const loader = ({ request }: LoaderFunctionArgs) => loginPage(request);
export const action = ({ request }: ActionFunctionArgs) => loginPage(request);

export default function Login() {
  const loaderData = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const [shop, setShop] = useState("");
  const { errors, locale } = actionData ?? loaderData;
  const t = translator(locale);
  const error = errors.shop === "MISSING_SHOP" ? t("login.missingShop") : errors.shop ? t("login.invalidShop") : undefined;
  return (
    <PolarisAppProvider i18n={polarisTranslations[locale]}>
      <Page narrowWidth>
        <Card>
          <Form method="post">
            <FormLayout>
              <Text variant="headingMd" as="h1">
                {t("login.title")}
              </Text>
              <TextField type="text" name="shop" label={t("login.shop")} helpText={t("login.shopHelp")} value={shop} onChange={setShop} autoComplete="on" error={error} />
              <Button submit>{t("login.submit")}</Button>
            </FormLayout>
          </Form>
        </Card>
      </Page>
    </PolarisAppProvider>
  );
}
