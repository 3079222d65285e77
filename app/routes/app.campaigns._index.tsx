import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { redirect } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, ChoiceList, FormLayout, IndexTable, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";

import { campaignList, createDraft, savedSegments } from "../campaigns/campaigns.server";
import { campaignTemplates } from "../campaigns/message.server";
import { type MessageKey, translator } from "../i18n";
import { requireShop } from "../shopify/request.server";
import { ConnectNotice, Empty } from "../ui/EmptyStates";
import { db } from "../core/db.server";
import { log } from "../core/log.server";
import { hasConnectedNumber } from "../messaging/setup-checklist.server";
import { adminGraphql, remixTransport } from "../shopify/admin/graphql.server";
import { actingStaff } from "../shopify/staff.server";

// /app/campaigns — the shop's campaigns and a new draft: a name, the audience
// (a saved Shopify segment, or filters) and an approved marketing template.
async function segmentsOf(admin: Parameters<typeof remixTransport>[0], shop: string) {
  try {
    return await savedSegments(adminGraphql(remixTransport(admin), { shop }));
  } catch (error) {
    log.warn({ shop, err: error }, "Could not list the shop's customer segments");
    return [];
  }
}

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { admin, session, shop, locale } = await requireShop(request);
  const [campaigns, segments, templates, connected] = await Promise.all([
    campaignList(db(), shop.id),
    segmentsOf(admin, session.shop),
    campaignTemplates(db(), shop.id),
    hasConnectedNumber(db(), shop.id),
  ]);
  return { locale, timezone: shop.timezone, connected, campaigns: campaigns.map((c) => ({ ...c, createdAt: c.createdAt.toISOString() })), segments, templates: templates.map((t) => t.name) };
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { admin, session, shop } = await requireShop(request);
  const form = Object.fromEntries(await request.formData());
  const staff = await actingStaff(db(), shop.id, session);
  const segments = form.audience === "segment" ? await segmentsOf(admin, session.shop) : [];
  const created = await createDraft(db(), shop.id, staff, form, segments);
  if (!created.ok) return { field: created.field };
  const url = new URL(request.url);
  return redirect(`/app/campaigns/${created.id}${url.search}`);
};

export default function Campaigns() {
  const { locale, timezone, connected, campaigns, segments, templates } = useLoaderData<typeof loader>();
  const error = useActionData<typeof action>();
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
