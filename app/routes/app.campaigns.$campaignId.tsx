import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useRevalidator } from "@remix-run/react";
import { Banner, BlockStack, Card, DataTable, InlineGrid, Page, ProgressBar, Text } from "@shopify/polaris";
import { useEffect } from "react";

import { audienceSummary } from "../campaigns/audience.server";
import { campaignEstimate, campaignOf } from "../campaigns/campaigns.server";
import { EXCLUSIONS } from "../campaigns/exclusions";
import { campaignTemplates, previewRecipient, saveCampaignMessage, scheduleInputOf, sendCampaignTest, textsFor } from "../campaigns/message.server";
import { campaignProgress, cancelCampaign, pauseCampaign, resumeCampaign, scheduleCampaign } from "../campaigns/sending.server";
import { CAMPAIGN_FIELDS, campaignMappingSchema } from "../campaigns/template-params";
import { utmSlug } from "../campaigns/utm";
import { CampaignMessageCard, type MessageActionResult } from "../ui/CampaignMessageCard";
import { CampaignSendingCard } from "../ui/CampaignSendingCard";
import { ConnectNotice } from "../ui/EmptyStates";
import { db } from "../core/db.server";
import { type MessageKey, translator } from "../i18n";
import { marketName } from "../i18n/codes";
import { formatDay } from "../ui/dates";
import { formatMicros } from "../ui/money";
import { localDay } from "../pricing/time";
import { requireShop } from "../shopify/request.server";
import { appDeps } from "../services.server";
import { hasConnectedNumber } from "../messaging/setup-checklist.server";
import { actingStaff } from "../shopify/staff.server";

// /app/campaigns/:campaignId — a draft's audience as the worker reads it (with
// progress), who would receive it and why the others would not, the cost per
// market before anything is sent, and its message (template, variables, a
// preview with a real recipient's values, a test to the merchant's number),
// when it goes, and once scheduled its controls and live progress.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop, locale } = await requireShop(request);
  const campaign = await campaignOf(db(), shop.id, params.campaignId ?? "");
  if (!campaign) throw new Response("Not found", { status: 404 });
  const audience = await audienceSummary(db(), campaign);
  const estimate = campaign.audienceStatus === "READY" ? await campaignEstimate(db(), campaign) : null;
  const [templates, recipient, connected] = await Promise.all([campaignTemplates(db(), shop.id), previewRecipient(db(), campaign, shop), hasConnectedNumber(db(), shop.id)]);
  const texts = recipient
    ? await textsFor(
        db(),
        shop.id,
        templates.map((t) => t.name),
        recipient.language,
      )
    : {};
  const mapping = campaignMappingSchema.catch([]).parse(campaign.variableMapping ?? []);
  const progress = campaign.status === "DRAFT" ? null : await campaignProgress(db(), campaign.id);
  const now = new Date();
  return {
    locale,
    connected,
    campaign: {
      id: campaign.id,
      name: campaign.name,
      status: campaign.status,
      templateName: campaign.templateName,
      mapping,
      utmCampaign: campaign.utmCampaign ?? utmSlug(campaign.name, campaign.id),
      segmentQuery: campaign.segmentId ? null : campaign.segmentQuery,
      scheduleKind: campaign.scheduleKind,
      sendAt: campaign.sendAt?.toISOString() ?? null,
      localTime: campaign.localTime,
      // Waiting only for the worker to start it: the page follows it as it does a sending one.
      due: campaign.status === "SCHEDULED" && !!campaign.sendAt && campaign.sendAt <= now,
    },
    timezone: shop.timezone,
    today: localDay(now, shop.timezone),
    progress,
    audience,
    estimate,
    message: { templates, texts, recipient, fields: CAMPAIGN_FIELDS },
  };
};

export const action = async ({ request, params }: ActionFunctionArgs): Promise<MessageActionResult> => {
  const { session, shop } = await requireShop(request);
  const campaign = await campaignOf(db(), shop.id, params.campaignId ?? "");
  if (!campaign) throw new Response("Not found", { status: 404 });
  const form = await request.formData();
  const intent = String(form.get("intent"));
  if (intent === "message")
    return {
      intent,
      ...(await saveCampaignMessage(db(), shop.id, campaign.id, { templateName: form.get("templateName"), mapping: form.getAll("mapping"), utmCampaign: form.get("utmCampaign") ?? undefined })),
    };
  if (intent === "schedule") {
    const read = scheduleInputOf(Object.fromEntries(form), shop.timezone);
    if (!read.ok) return { intent, ...read };
    const staff = await actingStaff(db(), shop.id, session);
    return { intent, ...(await scheduleCampaign(db(), shop.id, campaign.id, staff, read.input)) };
  }
  const change = { pause: pauseCampaign, resume: resumeCampaign, cancel: cancelCampaign }[intent];
  if (change) {
    const changed = await change(db(), shop.id, campaign.id);
    return changed.ok ? { intent, ok: true } : { intent, ok: false, field: "status", code: changed.code };
  }
  if (intent === "test") {
    const staff = await actingStaff(db(), shop.id, session);
    return { intent, ...(await sendCampaignTest(appDeps(), shop.id, campaign.id, staff, { phone: form.get("phone"), requestId: form.get("requestId") })) };
  }
  throw new Response("Unknown intent", { status: 400 });
};

export default function CampaignPage() {
  const { locale, connected, campaign, audience, estimate, message, timezone, today, progress } = useLoaderData<typeof loader>();
  const t = translator(locale);
  const revalidator = useRevalidator();
  const reading = audience.status === "PENDING" || audience.status === "READING";
  const live = reading || campaign.status === "SENDING" || campaign.due;
  useEffect(() => {
    if (!live) return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), 2000);
    return () => clearInterval(timer);
  }, [live, revalidator]);
  const number = new Intl.NumberFormat(locale);
  const money = (micros: number | null) => (micros === null || !estimate ? t("campaigns.estimate.unknownRate") : formatMicros(micros, estimate.currency, locale));
  return (
    <Page title={campaign.name} backAction={{ content: t("campaigns.title"), url: "/app/campaigns" }}>
      <BlockStack gap="400">
        {connected ? null : <ConnectNotice t={t} text={t("empty.connect.campaigns")} />}
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t("campaigns.audience")}
            </Text>
            {campaign.segmentQuery ? (
              <Text as="p" tone="subdued">
                {t("campaigns.segmentQuery", { query: campaign.segmentQuery })}
              </Text>
            ) : null}
            {reading ? (
              <BlockStack gap="200">
                <Text as="p">{t("campaigns.reading", { read: number.format(audience.read), total: audience.total === null ? "…" : number.format(audience.total) })}</Text>
                <ProgressBar progress={audience.total ? Math.round((audience.read / audience.total) * 100) : 0} size="small" />
              </BlockStack>
            ) : null}
            {audience.status === "FAILED" ? <Banner tone="critical">{t(`campaigns.audienceError.${audience.error ?? "SHOPIFY_UNAVAILABLE"}` as MessageKey)}</Banner> : null}
            <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
              <Text as="p" variant="headingLg">
                {t("campaigns.recipients", { count: number.format(audience.recipients) })}
              </Text>
              <BlockStack gap="100">
                {EXCLUSIONS.map((reason) => (
                  <Text as="p" key={reason} tone="subdued">
                    {t(`campaigns.excluded.${reason}` as MessageKey, { count: number.format(audience.excluded[reason]) })}
                  </Text>
                ))}
              </BlockStack>
            </InlineGrid>
          </BlockStack>
        </Card>
        {estimate ? (
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                {t("campaigns.estimate")}
              </Text>
              {estimate.unknownMarkets.length ? (
                <Banner tone="warning">{t("campaigns.estimate.unknownMarkets", { markets: estimate.unknownMarkets.map((m) => marketName(t, locale, m)).join(", ") })}</Banner>
              ) : null}
              {estimate.budget.overBudget ? (
                <Banner tone="critical">{t("campaigns.estimate.overBudget", { spent: money(estimate.budget.monthToDateMicros), budget: money(estimate.budget.budgetMicros) })}</Banner>
              ) : null}
              <DataTable
                columnContentTypes={["text", "numeric", "numeric", "numeric"]}
                headings={[t("campaigns.estimate.market"), t("campaigns.estimate.recipients"), t("campaigns.estimate.rate"), t("campaigns.estimate.cost")]}
                rows={estimate.markets.map((m) => [marketName(t, locale, m.market), number.format(m.recipients), money(m.rateMicros), money(m.costMicros)])}
                totals={["", number.format(audience.recipients), "", money(estimate.totalMicros)]}
                showTotalsInFooter
              />
              <Text as="p" tone="subdued">
                {estimate.rateCard ? t("campaigns.estimate.rateCard", { date: formatDay(estimate.rateCard, locale), currency: estimate.currency }) : t("campaigns.estimate.noRateCard")}
              </Text>
            </BlockStack>
          </Card>
        ) : null}
        <CampaignMessageCard
          locale={locale}
          editable={campaign.status === "DRAFT"}
          templateName={campaign.templateName}
          mapping={campaign.mapping}
          templates={message.templates}
          texts={message.texts}
          utmCampaign={campaign.utmCampaign}
          recipient={message.recipient}
          fields={message.fields}
          connected={connected}
        />
        <CampaignSendingCard
          locale={locale}
          campaignId={campaign.id}
          timezone={timezone}
          status={campaign.status}
          scheduleKind={campaign.scheduleKind}
          sendAt={campaign.sendAt}
          localTime={campaign.localTime}
          today={today}
          overBudget={estimate?.budget.overBudget ?? false}
          progress={progress}
          connected={connected}
        />
      </BlockStack>
    </Page>
  );
}
