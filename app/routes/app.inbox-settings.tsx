import { type ActionFunctionArgs, data, type LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Layout, Page } from "@shopify/polaris";

import { InboxSettingsForm } from "../ui/InboxSettingsForm";
import { QuickRepliesCard } from "../ui/QuickRepliesCard";
import { db } from "../core/db.server";
import { translator } from "../i18n";
import { inboxSettingsOf, saveInboxSettings, weekdayNames } from "../messaging/inbox-settings.server";
import { deleteQuickReply, findQuickReply, listQuickReplies, type QuickReplyResult, saveQuickReply } from "../messaging/quick-replies.server";
import { requireShop } from "../shopify/request.server";

// /app/inbox-settings?edit= — the inbox rules' settings (opening hours, away
// reply, response target, phone-app hold, VIP, order-status answers) and the
// quick replies; `edit` opens one of the shop's quick replies (another shop's: 404).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop, locale } = await requireShop(request);
  const url = new URL(request.url);
  const editId = url.searchParams.get("edit");
  const [quickReplies, editing] = await Promise.all([listQuickReplies(db(), shop.id), editId ? findQuickReply(db(), shop.id, editId) : null]);
  const body = { locale, settings: inboxSettingsOf(shop, locale), weekdays: weekdayNames(locale), quickReplies, editing, editNotFound: Boolean(editId && !editing) };
  return data(body, { status: body.editNotFound ? 404 : 200 });
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, locale } = await requireShop(request);
  const form = await request.formData();
  const t = translator(locale);
  const intent = form.get("intent");
  if (intent === "settings") {
    const result = await saveInboxSettings(db(), shop.id, form, t, locale);
    return data(result, { status: result.ok ? 200 : 400 });
  }
  if (intent !== "quick-reply-save" && intent !== "quick-reply-delete") return data({ ok: false, errors: { intent: t("inboxSettings.error.intent") } }, { status: 400 });
  const result: QuickReplyResult = intent === "quick-reply-delete" ? await deleteQuickReply(db(), shop.id, form.get("id"), t) : await saveQuickReply(db(), shop.id, form, t);
  return data(result, { status: result.ok ? 200 : result.notFound ? 404 : 400 });
};

export default function InboxSettingsPage() {
  const { locale, settings, weekdays, quickReplies, editing, editNotFound } = useLoaderData<typeof loader>();
  const t = translator(locale);
  return (
    <Page title={t("inboxSettings.title")}>
      <Layout>
        <Layout.Section>
          <InboxSettingsForm t={t} settings={settings} weekdays={weekdays} />
        </Layout.Section>
        <Layout.Section>
          <BlockStack gap="300">
            {editNotFound ? <Banner tone="critical">{t("quickReplies.error.notFound")}</Banner> : null}
            <QuickRepliesCard t={t} locale={locale} quickReplies={quickReplies} editing={editing} />
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
