import { Banner, BlockStack, Button, Card, DataTable, InlineGrid, Page, Text } from "@shopify/polaris";
import { useState } from "react";

import type { campaignResults } from "../campaigns/results.server";
import { EmptyCard } from "./EmptyStates";
import { type Locale, type MessageKey, translator } from "../i18n";
import { marketName, messageProblem, plural, withDetail } from "../i18n/codes";
import { formatMicros } from "./money";

/** What the campaign results route's loader hands the page. */
export interface CampaignResultsData {
  locale: Locale;
  timeZone: string;
  campaign: { id: string; name: string };
  results: Awaited<ReturnType<typeof campaignResults>>;
}

const COUNTS = ["messages", "sent", "delivered", "read", "replied", "optedOut", "failed", "skipped"] as const;

export function CampaignResultsPage({ data }: { data: CampaignResultsData }) {
  const { locale, timeZone, campaign, results } = data;
  const t = translator(locale);
  const [exporting, setExporting] = useState(false);
  const number = new Intl.NumberFormat(locale);
  const ratio = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone });
  const { cost } = results;
  const estimated = (micros: number | null) => (micros === null || !cost.estimateCurrency ? t("campaignResults.cost.none") : formatMicros(micros, cost.estimateCurrency, locale));
  const unknownRate = cost.markets.reduce((sum, m) => sum + m.unknownRate, 0);
  const meaning = (f: { code: number | null; explained: boolean; title: string | null }) =>
    f.explained ? t(`campaignResults.errorCode.${f.code}` as MessageKey) : withDetail(t, messageProblem(t, locale, { errorTitle: f.title, errorCode: f.code }) ?? { text: "", detail: null });
  const download = async () => {
    setExporting(true);
    try {
      const response = await fetch(`/app/campaigns/${campaign.id}/results.csv`);
      const url = URL.createObjectURL(await response.blob());
      Object.assign(document.createElement("a"), { href: url, download: `campaign-${campaign.id}-results.csv` }).click();
      URL.revokeObjectURL(url);
    } finally {
      setExporting(false);
    }
  };

  return (
    <Page
      title={t("campaignResults.title", { name: campaign.name })}
      backAction={{ content: campaign.name, url: `/app/campaigns/${campaign.id}` }}
      primaryAction={
        <Button onClick={download} loading={exporting}>
          {t("campaignResults.export")}
        </Button>
      }
    >
      <BlockStack gap="400">
        {results.counts.messages === 0 ? (
          <EmptyCard heading={t("empty.results.heading")} action={{ content: t("empty.results.action"), url: `/app/campaigns/${campaign.id}` }}>
            {t("empty.results.body")}
          </EmptyCard>
        ) : (
          <>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("campaignResults.reach")}
                </Text>
                <InlineGrid columns={{ xs: 2, md: 4 }} gap="300">
                  {COUNTS.map((key) => (
                    <BlockStack gap="100" key={key}>
                      <Text as="p" tone="subdued">
                        {t(`campaignResults.count.${key}`)}
                      </Text>
                      <Text as="p" variant="headingLg">
                        {number.format(results.counts[key])}
                      </Text>
                    </BlockStack>
                  ))}
                </InlineGrid>
                <Text as="p" tone="subdued">
                  {t("campaignResults.optOutNote", { days: number.format(results.attributionDays) })}
                </Text>
              </BlockStack>
            </Card>
            {results.failures.length ? (
              <Card>
                <BlockStack gap="300">
                  <Text as="h2" variant="headingMd">
                    {t("campaignResults.failures")}
                  </Text>
                  <DataTable
                    columnContentTypes={["text", "text", "numeric"]}
                    headings={[t("campaignResults.failures.code"), t("campaignResults.failures.meaning"), t("campaignResults.failures.count")]}
                    rows={results.failures.map((f) => [f.code === null ? t("campaignResults.failures.noCode") : String(f.code), meaning(f), number.format(f.count)])}
                  />
                </BlockStack>
              </Card>
            ) : null}
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("campaignResults.cost")}
                </Text>
                {cost.estimateMicros === null ? <Banner tone="info">{t("campaignResults.cost.noEstimate")}</Banner> : null}
                {unknownRate ? <Banner tone="warning">{plural(t, locale, "campaignResults.cost.unknownRate", unknownRate)}</Banner> : null}
                <DataTable
                  columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric"]}
                  headings={[
                    t("campaignResults.cost.market"),
                    t("campaignResults.cost.estimatedRecipients"),
                    t("campaignResults.cost.estimate"),
                    t("campaignResults.cost.delivered"),
                    t("campaignResults.cost.actual"),
                  ]}
                  rows={cost.markets.map((m) => [
                    marketName(t, locale, m.market),
                    m.estimatedRecipients === null ? t("campaignResults.cost.none") : number.format(m.estimatedRecipients),
                    estimated(m.estimateMicros),
                    number.format(m.delivered),
                    // Delivered only where the rate card has no rate: unknown, never free.
                    m.unknownRate > 0 && m.actualMicros === 0 ? t("campaigns.estimate.unknownRate") : formatMicros(m.actualMicros, cost.currency, locale),
                  ])}
                  totals={["", "", estimated(cost.estimateMicros), number.format(results.counts.delivered), formatMicros(cost.actualMicros, cost.currency, locale)]}
                  totalsName={{ singular: t("campaignResults.cost.total"), plural: t("campaignResults.cost.total") }}
                  showTotalsInFooter
                />
                <Text as="p" tone="subdued">
                  {t("campaignResults.cost.note", { currency: cost.currency })}
                </Text>
              </BlockStack>
            </Card>
            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("campaignResults.revenue")}
                </Text>
                <Text as="p" tone="subdued">
                  {results.utmCampaign
                    ? t("campaignResults.revenue.window", { days: number.format(results.attributionDays), utm: results.utmCampaign })
                    : t("campaignResults.revenue.windowNoUtm", { days: number.format(results.attributionDays) })}
                </Text>
                {results.revenue.length === 0 ? (
                  <Text as="p">{t("campaignResults.revenue.none")}</Text>
                ) : (
                  <DataTable
                    columnContentTypes={["text", "numeric", "numeric", "text"]}
                    headings={[t("campaignResults.revenue.currency"), t("campaignResults.revenue.orders"), t("campaignResults.revenue.amount"), t("campaignResults.revenue.perSpend")]}
                    rows={results.revenue.map((line) => [
                      line.currency,
                      number.format(line.orders),
                      formatMicros(line.revenueMicros, line.currency, locale),
                      line.perSpend === null
                        ? t(`campaignResults.revenue.${line.perSpendMissing ?? "NO_SPEND"}`, { currency: cost.currency })
                        : t("campaignResults.revenue.perSpendValue", {
                            ratio: ratio.format(line.perSpend),
                            revenue: formatMicros(line.revenueMicros, line.currency, locale),
                            spend: formatMicros(cost.actualMicros, cost.currency, locale),
                          }),
                    ])}
                  />
                )}
                {results.orders.length ? (
                  <DataTable
                    columnContentTypes={["text", "text", "numeric", "text"]}
                    headings={[t("campaignResults.orders.order"), t("campaignResults.orders.placed"), t("campaignResults.orders.total"), t("campaignResults.orders.via")]}
                    rows={results.orders.map((o) => [o.name, date.format(new Date(o.placedAt)), formatMicros(o.totalMicros, o.currency, locale), t(`campaignResults.via.${o.via}`)])}
                  />
                ) : null}
              </BlockStack>
            </Card>
          </>
        )}
      </BlockStack>
    </Page>
  );
}
