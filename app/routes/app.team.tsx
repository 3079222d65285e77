import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Card, DataTable, Page, Text } from "@shopify/polaris";

import { EmptyCard } from "../ui/EmptyStates";
import { db } from "../core/db.server";
import { formatDuration } from "../ui/durations";
import { type MessageKey, type Translate, translator } from "../i18n";
import { requireShop } from "../shopify/request.server";
import { type TeamPeriod, teamReport, type TeamRow } from "../messaging/team-report.server";

// /app/team — how fast the team answers: first-response and resolution times
// (median, p90) per person and per week, handoffs, closings, the phone app's share.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, locale } = await requireShop(request);
  return { locale, report: await teamReport(db(), shop.id, new Date()) };
};

function PeriodCard({ t, locale, title, period }: { t: Translate; locale: string; title: string; period: TeamPeriod }) {
  const time = (ms: number | null) => (ms === null ? "—" : formatDuration(t, ms));
  const cells = (row: TeamRow, who: string) => [
    who,
    row.answers,
    time(row.firstResponses.median),
    time(row.firstResponses.p90),
    `${row.firstResponses.met}/${row.firstResponses.count}`,
    time(row.resolutions.median),
    time(row.resolutions.p90),
    row.closed,
  ];
  const reasons = Object.entries(period.handoffs.byReason)
    .filter(([, count]) => count)
    .map(([reason, count]) => t("team.handoffReason", { reason: t(`handoff.reason.${reason}` as MessageKey), count }));
  const share = period.phoneAppShare === null ? null : new Intl.NumberFormat(locale, { style: "percent" }).format(period.phoneAppShare);
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        {period.rows.length ? (
          <DataTable
            columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric", "numeric"]}
            headings={(["person", "answers", "firstMedian", "firstP90", "met", "resolutionMedian", "resolutionP90", "closed"] as const).map((c) => t(`team.col.${c}`))}
            rows={[...period.rows.map((row) => cells(row, row.name ?? t(`team.actor.${row.actorType}` as MessageKey))), cells(period.total, t("team.everyone"))]}
          />
        ) : (
          <Text as="p" tone="subdued">
            {t("team.empty")}
          </Text>
        )}
        <Text as="p">{[t("team.handoffs", { count: period.handoffs.total }), ...reasons].join(" · ")}</Text>
        {share ? <Text as="p">{t("team.phoneAppShare", { share })}</Text> : null}
      </BlockStack>
    </Card>
  );
}

export default function Team() {
  const { locale, report } = useLoaderData<typeof loader>();
  const t = translator(locale);
  const day = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: report.timezone });
  const weeks = report.weeks.length;
  // No one answered, closed or was handed a conversation in the whole window: one empty state, not a card of dashes per week.
  const idle = report.window.rows.length === 0 && report.window.handoffs.total === 0;
  return (
    <Page title={t("team.title")} backAction={{ content: t("conversations.title"), url: "/app/conversations" }}>
      <BlockStack gap="400">
        <Card>
          <BlockStack gap="200">
            <Text as="p" variant="headingSm">
              {t("team.target", { minutes: report.targetMinutes })}
            </Text>
            {idle ? null : <Text as="p">{t("team.met", { met: report.window.total.firstResponses.met, count: report.window.total.firstResponses.count, weeks })}</Text>}
            <Text as="p" tone="subdued">
              {t("team.hint")}
            </Text>
          </BlockStack>
        </Card>
        {report.truncated ? <Banner tone="warning">{t("team.truncated")}</Banner> : null}
        {idle ? (
          <EmptyCard heading={t("empty.team.heading")} action={{ content: t("empty.team.action"), url: "/app/conversations" }}>
            {t("empty.team.body")}
          </EmptyCard>
        ) : (
          <>
            <PeriodCard t={t} locale={locale} title={t("team.window", { weeks })} period={report.window} />
            {report.weeks.map((week) => (
              <PeriodCard key={week.start} t={t} locale={locale} title={t("team.week", { date: day.format(new Date(week.start)) })} period={week} />
            ))}
          </>
        )}
      </BlockStack>
    </Page>
  );
}
