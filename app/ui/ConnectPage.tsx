import { useNavigation, useSubmit } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, InlineGrid, InlineStack, Layout, List, Modal, Page, Text } from "@shopify/polaris";
import { useState } from "react";

import { AccountNotices } from "./AccountNotices";
import { type SignupSettings, type SignupStatus, useEmbeddedSignup } from "../whatsapp/embedded-signup-hook";
import { type Locale, type Translate, translator } from "../i18n";
import { storedReasonText } from "../i18n/codes";
import type { getConnection } from "../whatsapp/account.server";
import type { getParkedSignup } from "../whatsapp/signup-parked.server";

/** What the connect route's loader hands the page: the connection and how to open Meta's signup. */
export interface ConnectData {
  locale: Locale;
  connection: Awaited<ReturnType<typeof getConnection>>;
  /** A signup the redirect fallback finished, waiting for a staff member here. */
  parked: Awaited<ReturnType<typeof getParkedSignup>>;
  timezone: string;
  inactivityDays: number;
  signup: SignupSettings & { dialogCloud: string; dialogCoexistence: string };
}

export function ConnectPage({ data }: { data: ConnectData }) {
  const { locale, connection, parked, timezone, inactivityDays, signup } = data;
  const t = translator(locale);
  const navigation = useNavigation();
  const submit = useSubmit();
  const [confirming, setConfirming] = useState(false);
  const { status, busy, launch, retry, resume, confirmParked, discardParked } = useEmbeddedSignup(signup, t, locale);

  const connected = connection.state === "CONNECTED";
  const inProgress = !["CONNECTED", "NOT_CONNECTED", "DISCONNECTED"].includes(connection.state);
  // What just happened wins; otherwise an unfinished onboarding offers to resume.
  // The stored reason in the merchant's words, as on the home page (never the code or the state itself).
  const stopped = connection.onboardingError ? storedReasonText(t, locale, connection.onboardingError, "code.unknown") : t("code.unknown");
  const shownStatus: SignupStatus = status ?? (inProgress ? { tone: "warning", text: t("health.incomplete", { detail: stopped }), action: "resume" } : null);
  return (
    <Page title={t("connect.title")}>
      <Layout>
        {shownStatus ? (
          <Layout.Section>
            <StatusBanner status={shownStatus} t={t} busy={busy} onResume={resume} onRetry={retry} />
          </Layout.Section>
        ) : null}
        {parked ? (
          <Layout.Section>
            <Banner
              tone="warning"
              title={t("connect.parked.heading")}
              action={{ content: t("connect.parked.confirm"), onAction: confirmParked, loading: busy }}
              secondaryAction={{ content: t("connect.parked.discard"), onAction: discardParked }}
            >
              <BlockStack gap="200">
                <Text as="p" variant="headingMd">
                  <span data-testid="parked-number">{parked.displayPhoneNumber}</span>
                  {parked.verifiedName ? ` · ${parked.verifiedName}` : ""}
                </Text>
                <p>{t("connect.parked.text")}</p>
                {connected && connection.displayPhoneNumber ? <p>{t("connect.parked.replaces", { number: connection.displayPhoneNumber })}</p> : null}
              </BlockStack>
            </Banner>
          </Layout.Section>
        ) : null}
        <AccountNotices notices={connection.notices} t={t} locale={locale} timezone={timezone} />
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
                <InlineStack>
                  <Button tone="critical" onClick={() => setConfirming(true)}>
                    {t("connect.disconnect.button")}
                  </Button>
                </InlineStack>
                <Modal
                  open={confirming}
                  onClose={() => setConfirming(false)}
                  title={t("confirm.disconnect.title")}
                  primaryAction={{
                    content: t("connect.disconnect.button"),
                    destructive: true,
                    loading: navigation.state === "submitting",
                    onAction: () => submit({ intent: "disconnect" }, { method: "post" }),
                  }}
                  secondaryActions={[{ content: t("confirm.cancel"), onAction: () => setConfirming(false) }]}
                >
                  <Modal.Section>
                    <BlockStack gap="200">
                      <Text as="p">{t("confirm.disconnect.text")}</Text>
                      <List>
                        <List.Item>{t("confirm.disconnect.automations")}</List.Item>
                        <List.Item>{t("confirm.disconnect.replies")}</List.Item>
                        <List.Item>{t("confirm.disconnect.kept")}</List.Item>
                      </List>
                    </BlockStack>
                  </Modal.Section>
                </Modal>
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

function StatusBanner({ status, t, busy, onResume, onRetry }: { status: NonNullable<SignupStatus>; t: Translate; busy: boolean; onResume: () => void; onRetry: () => void }) {
  return (
    <Banner tone={status.tone}>
      <BlockStack gap="200">
        <p data-testid="signup-status">{status.text}</p>
        {status.action ? (
          <InlineStack>
            <Button onClick={status.action === "resume" ? onResume : onRetry} loading={busy}>
              {t(status.action === "resume" ? "connect.resume" : "connect.retry")}
            </Button>
          </InlineStack>
        ) : null}
      </BlockStack>
    </Banner>
  );
}
