import { Form, useActionData, useNavigate, useNavigation, useRevalidator } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, ButtonGroup, Card, DataTable, InlineGrid, InlineStack, Layout, Page, ProgressBar, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";

import { CostBreakdown, costCell } from "./CostBreakdown";
import { CostChart } from "./CostChart";
import { CostReturns } from "./CostReturns";
import { CostSummary } from "./CostSummary";
import { ConnectNotice, EmptyCard } from "./EmptyStates";
import { RateCardCard } from "./RateCardCard";
import { formatDay } from "./dates";
import { useSavedToast } from "./AdminUi";
import { formatMicros } from "./money";
import { type Locale, type MessageKey, translator } from "../i18n";
import { errorText, marketName, plural } from "../i18n/codes";
import type { LostRate } from "../pricing/rate-card-upload.server";
import type { rateCardList } from "../pricing/rate-cards.server";
import type { CostReport } from "../pricing/report.server";
import { daysEnding } from "../pricing/time";

const PRESETS = [7, 30, 90] as const;

/** What the costs route's loader hands the page. */
export interface CostsData {
  locale: Locale;
  today: string;
  periodError: { field: "from" | "to"; message: string } | null;
  report: CostReport;
  rateCards: Awaited<ReturnType<typeof rateCardList>>;
  connected: boolean;
}

type CostsError = { ok: false; field: string; message: { key: string; params: Record<string, string>; detail?: string | null } };

/** The costs route's action answer, per form (`field` names what was refused). */
export type CostsResult =
  | { intent: "budget"; ok: true }
  | { intent: "rate-card"; ok: true; lostRates: LostRate[] }
  | { intent: "reconcile"; ok: true; days: number }
  | ({ intent: "budget" | "rate-card" | "reconcile" } & CostsError);

export function CostsPage({ data }: { data: CostsData }) {
  const { locale, today, periodError, report, rateCards, connected } = data;
  const result = useActionData<CostsResult>();
  const navigation = useNavigation();
  const revalidator = useRevalidator();
  const navigate = useNavigate();
  const t = translator(locale);
  const money = (micros: number) => formatMicros(micros, report.currency, locale);
  const { totals, period } = report;
  const [from, setFrom] = useState(period.from);
  const [to, setTo] = useState(period.to);
  const [budget, setBudget] = useState(report.budget.budgetMicros === null ? "" : String(report.budget.budgetMicros / 1_000_000));
  const [exporting, setExporting] = useState(false);
  const recomputing = rateCards.find((c) => c.recompute);

  // A preset or a link changes the period without remounting the page: the fields follow it.
  useEffect(() => {
    setFrom(period.from);
    setTo(period.to);
  }, [period.from, period.to]);

  // A rate card upload recomputes costs in the background: follow its progress.
  useEffect(() => {
    if (!recomputing) return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), 2000);
    return () => clearInterval(timer);
  }, [recomputing, revalidator]);

  const preset = (days: number) => `?${new URLSearchParams(daysEnding(today, days))}`;
  const download = async () => {
    setExporting(true);
    try {
      const response = await fetch(`/app/costs/export?${new URLSearchParams({ from: period.from, to: period.to })}`);
      const url = URL.createObjectURL(await response.blob());
      const link = Object.assign(document.createElement("a"), { href: url, download: `whatsapp-costs-${period.from}-${period.to}.csv` });
      link.click();
      URL.revokeObjectURL(url);
    } finally {
      setExporting(false);
    }
  };
  const periodErrorText = periodError ? errorText(t, { key: `costsError.${periodError.message}`, params: {} }) : undefined;
  const errorFor = (field: string) => (result && !result.ok && "field" in result && result.field === field ? errorText(t, result.message) : undefined);
  const categoryLabel = (key: string) => t(`costs.category.${key}` as MessageKey);
  const cost = (row: { costMicros: number; unknownRate: number }) => costCell(t, locale, money, row);
  // Nothing went out in the period: one empty state instead of a chart and tables of zeros.
  // Nothing to show: no send, no failure, nothing priced, and no figures from Meta (phone-app traffic has only those).
  const quiet = totals.sent === 0 && totals.failed === 0 && totals.charged + totals.unknownRate + totals.free === 0 && report.meta.byCategory.length === 0;
  const saved = (intent: string) => (result?.ok && result.intent === intent ? result : undefined);
  const uploaded = saved("rate-card");
  useSavedToast(result, saved("budget") !== undefined, t("costs.budget.saved"));
  const metaFor = (category: string) => report.meta.byCategory.find((m) => m.category === category);
  const automationLabel = (key: string) => (key === "STAFF" ? t("costs.automation.STAFF") : t(`automations.trigger.${key}` as MessageKey));
  const busy = navigation.state === "submitting";
  const reconciledAt = (at: string) => t("costs.meta.reconciledAt", { at: new Date(at).toLocaleString(locale, { timeZone: report.timeZone, dateStyle: "medium", timeStyle: "short" }) });
  const reconcileForm = (
    <Form method="post">
      <input type="hidden" name="intent" value="reconcile" />
      <input type="hidden" name="from" value={period.from} />
      <input type="hidden" name="to" value={period.to} />
      <Button submit disabled={!connected} loading={busy && navigation.formData?.get("intent") === "reconcile"}>
        {t("costs.meta.pull")}
      </Button>
    </Form>
  );

  return (
    <Page title={t("costs.title")} subtitle={t("costs.subtitle", { from: formatDay(period.from, locale), to: formatDay(period.to, locale), currency: report.currency })}>
      <BlockStack gap="400">
        {connected ? null : <ConnectNotice t={t} text={t("empty.connect.costs")} />}
        {report.budget.state === "over" || report.budget.state === "warning" ? (
          <Banner tone={report.budget.state === "over" ? "critical" : "warning"} title={t(`costs.budget.${report.budget.state}`)}>
            <p>{t("costs.budget.used", { spent: money(report.budget.monthToDateMicros), budget: money(report.budget.budgetMicros ?? 0), percent: report.budget.usedPercent ?? 0 })}</p>
          </Banner>
        ) : null}
        {periodError ? (
          <Banner tone="critical" title={t("costs.periodError")}>
            <p>{t("costs.fieldError", { field: t(`costs.${periodError.field}`), message: periodErrorText ?? "" })}</p>
          </Banner>
        ) : null}
        {recomputing?.recompute ? (
          <Banner tone="info" title={t("costs.recomputing", { done: recomputing.recompute.done, total: recomputing.recompute.total })}>
            <ProgressBar progress={recomputing.recompute.total ? (recomputing.recompute.done / recomputing.recompute.total) * 100 : 0} size="small" />
          </Banner>
        ) : null}
        {result?.ok && result.intent === "reconcile" ? <Banner tone="success" title={plural(t, locale, "costs.meta.pulled", "days" in result ? result.days : 0)} /> : null}
        {errorFor("reconcile") ? (
          <Banner tone="critical" title={t("costs.meta.failed")}>
            <p>{errorFor("reconcile")}</p>
          </Banner>
        ) : null}

        <Card>
          <InlineStack gap="400" align="space-between" blockAlign="end">
            <ButtonGroup variant="segmented">
              {PRESETS.map((days) => {
                const p = daysEnding(today, days);
                return (
                  // A button, not a link: Polaris shows `pressed` (and aria-pressed) on buttons only.
                  <Button key={days} onClick={() => navigate(preset(days))} pressed={p.from === period.from && p.to === period.to}>
                    {t("costs.lastDays", { days })}
                  </Button>
                );
              })}
            </ButtonGroup>
            <Form method="get">
              <InlineStack gap="200" blockAlign="end">
                <TextField
                  label={t("costs.from")}
                  type="date"
                  name="from"
                  value={from}
                  onChange={setFrom}
                  autoComplete="off"
                  error={periodError?.field === "from" ? periodErrorText : errorFor("from")}
                />
                <TextField label={t("costs.to")} type="date" name="to" value={to} onChange={setTo} autoComplete="off" error={periodError?.field === "to" ? periodErrorText : errorFor("to")} />
                <Button submit>{t("costs.apply")}</Button>
              </InlineStack>
            </Form>
            <Button onClick={download} loading={exporting}>
              {t("costs.export")}
            </Button>
          </InlineStack>
        </Card>

        {quiet ? (
          <>
            <EmptyCard
              heading={t("empty.costs.heading", { from: formatDay(period.from, locale), to: formatDay(period.to, locale) })}
              action={{ content: t("empty.costs.automations"), url: "/app/automations" }}
              secondaryAction={{ content: t("empty.costs.longer"), url: preset(90) }}
            >
              {t("empty.costs.body")}
            </EmptyCard>
            <Card>
              <InlineStack align="space-between" blockAlign="center" gap="300">
                <Text as="p" tone="subdued">
                  {report.meta.reconciledAt ? reconciledAt(report.meta.reconciledAt) : t("costs.meta.never")}
                </Text>
                {reconcileForm}
              </InlineStack>
            </Card>
          </>
        ) : (
          <>
            <CostSummary t={t} locale={locale} money={money} report={report} />

            <Card>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  {t("costs.byDay")}
                </Text>
                <CostChart days={report.byDay} categories={report.byCategory.map((c) => ({ key: c.key, label: categoryLabel(c.key) }))} currency={report.currency} locale={locale} />
              </BlockStack>
            </Card>

            <Layout>
              <Layout.Section>
                <Card padding="0">
                  <Box padding="400">
                    <InlineStack align="space-between" blockAlign="center">
                      <Text as="h2" variant="headingMd">
                        {t("costs.byCategory")}
                      </Text>
                      {reconcileForm}
                    </InlineStack>
                    <Text as="p" tone="subdued">
                      {report.meta.reconciledAt ? reconciledAt(report.meta.reconciledAt) : t("costs.meta.never")}
                    </Text>
                  </Box>
                  <DataTable
                    columnContentTypes={["text", "numeric", "numeric", "numeric", "numeric", "numeric"]}
                    headings={[t("costs.col.category"), t("costs.col.paid"), t("costs.col.free"), t("costs.col.estimate"), t("costs.col.meta"), t("costs.col.difference")]}
                    rows={report.byCategory.map((c) => {
                      const meta = metaFor(c.key);
                      return [
                        categoryLabel(c.key),
                        c.charged + c.unknownRate,
                        c.free,
                        cost(c),
                        meta && meta.costMicros !== null ? money(meta.costMicros) : "—",
                        meta && meta.costMicros !== null && c.unknownRate === 0 ? money(c.costMicros - meta.costMicros) : "—",
                      ];
                    })}
                    totals={[
                      "",
                      totals.charged + totals.unknownRate,
                      totals.free,
                      cost(totals),
                      report.meta.totalMicros === null ? "—" : money(report.meta.totalMicros),
                      report.meta.totalMicros === null || totals.unknownRate ? "—" : money(totals.costMicros - report.meta.totalMicros),
                    ]}
                    showTotalsInFooter
                  />
                </Card>
              </Layout.Section>
            </Layout>

            <InlineGrid columns={{ xs: 1, md: 3 }} gap="400">
              <CostBreakdown title={t("costs.byMarket")} rows={report.byMarket} label={(k) => marketName(t, locale, k)} cost={cost} t={t} locale={locale} />
              <CostBreakdown title={t("costs.byTemplate")} rows={report.byTemplate} label={(k) => k} cost={cost} t={t} locale={locale} />
              <CostBreakdown title={t("costs.byAutomation")} rows={report.byAutomation} label={automationLabel} cost={cost} t={t} locale={locale} />
            </InlineGrid>

            <CostReturns t={t} locale={locale} money={money} report={report} />
          </>
        )}

        <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
          <Card>
            <Form method="post">
              <input type="hidden" name="intent" value="budget" />
              <BlockStack gap="200">
                <Text as="h2" variant="headingMd">
                  {t("costs.budget.title")}
                </Text>
                <TextField
                  label={t("costs.budget.label", { currency: report.currency })}
                  name="budget"
                  value={budget}
                  onChange={setBudget}
                  autoComplete="off"
                  inputMode="decimal"
                  helpText={t("costs.budget.help", { spent: money(report.budget.monthToDateMicros) })}
                  error={errorFor("budget")}
                />
                <InlineStack gap="300" blockAlign="center">
                  <Button submit loading={busy && navigation.formData?.get("intent") === "budget"}>
                    {t("costs.save")}
                  </Button>
                </InlineStack>
              </BlockStack>
            </Form>
          </Card>
          <RateCardCard
            t={t}
            locale={locale}
            currency={report.currency}
            cards={rateCards}
            uploaded={uploaded && "lostRates" in uploaded ? uploaded : undefined}
            errorFor={errorFor}
            busy={busy && navigation.formData?.get("intent") === "rate-card"}
          />
        </InlineGrid>
      </BlockStack>
    </Page>
  );
}
