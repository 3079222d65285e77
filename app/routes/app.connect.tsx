import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, InlineGrid, InlineStack, Layout, List, Page, Text } from "@shopify/polaris";
import { useCallback, useEffect, useRef, useState } from "react";

import { AccountNotices } from "../components/AccountNotices";
import { config } from "../config.server";
import { db } from "../db.server";
import { META_ORIGINS, readSessionMessage, SignupSession, type SignupOutcome } from "../embedded-signup";
import { resolveLocale, translator } from "../i18n";
import { signupDeps } from "../services.server";
import { ensureShop } from "../shops.server";
import { signupDialogUrl } from "../signup-redirect.server";
import { disconnectWhatsApp } from "../signup.server";
import { authenticate } from "../shopify.server";
import { getConnection } from "../whatsapp/account.server";

interface FacebookSdk {
  init(options: { appId: string; autoLogAppEvents: boolean; xfbml: boolean; version: string }): void;
  login(callback: (response: { authResponse?: { code?: string } | null }) => void, options: Record<string, unknown>): void;
}
declare global {
  interface Window {
    FB?: FacebookSdk;
    fbAsyncInit?: () => void;
  }
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const settings = config();
  const shop = await ensureShop(db(), session.shop);
  const connection = await getConnection(db(), shop.id);
  const sdkOrigin = new URL(settings.FACEBOOK_SDK_URL).origin;
  return {
    locale: resolveLocale(new URL(request.url).searchParams.get("locale") ?? shop.locale),
    connection,
    inactivityDays: settings.PHONE_APP_INACTIVITY_DAYS,
    signup: {
      appId: settings.META_APP_ID,
      configId: settings.META_CONFIG_ID,
      graphVersion: settings.WHATSAPP_GRAPH_VERSION,
      sdkUrl: settings.FACEBOOK_SDK_URL,
      // The sandbox's stand-in dialog posts from the simulator's origin; nowhere else is added.
      allowedOrigins: settings.ZAP_SANDBOX ? [...META_ORIGINS, sdkOrigin] : META_ORIGINS,
      dialogCloud: signupDialogUrl(settings, shop.domain, false),
      dialogCoexistence: signupDialogUrl(settings, shop.domain, true),
    },
  };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await request.formData();
  if (form.get("intent") !== "disconnect") return Response.json({ error: "intent: must be disconnect" }, { status: 400 });
  const shop = await ensureShop(db(), session.shop);
  await disconnectWhatsApp(signupDeps(), shop.id, "MERCHANT_DISCONNECTED");
  return { disconnected: true };
};

type Status = { tone: "info" | "success" | "warning" | "critical"; text: string; resumable?: boolean } | null;

export default function Connect() {
  const { locale, connection, inactivityDays, signup } = useLoaderData<typeof loader>();
  const t = translator(locale);
  const revalidator = useRevalidator();
  const navigation = useNavigation();
  const [status, setStatus] = useState<Status>(null);
  const [busy, setBusy] = useState(false);
  const session = useRef<SignupSession | null>(null);

  useEffect(() => {
    const onMessage = (event: MessageEvent) => {
      const parsed = readSessionMessage(event.origin, event.data, signup.allowedOrigins);
      if (parsed) session.current?.receiveEvent(parsed);
    };
    window.addEventListener("message", onMessage);
    if (!document.getElementById("facebook-jssdk")) {
      window.fbAsyncInit = () => window.FB?.init({ appId: signup.appId, autoLogAppEvents: true, xfbml: false, version: signup.graphVersion });
      const script = document.createElement("script");
      script.id = "facebook-jssdk";
      script.async = true;
      script.crossOrigin = "anonymous";
      script.src = signup.sdkUrl;
      document.body.appendChild(script);
    }
    return () => window.removeEventListener("message", onMessage);
  }, [signup]);

  const submit = useCallback(
    async (body: unknown) => {
      setBusy(true);
      setStatus({ tone: "info", text: t("connect.working") });
      try {
        const response = await fetch("/app/signup", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
        const result = (await response.json()) as { ok: boolean; step?: string; reason?: string };
        setStatus(result.ok ? null : { tone: "critical", text: t("connect.failed", { step: result.step ?? "?", reason: result.reason ?? "" }), resumable: response.status === 422 });
      } catch (error) {
        setStatus({ tone: "critical", text: t("connect.failed", { step: "request", reason: String(error) }), resumable: true });
      } finally {
        setBusy(false);
        revalidator.revalidate();
      }
    },
    [revalidator, t],
  );

  const onOutcome = useCallback(
    (outcome: SignupOutcome) => {
      if (outcome.kind === "submit") void submit({ intent: "signup", code: outcome.code, event: outcome.event });
      else if (outcome.kind === "cancelled") setStatus({ tone: "warning", text: t("connect.cancelled", { step: outcome.step ?? "?" }) });
      else if (outcome.kind === "error") setStatus({ tone: "critical", text: t("connect.error", { message: outcome.message }) });
      else setStatus({ tone: "warning", text: t("connect.noCode") });
    },
    [submit, t],
  );

  // Must run inside the click: popup blockers allow windows opened by a user gesture only.
  const launch = (coexistence: boolean) => {
    if (!window.FB) return setStatus({ tone: "warning", text: t("connect.noCode") });
    setStatus(null);
    session.current = new SignupSession(onOutcome);
    window.FB.login((response) => session.current?.receiveLogin(response.authResponse?.code), {
      config_id: signup.configId,
      response_type: "code",
      override_default_response_type: true,
      extras: coexistence ? { setup: {}, featureType: "whatsapp_business_app_onboarding", sessionInfoVersion: "3" } : { setup: {} },
    });
  };

  const connected = connection.state === "CONNECTED";
  const inProgress = !["CONNECTED", "NOT_CONNECTED", "DISCONNECTED"].includes(connection.state);
  // What just happened wins; otherwise an unfinished onboarding offers to resume.
  const shownStatus: Status = status ?? (inProgress ? { tone: "warning", text: t("health.incomplete", { detail: connection.onboardingError ?? connection.state }), resumable: true } : null);
  return (
    <Page title={t("connect.title")}>
      <Layout>
        {shownStatus ? (
          <Layout.Section>
            <StatusBanner status={shownStatus} resumeLabel={t("connect.resume")} busy={busy} onResume={() => void submit({ intent: "resume" })} />
          </Layout.Section>
        ) : null}
        <AccountNotices notices={connection.notices} t={t} locale={locale} />
        {connected ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("connect.current.heading")}
                </Text>
                <Text as="p" variant="headingLg">
                  <span data-testid="connected-number">{connection.displayPhoneNumber}</span>
                </Text>
                <Text as="p">{t("connect.connected", { number: connection.verifiedName ?? connection.displayPhoneNumber ?? "" })}</Text>
                <Text as="p" tone="subdued">
                  {connection.coexistence ? t("home.connection.coexistence") : t("home.connection.cloudOnly")}
                </Text>
                {connection.coexistence ? (
                  <List>
                    {connection.contactsSyncRequested ? <List.Item>{t("connect.sync.contacts")}</List.Item> : null}
                    {connection.historySyncError ? (
                      <List.Item>{t("connect.sync.declined")}</List.Item>
                    ) : connection.historySyncProgress !== null ? (
                      <List.Item>{t("connect.sync.history", { progress: connection.historySyncProgress })}</List.Item>
                    ) : connection.historySyncRequested ? (
                      <List.Item>{t("connect.sync.historyRequested")}</List.Item>
                    ) : null}
                  </List>
                ) : null}
                {connection.coexistence && (connection.historySyncProgress ?? 0) < 100 && !connection.historySyncError ? (
                  <Text as="p" tone="subdued">
                    {t("connect.sync.keepOpen")}
                  </Text>
                ) : null}
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        {connected ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("connect.disconnect.heading")}
                </Text>
                <Text as="p">{t("connect.disconnect.text")}</Text>
                <Form method="post">
                  <input type="hidden" name="intent" value="disconnect" />
                  <Button submit tone="critical" loading={navigation.state === "submitting"}>
                    {t("connect.disconnect.button")}
                  </Button>
                </Form>
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : (
          <>
            <Layout.Section>
              <Text as="p">{t("connect.intro")}</Text>
            </Layout.Section>
            <Layout.Section>
              <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
                <Card>
                  <BlockStack gap="300">
                    <Text as="h2" variant="headingMd">
                      {t("connect.coex.heading")}
                    </Text>
                    <List>
                      <List.Item>{t("connect.coex.point1")}</List.Item>
                      <List.Item>{t("connect.coex.point2")}</List.Item>
                      <List.Item>{t("connect.coex.point3")}</List.Item>
                      <List.Item>{t("connect.coex.point4", { days: inactivityDays })}</List.Item>
                      <List.Item>{t("connect.coex.point5")}</List.Item>
                    </List>
                    <Box>
                      <Button variant="primary" onClick={() => launch(true)} loading={busy}>
                        {t("connect.coex.button")}
                      </Button>
                    </Box>
                  </BlockStack>
                </Card>
                <Card>
                  <BlockStack gap="300">
                    <Text as="h2" variant="headingMd">
                      {t("connect.cloud.heading")}
                    </Text>
                    <List>
                      <List.Item>{t("connect.cloud.point1")}</List.Item>
                      <List.Item>{t("connect.cloud.point2")}</List.Item>
                      <List.Item>{t("connect.cloud.point3")}</List.Item>
                    </List>
                    <Box>
                      <Button onClick={() => launch(false)} loading={busy}>
                        {t("connect.cloud.button")}
                      </Button>
                    </Box>
                  </BlockStack>
                </Card>
              </InlineGrid>
            </Layout.Section>
            <Layout.Section>
              <Card>
                <BlockStack gap="200">
                  <Text as="h2" variant="headingSm">
                    {t("connect.fallback.heading")}
                  </Text>
                  <Text as="p">{t("connect.fallback.text")}</Text>
                  <InlineStack gap="400">
                    <Button url={signup.dialogCoexistence} target="_blank" variant="plain">
                      {t("connect.fallback.coex")}
                    </Button>
                    <Button url={signup.dialogCloud} target="_blank" variant="plain">
                      {t("connect.fallback.cloud")}
                    </Button>
                  </InlineStack>
                </BlockStack>
              </Card>
            </Layout.Section>
          </>
        )}
      </Layout>
    </Page>
  );
}

function StatusBanner({ status, resumeLabel, busy, onResume }: { status: NonNullable<Status>; resumeLabel: string; busy: boolean; onResume: () => void }) {
  return (
    <Banner tone={status.tone}>
      <BlockStack gap="200">
        <p>{status.text}</p>
        {status.resumable ? (
          <InlineStack>
            <Button onClick={onResume} loading={busy}>
              {resumeLabel}
            </Button>
          </InlineStack>
        ) : null}
      </BlockStack>
    </Banner>
  );
}
