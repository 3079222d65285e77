import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Box, Button, Card, DataTable, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { useEffect, useMemo, useRef, useState } from "react";

import { sendAutomationTest } from "../messaging/automation-test.server";
import { type PageSaveResult, saveAutomationsPage } from "../messaging/automations-page.server";
import { ensureDefaultAutomations, shopAutomations } from "../messaging/automations.server";
import { SaveBar, useSavedToast } from "../ui/AdminUi";
import { AutomationCard, type AutomationDraft, automationFields } from "../ui/AutomationCard";
import { ConnectNotice, Empty } from "../ui/EmptyStates";
import type { AutomationTestResult } from "../ui/AutomationTestForm";
import { type CodDraft, CodSettingsCard } from "../ui/CodSettingsCard";
import { MarketingConsentCard } from "../ui/MarketingConsentCard";
import { db } from "../core/db.server";
import { type Locale, type Translate, translator } from "../i18n";
import { categoryName, errorText, languageName, plural, templateStatusName, withDetail } from "../i18n/codes";
import { formatMoney, storedOrderFields } from "../shopify/orders.server";
import { appDeps } from "../services.server";
import { hasConnectedNumber } from "../messaging/setup-checklist.server";
import { requireShop } from "../shopify/request.server";
import { actingStaff } from "../shopify/staff.server";
import { parameterCount, templateBody } from "../whatsapp/template-text";
import { createLibraryTemplates, syncTemplates } from "../whatsapp/templates.server";
import { accountClient } from "../whatsapp/account.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, locale } = await requireShop(request);
  await ensureDefaultAutomations(db(), shop.id);
  const [automations, templates, order, checkout, connected] = await Promise.all([
    shopAutomations(db(), shop.id),
    db().template.findMany({ where: { shopId: shop.id }, orderBy: [{ name: "asc" }, { language: "asc" }] }),
    db().order.findFirst({ where: { shopId: shop.id }, orderBy: { createdAt: "desc" } }),
    db().checkout.findFirst({ where: { shopId: shop.id }, orderBy: { createdAt: "desc" } }),
    hasConnectedNumber(db(), shop.id),
  ]);
  const storeName = shop.name ?? shop.domain;
  // Previews use the shop's latest real order and checkout.
  const orderFields = order ? { store_name: storeName, ...storedOrderFields(order, shop.locale) } : null;
  const checkoutFields = checkout
    ? {
        store_name: storeName,
        customer_first_name: checkout.customerName ?? "",
        checkout_url: checkout.recoveryUrl ?? "",
        order_total: formatMoney(checkout.totalPrice, checkout.currency, checkout.locale ?? shop.locale),
      }
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

type ActionResult = { notice?: TemplatesNotice };
// Worded on the page, in its language; Meta's own error text only as a detail.
type TemplatesNotice = { kind: "notConnected" } | { kind: "synced"; count: number } | { kind: "created"; count: number } | { kind: "metaError"; code: number; detail: string };

export const action = async ({ request }: ActionFunctionArgs): Promise<ActionResult | PageSaveResult | AutomationTestResult> => {
  const { session, shop } = await requireShop(request);
  const form = await request.formData();
  const intent = form.get("intent");
  if (intent === "save") return saveAutomationsPage(db(), shop.id, form.get("changes"));
  if (intent === "test") {
    const staff = await actingStaff(db(), shop.id, session);
    return { test: await sendAutomationTest(appDeps(), shop.id, form.get("automationId"), staff, { phone: form.get("phone"), requestId: form.get("requestId") }) };
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
type PageDraft = { automations: Record<string, AutomationDraft>; cod: CodDraft; smsConsentCounts: boolean };

function draftOf(data: LoaderData): PageDraft {
  return {
    automations: Object.fromEntries(
      data.automations.map((a) => [
        a.trigger,
        {
          enabled: a.enabled,
          templateName: a.templateName,
          mapping: a.mapping,
          delay: String(a.delayMinutes),
          secondDelay: a.secondReminderDelayMinutes === null ? "" : String(a.secondReminderDelayMinutes),
          resume: false,
        },
      ]),
    ),
    cod: { cancelOrders: data.cod.cancelOrders, hours: String(data.cod.reminderHours) },
    smsConsentCounts: data.smsConsentCounts,
  };
}

/** What the one Save sends: only the parts that differ from what is stored, or null when nothing does. */
function changesOf(draft: PageDraft, stored: PageDraft, data: LoaderData) {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const automations = Object.fromEntries(
    data.automations.flatMap((a) => {
      const edited = draft.automations[a.trigger]!;
      const now = automationFields(edited, data.templateOptions);
      return same(now, automationFields(stored.automations[a.trigger]!, data.templateOptions)) && !edited.resume ? [] : [[a.trigger, now]];
    }),
  );
  const cod = same(draft.cod, stored.cod) ? undefined : { cancelOrders: draft.cod.cancelOrders ? "on" : "off", reminderHours: draft.cod.hours };
  const smsConsentCounts = draft.smsConsentCounts === stored.smsConsentCounts ? undefined : draft.smsConsentCounts;
  return Object.keys(automations).length || cod || smsConsentCounts !== undefined ? { automations, cod, smsConsentCounts } : null;
}

export default function Automations() {
  const data = useLoaderData<typeof loader>();
  const t = translator(data.locale);
  const templatesFetcher = useFetcher<ActionResult>();
  const save = useFetcher<PageSaveResult>();
  const stored = useMemo(() => draftOf(data), [data]);
  const [draft, setDraft] = useState(stored);
  // Discard also clears the refused save's field errors.
  const [discarded, setDiscarded] = useState<PageSaveResult | undefined>(undefined);
  const changes = changesOf(draft, stored, data);
  const answer = save.data !== discarded ? save.data : undefined;
  const errors = answer && !answer.saved ? answer.errors : {};
  const errorsOf = (part: string) => Object.fromEntries(Object.entries(errors[part] ?? {}).map(([field, e]) => [field, errorText(t, e)]));
  useSavedToast(save.data, save.data?.saved === true, t("admin.saved"));
  // Once a save is in and the page reloaded, the draft is what was stored (a draft's "05" is stored as 5).
  const taken = useRef<PageSaveResult | undefined>(undefined);
  useEffect(() => {
    if (save.state !== "idle" || !save.data?.saved || taken.current === save.data) return;
    taken.current = save.data;
    setDraft(stored);
  }, [save.state, save.data, stored]);
  const setAutomation = (trigger: string, next: AutomationDraft) => setDraft({ ...draft, automations: { ...draft.automations, [trigger]: next } });
  return (
    <Page title={t("automations.title")}>
      <SaveBar
        id="automations-save-bar"
        open={changes !== null}
        saving={save.state !== "idle"}
        onSave={() => save.submit({ intent: "save", changes: JSON.stringify(changes) }, { method: "post" })}
        onDiscard={() => {
          setDraft(stored);
          setDiscarded(save.data);
        }}
        t={t}
      />
      <Layout>
        {data.connected ? null : (
          <Layout.Section>
            <ConnectNotice t={t} text={t("empty.connect.automations")} />
          </Layout.Section>
        )}
        <Layout.Section>
          <BlockStack gap="300">
            <Text as="p">{t("automations.intro")}</Text>
            {Object.keys(errors).length ? <Banner tone="critical">{errors.PAGE ? errorText(t, errors.PAGE.changes!) : t("admin.saveBar.refused")}</Banner> : null}
          </BlockStack>
        </Layout.Section>
        {data.automations.map((automation) => (
          <Layout.Section key={automation.trigger}>
            <AutomationCard
              automation={automation}
              draft={draft.automations[automation.trigger]!}
              onChange={(next) => setAutomation(automation.trigger, next)}
              errors={errorsOf(automation.trigger)}
              options={data.templateOptions}
              subject={automation.trigger === "CHECKOUT_ABANDONED" ? data.preview.checkout : data.preview.order}
              locale={data.locale}
              connected={data.connected}
              t={t}
            />
            {automation.trigger === "CHECKOUT_ABANDONED" ? (
              <Box paddingBlockStart="300">
                <MarketingConsentCard smsCounts={draft.smsConsentCounts} onChange={(smsConsentCounts) => setDraft({ ...draft, smsConsentCounts })} t={t} />
              </Box>
            ) : null}
            {automation.trigger === "COD_CONFIRMATION" ? (
              <Box paddingBlockStart="300">
                <CodSettingsCard draft={draft.cod} onChange={(cod) => setDraft({ ...draft, cod })} error={errorsOf("COD_SETTINGS").reminderHours} t={t} />
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
                  <Button onClick={() => templatesFetcher.submit({ intent: "create-library" }, { method: "post" })} disabled={!data.connected}>
                    {t("templates.createLibrary")}
                  </Button>
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
