import { Form, Link, useActionData, useNavigation } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, ChoiceList, FormLayout, IndexTable, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";

import type { campaignList, savedSegments } from "../campaigns/campaigns.server";
import { type Locale, type MessageKey, translator } from "../i18n";
import { ConnectNotice, Empty } from "./EmptyStates";

/** What the campaigns route's loader hands the page (dates as ISO strings). */
export interface CampaignsData {
  locale: Locale;
  timezone: string;
  connected: boolean;
  campaigns: (Omit<Awaited<ReturnType<typeof campaignList>>[number], "createdAt"> & { createdAt: string })[];
  segments: Awaited<ReturnType<typeof savedSegments>>;
  templates: string[];
}

/** The campaigns route's action answer when a new draft is refused: the field at fault. */
export interface CampaignDraftRefusal {
  field: string;
}

export function CampaignsPage({ data }: { data: CampaignsData }) {
  const { locale, timezone, connected, campaigns, segments, templates } = data;
  const error = useActionData<CampaignDraftRefusal>();
  const busy = useNavigation().state !== "idle";
  const t = translator(locale);
  const [audience, setAudience] = useState<string[]>([segments.length ? "segment" : "filters"]);
  const [fields, setFields] = useState<Record<string, string>>({ segmentId: segments[0]?.id ?? "", templateName: "" });
  const set = (name: string) => (value: string) => setFields((f) => ({ ...f, [name]: value }));
  const errorFor = (name: string) => (error?.field === name ? t(`campaigns.error.${name}` as MessageKey) : undefined);
  const when = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: timezone });
  return (
    <Page title={t("campaigns.title")}>
      <BlockStack gap="400">
        {connected ? null : <ConnectNotice t={t} text={t("empty.connect.campaigns")} />}
        <Card>
          <Form method="post">
            <FormLayout>
              <Text as="h2" variant="headingMd">
                {t("campaigns.new")}
              </Text>
              <TextField label={t("campaigns.name")} name="name" value={fields.name ?? ""} onChange={set("name")} autoComplete="off" error={errorFor("name")} />
              <ChoiceList
                title={t("campaigns.audience")}
                name="audience"
                choices={[
                  { label: t("campaigns.audience.segment"), value: "segment", disabled: !segments.length },
                  { label: t("campaigns.audience.filters"), value: "filters" },
                ]}
                selected={audience}
                onChange={setAudience}
              />
              {audience[0] === "segment" ? (
                <Select
                  label={t("campaigns.segment")}
                  name="segmentId"
                  options={segments.map((s) => ({ label: s.name, value: s.id }))}
                  value={fields.segmentId}
                  onChange={set("segmentId")}
                  error={errorFor("segmentId")}
                />
              ) : (
                <FormLayout.Group>
                  <TextField
                    label={t("campaigns.filter.country")}
                    name="country"
                    value={fields.country ?? ""}
                    onChange={set("country")}
                    autoComplete="off"
                    helpText={t("campaigns.filter.countryHelp")}
                    error={errorFor("country")}
                  />
                  <TextField label={t("campaigns.filter.tag")} name="tag" value={fields.tag ?? ""} onChange={set("tag")} autoComplete="off" error={errorFor("tag")} />
                  <TextField
                    label={t("campaigns.filter.minOrders")}
                    name="minOrders"
                    inputMode="numeric"
                    value={fields.minOrders ?? ""}
                    onChange={set("minOrders")}
                    autoComplete="off"
                    error={errorFor("minOrders")}
                  />
                  <TextField
                    label={t("campaigns.filter.minSpent")}
                    name="minSpent"
                    inputMode="decimal"
                    value={fields.minSpent ?? ""}
                    onChange={set("minSpent")}
                    autoComplete="off"
                    error={errorFor("minSpent")}
                  />
                  <TextField
                    label={t("campaigns.filter.orderedWithinDays")}
                    name="orderedWithinDays"
                    inputMode="numeric"
                    value={fields.orderedWithinDays ?? ""}
                    onChange={set("orderedWithinDays")}
                    autoComplete="off"
                    error={errorFor("orderedWithinDays")}
                  />
                </FormLayout.Group>
              )}
              <Select
                label={t("campaigns.template")}
                name="templateName"
                options={[{ label: t("campaigns.template.later"), value: "" }, ...templates.map((name) => ({ label: name, value: name }))]}
                value={fields.templateName}
                onChange={set("templateName")}
                error={errorFor("templateName")}
              />
              {templates.length ? null : (
                <Banner tone="info" action={{ content: t("empty.campaigns.templates"), url: "/app/automations" }}>
                  {t("empty.campaigns.noTemplate")}
                </Banner>
              )}
              <Button submit variant="primary" loading={busy}>
                {t("campaigns.create")}
              </Button>
            </FormLayout>
          </Form>
        </Card>
        <Card padding="0">
          {campaigns.length ? (
            <IndexTable
              resourceName={{ singular: t("campaigns.one"), plural: t("campaigns.many") }}
              itemCount={campaigns.length}
              selectable={false}
              headings={[{ title: t("campaigns.name") }, { title: t("campaigns.audience") }, { title: t("campaigns.created") }]}
            >
              {campaigns.map((c, i) => (
                <IndexTable.Row id={c.id} key={c.id} position={i}>
                  <IndexTable.Cell>
                    <Link to={`/app/campaigns/${c.id}`}>{c.name}</Link>
                  </IndexTable.Cell>
                  <IndexTable.Cell>
                    <Badge tone={c.audienceStatus === "READY" ? "success" : c.audienceStatus === "FAILED" ? "critical" : "info"}>
                      {t(`campaigns.audienceStatus.${c.audienceStatus}` as MessageKey)}
                    </Badge>
                  </IndexTable.Cell>
                  <IndexTable.Cell>{when.format(new Date(c.createdAt))}</IndexTable.Cell>
                </IndexTable.Row>
              ))}
            </IndexTable>
          ) : (
            <Empty heading={t("empty.campaigns.heading")}>{t("empty.campaigns.body")}</Empty>
          )}
        </Card>
      </BlockStack>
    </Page>
  );
}
