import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, Checkbox, DataTable, InlineGrid, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";

import { sendAutomationTest } from "../messaging/automation-test.server";
import { automationFormSchema, ensureDefaultAutomations, saveAutomation } from "../messaging/automations.server";
import { codSettingsSchema, saveCodSettings } from "../messaging/cod.server";
import { saveConsentSettings } from "../messaging/consent.server";
import { AutomationTestForm, type AutomationTestResult } from "../ui/AutomationTestForm";
import { CodSettingsCard } from "../ui/CodSettingsCard";
import { ConnectNotice, Empty } from "../ui/EmptyStates";
import { MarketingConsentCard } from "../ui/MarketingConsentCard";
import { db } from "../core/db.server";
import { MAPPABLE_FIELDS } from "../core/domain";
import { type Locale, type MessageKey, type Translate, translator } from "../i18n";
import { categoryName, errorText, languageName, plural, storedReasonText, templateStatusName, withDetail } from "../i18n/codes";
import { requireShop } from "../shopify/request.server";
import { formatMoney, storedOrderFields } from "../shopify/orders.server";
import { appDeps } from "../services.server";
import { hasConnectedNumber } from "../messaging/setup-checklist.server";
import { actingStaff } from "../shopify/staff.server";
import { parameterCount, renderPreview, templateBody } from "../whatsapp/template-text";
import { createLibraryTemplates, syncTemplates } from "../whatsapp/templates.server";
import { accountClient } from "../whatsapp/account.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, locale } = await requireShop(request);
  await ensureDefaultAutomations(db(), shop.id);
  const [automations, templates, order, checkout, connected] = await Promise.all([
    db().automation.findMany({ where: { shopId: shop.id }, orderBy: { createdAt: "asc" } }),
    db().template.findMany({ where: { shopId: shop.id }, orderBy: [{ name: "asc" }, { language: "asc" }] }),
    db().order.findFirst({ where: { shopId: shop.id }, orderBy: { createdAt: "desc" } }),
    db().checkout.findFirst({ where: { shopId: shop.id }, orderBy: { createdAt: "desc" } }),
    hasConnectedNumber(db(), shop.id),
  ]);
  const storeName = shop.name ?? shop.domain;
  // Previews use the shop's latest real order and checkout.
  const orderFields = order ? { store_name: storeName, ...storedOrderFields(order, shop.locale) } : null;
  const checkoutFields = checkout
    ? { store_name: storeName, customer_first_name: checkout.customerName ?? "", checkout_url: checkout.recoveryUrl ?? "", order_total: formatMoney(checkout.totalPrice, checkout.currency, checkout.locale ?? shop.locale) }
    : null;
  const byName = new Map<string, { name: string; category: string; body: string; parameters: number; approved: boolean }>();
  for (const t of templates) {
    const body = templateBody(t.components);
    const entry = byName.get(t.name) ?? { name: t.name, category: t.category, body, parameters: parameterCount(body), approved: false };
    if (t.language.startsWith(locale.slice(0, 2))) entry.body = body;
    entry.approved ||= t.status === "APPROVED";
    byName.set(t.name, entry);
  }
  return {
    locale,
    connected,
    cod: { cancelOrders: shop.codCancelOrders, reminderHours: shop.codReminderHours },
    smsConsentCounts: shop.smsConsentCountsForWhatsApp,
    automations: automations.map((a) => ({
      id: a.id,
      trigger: a.trigger,
      enabled: a.enabled,
      templateName: a.templateName,
      mapping: Array.isArray(a.variableMapping) ? (a.variableMapping as string[]) : [],
      delayMinutes: a.delayMinutes,
      secondReminderDelayMinutes: a.secondReminderDelayMinutes,
      pausedReason: a.pausedReason,
    })),
    templateOptions: [...byName.values()],
    templateRows: templates.map((t) => [t.name, t.language, t.category, t.status] as const),
    preview: {
      order: orderFields ? { label: order!.name, fields: orderFields } : null,
      checkout: checkoutFields ? { label: checkout!.customerName ?? checkout!.shopifyCheckoutId, fields: checkoutFields } : null,
    },
  };
};

type FieldError = { key: string; params: Record<string, string> };
type ActionResult = { trigger?: string; saved?: boolean; errors?: Record<string, string | FieldError>; notice?: TemplatesNotice };
// Worded on the page, in its language; Meta's own error text only as a detail.
type TemplatesNotice = { kind: "notConnected" } | { kind: "synced"; count: number } | { kind: "created"; count: number } | { kind: "metaError"; code: number; detail: string };

export const action = async ({ request }: ActionFunctionArgs): Promise<ActionResult | AutomationTestResult> => {
  const { session, shop, locale } = await requireShop(request);
  const form = await request.formData();
  const intent = form.get("intent");
  const t = translator(locale);
  if (intent === "consent-settings") {
    await saveConsentSettings(db(), shop.id, { smsConsentCounts: form.get("smsConsentCounts") === "on" });
    return { trigger: "CONSENT_SETTINGS", saved: true };
  }
  if (intent === "cod-settings") {
    const parsed = codSettingsSchema.safeParse({ cancelOrders: form.get("cancelOrders"), reminderHours: form.get("reminderHours") });
    if (!parsed.success) return { trigger: "COD_SETTINGS", errors: { [String(parsed.error.issues[0]?.path[0] ?? "reminderHours")]: t("cod.settings.hoursError") } };
    await saveCodSettings(db(), shop.id, parsed.data);
    return { trigger: "COD_SETTINGS", saved: true };
  }
  if (intent === "test") {
    const staff = await actingStaff(db(), shop.id, session);
    return { test: await sendAutomationTest(appDeps(), shop.id, form.get("automationId"), staff, { phone: form.get("phone"), requestId: form.get("requestId") }) };
  }
  if (intent === "save") {
    const parsed = automationFormSchema.safeParse({
      trigger: form.get("trigger"),
      enabled: form.get("enabled"),
      templateName: form.get("templateName"),
      mapping: form.getAll("mapping"),
      delayMinutes: form.get("delayMinutes"),
      secondReminderDelayMinutes: form.get("secondReminderDelayMinutes"),
    });
    const trigger = String(form.get("trigger"));
    if (!parsed.success) {
      return { trigger, errors: Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), { key: `automationError.${i.message}`, params: {} }])) };
    }
    const saved = await saveAutomation(db(), shop.id, parsed.data);
    return saved.ok ? { trigger, saved: true } : { trigger, errors: { [saved.field]: { key: `automationError.${saved.code}`, params: saved.params } } };
  }
  const account = await accountClient(appDeps(), shop.id);
  if (!account) return { notice: { kind: "notConnected" } };
  if (intent === "create-library") {
    const created = await createLibraryTemplates(account.client, account.wabaId);
    if (!created.ok) return { notice: { kind: "metaError", code: created.error.code, detail: created.error.message } };
    await syncTemplates(db(), shop.id, account.client, account.wabaId);
    return { notice: { kind: "created", count: created.created } };
  }
  const synced = await syncTemplates(db(), shop.id, account.client, account.wabaId);
  return { notice: synced.ok ? { kind: "synced", count: synced.count } : { kind: "metaError", code: synced.error.code, detail: synced.error.message } };
};

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

function AutomationCard({ automation, data }: { automation: LoaderData["automations"][number]; data: LoaderData }) {
  const t = translator(data.locale);
  const fetcher = useFetcher<ActionResult>();
  const [enabled, setEnabled] = useState(automation.enabled);
  const [templateName, setTemplateName] = useState(automation.templateName);
  const [mapping, setMapping] = useState<string[]>(automation.mapping);
  const [delay, setDelay] = useState(String(automation.delayMinutes));
  const [secondDelay, setSecondDelay] = useState(automation.secondReminderDelayMinutes === null ? "" : String(automation.secondReminderDelayMinutes));
  const template = data.templateOptions.find((o) => o.name === templateName);
  const variables = Array.from({ length: template?.parameters ?? 0 }, (_, i) => mapping[i] ?? "");
  const subject = automation.trigger === "CHECKOUT_ABANDONED" ? data.preview.checkout : data.preview.order;
  const errors = Object.fromEntries(Object.entries(fetcher.data?.errors ?? {}).map(([field, e]) => [field, typeof e === "string" ? e : errorText(t, e)]));
  const fieldOptions = MAPPABLE_FIELDS.map((field) => ({ value: field, label: t(`automations.field.${field}` as MessageKey) }));
  return (
    <Card>
      <fetcher.Form method="post">
        <input type="hidden" name="intent" value="save" />
        <input type="hidden" name="trigger" value={automation.trigger} />
        <input type="hidden" name="enabled" value={enabled ? "on" : "off"} />
        {variables.map((field, i) => (
          <input key={i} type="hidden" name="mapping" value={field} />
        ))}
        <BlockStack gap="300">
          <InlineStack align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">
              {t(`automations.trigger.${automation.trigger}` as MessageKey)}
            </Text>
            {template ? <Badge tone={template.category === "MARKETING" ? "attention" : "info"}>{categoryName(t, template.category)}</Badge> : null}
          </InlineStack>
          {automation.pausedReason ? <Banner tone="warning">{t("automations.paused", { reason: storedReasonText(t, data.locale, automation.pausedReason, "code.unknown") })}</Banner> : null}
          <Checkbox label={t("automations.enabled")} checked={enabled} onChange={setEnabled} />
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
            <Select
              label={t("automations.template")}
              name="templateName"
              options={data.templateOptions.map((o) => ({ value: o.name, label: `${o.name} (${categoryName(t, o.category)})` }))}
              value={templateName}
              onChange={(value) => {
                setTemplateName(value);
                setMapping([]);
              }}
              error={errors.templateName}
            />
            <TextField
              label={t("automations.delay")}
              name="delayMinutes"
              type="number"
              autoComplete="off"
              value={delay}
              onChange={setDelay}
              helpText={automation.trigger === "CHECKOUT_ABANDONED" ? t("automations.delayHelp") : undefined}
              error={errors.delayMinutes}
            />
            {automation.trigger === "CHECKOUT_ABANDONED" ? (
              <TextField
                label={t("automations.secondReminder")}
                name="secondReminderDelayMinutes"
                type="number"
                autoComplete="off"
                value={secondDelay}
                onChange={setSecondDelay}
                error={errors.secondReminderDelayMinutes}
              />
            ) : null}
            {variables.map((field, i) => (
              <Select
                key={i}
                label={t("automations.variable", { n: i + 1 })}
                options={[{ value: "", label: "—" }, ...fieldOptions]}
                value={field}
                onChange={(value) => setMapping(variables.map((f, j) => (j === i ? value : f)))}
                error={i === 0 ? errors.mapping : undefined}
              />
            ))}
          </InlineGrid>
          {template && !template.approved ? <Banner tone="warning">{t("automations.notApproved")}</Banner> : null}
          <Box background="bg-surface-secondary" padding="300" borderRadius="200">
            <BlockStack gap="100">
              <Text as="p" variant="bodySm" tone="subdued">
                {subject ? t("automations.preview", { subject: subject.label }) : t("automations.previewNone")}
              </Text>
              <Text as="p">
                <span data-testid={`preview-${automation.trigger}`}>{renderPreview(template?.body ?? "", variables, subject?.fields ?? {})}</span>
              </Text>
            </BlockStack>
          </Box>
          <InlineStack gap="300" blockAlign="center">
            <Button submit variant="primary" loading={fetcher.state !== "idle"}>
              {t("automations.save")}
            </Button>
            {fetcher.data?.saved && fetcher.state === "idle" ? (
              <Text as="span" tone="success">
                {t("automations.saved")}
              </Text>
            ) : null}
          </InlineStack>
        </BlockStack>
      </fetcher.Form>
      <Box paddingBlockStart="400">
        <AutomationTestForm automationId={automation.id} connected={data.connected} t={t} />
      </Box>
    </Card>
  );
}

export default function Automations() {
  const data = useLoaderData<typeof loader>();
  const t = translator(data.locale);
  const templatesFetcher = useFetcher<ActionResult>();
  return (
    <Page title={t("automations.title")}>
      <Layout>
        {data.connected ? null : (
          <Layout.Section>
            <ConnectNotice t={t} text={t("empty.connect.automations")} />
          </Layout.Section>
        )}
        <Layout.Section>
          <Text as="p">{t("automations.intro")}</Text>
        </Layout.Section>
        {data.automations.map((automation) => (
          <Layout.Section key={automation.trigger}>
            <AutomationCard automation={automation} data={data} />
            {automation.trigger === "CHECKOUT_ABANDONED" ? (
              <Box paddingBlockStart="300">
                <MarketingConsentCard smsCounts={data.smsConsentCounts} t={t} />
              </Box>
            ) : null}
            {automation.trigger === "COD_CONFIRMATION" ? (
              <Box paddingBlockStart="300">
                <CodSettingsCard settings={data.cod} t={t} />
              </Box>
            ) : null}
          </Layout.Section>
        ))}
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between" blockAlign="center">
                <Text as="h2" variant="headingMd">
                  {t("templates.title")}
                </Text>
                <InlineStack gap="200">
                  <Button onClick={() => templatesFetcher.submit({ intent: "sync" }, { method: "post" })} disabled={!data.connected} loading={templatesFetcher.state !== "idle"}>
                    {t("templates.sync")}
                  </Button>
                  <Button onClick={() => templatesFetcher.submit({ intent: "create-library" }, { method: "post" })} disabled={!data.connected}>{t("templates.createLibrary")}</Button>
                </InlineStack>
              </InlineStack>
              {templatesFetcher.data?.notice ? <TemplatesBanner notice={templatesFetcher.data.notice} t={t} locale={data.locale} /> : null}
              {data.templateOptions.some((o) => o.approved) ? null : <Empty heading={t("empty.templates.heading")}>{t(data.connected ? "empty.templates.body" : "empty.connect.disabled")}</Empty>}
              <DataTable
                columnContentTypes={["text", "text", "text", "text"]}
                headings={[t("templates.name"), t("templates.language"), t("templates.category"), t("templates.status")]}
                rows={data.templateRows.map(([name, language, category, status]) => [name, languageName(data.locale, language), categoryName(t, category), templateStatusName(t, status)])}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function TemplatesBanner({ notice, t, locale }: { notice: TemplatesNotice; t: Translate; locale: Locale }) {
  if (notice.kind === "synced" || notice.kind === "created") return <Banner tone="success">{plural(t, locale, `templates.${notice.kind}`, notice.count)}</Banner>;
  if (notice.kind === "notConnected") return <Banner tone="critical">{t("templates.notConnected")}</Banner>;
  return <Banner tone="critical">{withDetail(t, { text: t("code.META_ERROR", { code: notice.code }), detail: notice.detail })}</Banner>;
}
