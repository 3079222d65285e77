import { useFetcher } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, DataTable, InlineGrid, InlineStack, Layout, Page, Text } from "@shopify/polaris";

import { AccountNotices } from "./AccountNotices";
import { BackfillCard } from "./BackfillCard";
import { EmptyCard } from "./EmptyStates";
import { SetupChecklist } from "./SetupChecklist";
import type { codOutcomes } from "../messaging/cod.server";
import type { openDataRequests } from "../shopify/data-requests.server";
import type { unconfirmedSends } from "../messaging/send-recovery.server";
import { type Locale, type MessageKey, translator } from "../i18n";
import { messageProblem, messagingLimitName, plural, qualityName, storedReasonText, withDetail } from "../i18n/codes";
import type { outgoingStats, recentProblems } from "../messaging/outgoing-summary.server";
import type { backfillProgress } from "../shopify/admin/backfill.server";
import type { setupChecklist } from "../messaging/setup-checklist.server";
import type { deadReceipts } from "../jobs/webhook-receipts.server";
import type { connectionHealth, getConnection } from "../whatsapp/account.server";
import type { getParkedSignup } from "../whatsapp/signup-parked.server";

type Loaded<F extends (...args: never[]) => unknown> = Awaited<ReturnType<F>>;

/** What the home route's loader hands the page. */
export interface HomeData {
  shopName: string;
  locale: Locale;
  sandbox: boolean;
  connection: Loaded<typeof getConnection>;
  /** A number a redirect link's signup left waiting for a staff member's confirmation (connect page). */
  parked: Loaded<typeof getParkedSignup>;
  health: ReturnType<typeof connectionHealth>;
  stats: Loaded<typeof outgoingStats>;
  approvedTemplates: number;
  problems: Loaded<typeof recentProblems>;
  dead: Loaded<typeof deadReceipts>;
  unconfirmed: Loaded<typeof unconfirmedSends>;
  backfill: Loaded<typeof backfillProgress>;
  cod: Loaded<typeof codOutcomes>;
  dataRequests: Loaded<typeof openDataRequests>;
  setup: Loaded<typeof setupChecklist>;
  timezone: string;
}

/** The home route's action answer: a retried delivery or a decided send (`field` names bad input). */
export interface HomeDecision {
  ok: boolean;
  intent?: "retry-receipt" | "resend" | "drop";
  field?: string;
}

export function HomePage({ data }: { data: HomeData }) {
  const { shopName, locale, sandbox, connection, parked, health, stats, approvedTemplates, problems, dead, unconfirmed, backfill, cod, dataRequests, setup, timezone } = data;
  const decision = useFetcher<HomeDecision>();
  const decide = (intent: "retry-receipt" | "resend" | "drop", id: string) => decision.submit({ intent, id }, { method: "post" });
  const when = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short", timeZone: timezone });
  const t = translator(locale);
  const count = new Intl.NumberFormat(locale);
  const connected = connection.state === "CONNECTED";
  const stateBadge = connected ? (
    <Badge tone="success">{t("home.connection.connected")}</Badge>
  ) : connection.state === "DISCONNECTED" ? (
    <Badge tone="critical">{t("home.connection.disconnected")}</Badge>
  ) : connection.state === "NOT_CONNECTED" ? null : (
    <Badge tone="attention">{t("home.connection.inProgress")}</Badge>
  );
  const row = (label: string, value: string | null) => (
    <InlineStack align="space-between" blockAlign="center">
      <Text as="span" tone="subdued">
        {label}
      </Text>
      <Text as="span">{value ?? t("home.connection.unknown")}</Text>
    </InlineStack>
  );
  return (
    <Page title={t("home.title", { shop: shopName })}>
      <Layout>
        {sandbox ? (
          <Layout.Section>
            <Banner tone="info">{t("home.sandbox")}</Banner>
          </Layout.Section>
        ) : null}
        {setup.next ? (
          <Layout.Section>
            <SetupChecklist checklist={setup} t={t} />
          </Layout.Section>
        ) : null}
        {parked ? (
          <Layout.Section>
            <Banner tone="warning" action={{ content: t("home.parked.action"), url: "/app/connect" }}>
              {t("home.parked", { number: parked.displayPhoneNumber })}
            </Banner>
          </Layout.Section>
        ) : null}
        <AccountNotices notices={connection.notices} t={t} locale={locale} timezone={timezone} connectUrl="/app/connect" />
        {health.level !== "ok" && health.reason !== "DISCONNECTED" ? (
          <Layout.Section>
            <Banner tone={health.level} action={{ content: t("health.reconnect"), url: "/app/connect" }}>
              {health.reason === "ONBOARDING_INCOMPLETE"
                ? t("health.incomplete", { detail: health.detail ? storedReasonText(t, locale, health.detail, "code.unknown") : t("code.unknown") })
                : t(health.reason === "PHONE_APP_INACTIVE" ? "health.inactive" : "health.inactiveSoon", { days: health.idleDays, limit: health.limitDays })}
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  {t("home.connection.heading")}
                </Text>
                {stateBadge}
              </InlineStack>
              {connection.state === "NOT_CONNECTED" ? (
                <BlockStack gap="200">
                  <Text as="p">{t("home.connection.notConnected")}</Text>
                  <InlineStack>
                    <Button variant="primary" url="/app/connect">
                      {t("home.connection.connectButton")}
                    </Button>
                  </InlineStack>
                </BlockStack>
              ) : (
                <BlockStack gap="200">
                  {row(t("home.connection.number"), connection.displayPhoneNumber)}
                  {row(t("home.connection.name"), connection.verifiedName)}
                  {row(t("home.connection.mode"), connection.coexistence ? t("home.connection.coexistence") : t("home.connection.cloudOnly"))}
                  {row(t("home.connection.quality"), qualityName(t, connection.qualityRating))}
                  {row(t("home.connection.limit"), messagingLimitName(t, locale, connection.messagingLimitTier))}
                </BlockStack>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        {backfill ? (
          <Layout.Section>
            <BackfillCard backfill={backfill} t={t} format={(n) => count.format(n)} />
          </Layout.Section>
        ) : null}
        <Layout.Section>
          {stats.total === 0 ? (
            <EmptyCard
              heading={t("empty.home.heading")}
              action={{ content: t("empty.home.automations"), url: "/app/automations" }}
              secondaryAction={{ content: t("empty.home.campaigns"), url: "/app/campaigns" }}
            >
              {t("empty.home.body")}
            </EmptyCard>
          ) : (
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("home.activity.heading")}
                </Text>
                <InlineGrid columns={{ xs: 2, md: 5 }} gap="400">
                  <Stat label={t("home.activity.templates")} value={count.format(approvedTemplates)} />
                  <Stat label={t("home.activity.messages")} value={count.format(stats.total)} />
                  <Stat label={t("home.activity.delivered")} value={count.format(stats.delivered)} />
                  <Stat label={t("home.activity.failed")} value={count.format(stats.failed)} />
                  <Stat label={t("home.activity.skipped")} value={count.format(stats.skipped)} />
                </InlineGrid>
              </BlockStack>
            </Card>
          )}
        </Layout.Section>
        {cod.asked > 0 ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("home.cod.heading")}
                </Text>
                <InlineGrid columns={{ xs: 2, md: 4 }} gap="400">
                  <Stat label={t("home.cod.asked")} value={count.format(cod.asked)} />
                  {(["confirmed", "cancelled", "noAnswer"] as const).map((outcome) => (
                    <Stat
                      key={outcome}
                      label={t(`home.cod.${outcome}`)}
                      value={count.format(cod[outcome])}
                      detail={new Intl.NumberFormat(locale, { style: "percent" }).format(cod[outcome] / cod.asked)}
                    />
                  ))}
                </InlineGrid>
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        {dataRequests.length > 0 ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("home.dataRequests.heading")}
                </Text>
                <Text as="p">{t("home.dataRequests.intro")}</Text>
                <DataTable
                  columnContentTypes={["text", "text", "text", "text"]}
                  headings={[t("home.dataRequests.when"), t("home.dataRequests.customer"), t("home.dataRequests.downloaded"), ""]}
                  rows={dataRequests.map((r) => [
                    when.format(new Date(r.requestedAt)),
                    r.shopifyCustomerId,
                    r.downloadedAt ? when.format(new Date(r.downloadedAt)) : "—",
                    <Button key={r.id} onClick={() => void downloadDataRequest(r.id, r.shopifyCustomerId)}>
                      {t("home.dataRequests.download")}
                    </Button>,
                  ])}
                />
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        {decision.data ? (
          <Layout.Section>
            <Banner tone={decision.data.ok ? "success" : "warning"}>
              {!decision.data.ok ? t("home.unconfirmed.gone") : decision.data.intent === "retry-receipt" ? t("home.dead.retried") : t("home.unconfirmed.done")}
            </Banner>
          </Layout.Section>
        ) : null}
        {unconfirmed.total > 0 ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("home.unconfirmed.heading")}
                </Text>
                <Text as="p">{plural(t, locale, "home.unconfirmed.intro", unconfirmed.total)}</Text>
                <DataTable
                  columnContentTypes={["text", "text", "text", "text"]}
                  headings={[t("home.unconfirmed.since"), t("home.problems.subject"), t("home.problems.template"), ""]}
                  rows={unconfirmed.rows.map((m) => [
                    when.format(new Date(m.since)),
                    m.subject ?? "",
                    m.template ?? "",
                    <InlineStack key={m.id} gap="200">
                      <Button onClick={() => decide("resend", m.id)}>{t("home.unconfirmed.resend")}</Button>
                      <Button variant="plain" onClick={() => decide("drop", m.id)}>
                        {t("home.unconfirmed.drop")}
                      </Button>
                    </InlineStack>,
                  ])}
                />
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        {dead.total > 0 ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("home.dead.heading")}
                </Text>
                <Text as="p">{plural(t, locale, "home.dead.intro", dead.total)}</Text>
                <DataTable
                  columnContentTypes={["text", "text", "numeric", "text", "text"]}
                  headings={[t("home.dead.when"), t("home.dead.topic"), t("home.dead.attempts"), t("home.problems.reason"), ""]}
                  rows={dead.rows.map((r) => [
                    when.format(new Date(r.receivedAt)),
                    `${r.source === "SHOPIFY" ? "Shopify" : "WhatsApp"} · ${r.topic}`,
                    r.attempts,
                    // The error is the app's own diagnostic (for whoever fixes the cause): a detail under a sentence.
                    withDetail(t, { text: t("code.notProcessed"), detail: r.error }),
                    <Button key={r.id} onClick={() => decide("retry-receipt", r.id)}>
                      {t("home.dead.retry")}
                    </Button>,
                  ])}
                />
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
        {problems.length > 0 ? (
          <Layout.Section>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("home.problems.heading")}
                </Text>
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text"]}
                  headings={[t("home.problems.when"), t("home.problems.subject"), t("home.problems.template"), t("home.problems.status"), t("home.problems.reason")]}
                  rows={problems.map((p) => [
                    when.format(new Date(p.at)),
                    p.order ?? (p.checkoutId ? t("home.problems.checkout", { id: p.checkoutId }) : (p.phone ?? "")),
                    p.template ?? "",
                    t(`home.problems.status.${p.status}` as MessageKey),
                    withDetail(t, messageProblem(t, locale, p) ?? { text: t("code.other"), detail: null }),
                  ])}
                />
              </BlockStack>
            </Card>
          </Layout.Section>
        ) : null}
      </Layout>
    </Page>
  );
}

/** Fetched inside the app (App Bridge adds the session token), then saved: a new tab would carry no session. */
async function downloadDataRequest(id: string, customerId: string) {
  const response = await fetch(`/app/data-requests/${id}`);
  if (!response.ok) return;
  const url = URL.createObjectURL(await response.blob());
  Object.assign(document.createElement("a"), { href: url, download: `customer-${customerId}-data.json` }).click();
  URL.revokeObjectURL(url);
}

function Stat({ label, value, detail }: { label: string; value: string; detail?: string }) {
  return (
    <BlockStack gap="100">
      <Text as="span" tone="subdued">
        {label}
      </Text>
      <Text as="p" variant="headingLg">
        {value}
      </Text>
      {detail ? (
        <Text as="span" tone="subdued">
          {detail}
        </Text>
      ) : null}
    </BlockStack>
  );
}
