import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import { Banner, BlockStack, Button, InlineStack, Layout, Page, Text } from "@shopify/polaris";
import { useState } from "react";

import { type ConsentDialog, ConsentDialogs } from "../ui/ConsentDialogs";
import { MessageBubble, ReplyBox, useLiveThread } from "../ui/ThreadParts";
import { staffOptBackIn } from "../messaging/consent.server";
import { db } from "../core/db.server";
import { type MessageKey, translator } from "../i18n";
import { optedOutText } from "../i18n/codes";
import { quickRepliesFor } from "../messaging/quick-replies.server";
import { replyPreviews } from "../messaging/reply-previews.server";
import { replyInputOf, requestIdOf, sendStaffReply } from "../messaging/replies.server";
import { appDeps } from "../services.server";
import { requireShop } from "../shopify/request.server";
import { actingStaff } from "../shopify/staff.server";
import { loadThreadPage, markOrderHandled, optOutOrderCustomer, orderContactId, shopifyOrderIdOf, threadCursorSchema } from "../messaging/threads.server";

// /app/orders/:orderId?before= — the full WhatsApp conversation of one order
// (the order-page block links here): the newest messages, and with `before`
// also the page before that cursor. A cursor that is not one shows the newest.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop, locale } = await requireShop(request);
  const url = new URL(request.url);
  const cursor = threadCursorSchema.safeParse({ before: url.searchParams.get("before") ?? undefined });
  const page = await loadThreadPage(db(), shop.id, shopifyOrderIdOf(params.orderId ?? ""), cursor.success ? cursor.data.before : undefined);
  const target = page.thread ? { shopifyOrderId: page.thread.order.shopifyOrderId } : null;
  const quickReplies = target ? await quickRepliesFor(db(), shop, target) : [];
  const previews = target ? await replyPreviews(db(), shop.id, target, page.templates) : {};
  return { locale, timezone: shop.timezone, ...page, quickReplies, previews };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, shop } = await requireShop(request);
  const form = await request.formData();
  const shopifyOrderId = shopifyOrderIdOf(params.orderId ?? "");
  const requestId = requestIdOf(form);
  if (!shopifyOrderId || !requestId) return { ok: false as const, field: "order", code: "reload" };
  const staff = await actingStaff(db(), shop.id, session);
  if (form.get("intent") === "handled") {
    await markOrderHandled(db(), shop.id, shopifyOrderId, staff);
    return { ok: true as const, status: "HANDLED" };
  }
  if (form.get("intent") === "opt-out") {
    const done = await optOutOrderCustomer(db(), shop.id, shopifyOrderId, staff);
    return done ? { ok: true as const, status: "OPTED_OUT" } : { ok: false as const, field: "order", code: "noContact" };
  }
  if (form.get("intent") === "opt-in") {
    const contactId = await orderContactId(db(), shop.id, shopifyOrderId);
    const result = contactId ? await staffOptBackIn(db(), shop.id, contactId, staff, String(form.get("reason") ?? "")) : null;
    if (!result) throw new Response("Not found", { status: 404 });
    return result.ok ? { ok: true as const, status: "OPTED_IN" } : { ok: false as const, field: result.field, code: result.code };
  }
  return sendStaffReply(appDeps(), shop.id, { shopifyOrderId }, staff, replyInputOf(form), requestId);
};

const COD_TONE: Record<string, "success" | "critical" | "warning" | "info"> = { CONFIRMED: "success", CANCELLED: "critical", NO_ANSWER: "warning", ASKED: "info" };

export default function OrderThreadPage() {
  const { locale, timezone, thread, window: serviceWindow, templates, optedOut, quickReplies, previews } = useLoaderData<typeof loader>();
  const quick = useFetcher<typeof action>();
  const [dialog, setDialog] = useState<ConsentDialog | null>(null);
  const t = translator(locale);
  const { showEarlier, loading } = useLiveThread();
  const when = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: timezone });
  if (!thread) {
    return (
      <Page title={t("thread.title", { order: "" })}>
        <Text as="p">{t("thread.notFound")}</Text>
      </Page>
    );
  }
  const { earlierCursor } = thread;
  return (
    <Page
      title={t("thread.title", { order: thread.order.name })}
      subtitle={[thread.order.customerName, thread.order.phone].filter(Boolean).join(" · ")}
      secondaryActions={[
        { content: t("thread.handled"), onAction: () => quick.submit({ intent: "handled", requestId: crypto.randomUUID() }, { method: "post" }) },
        ...(optedOut === null ? [{ content: t("thread.optOut"), destructive: true, onAction: () => setDialog("opt-out") }] : []),
      ]}
    >
      <Layout>
        {optedOut !== null ? (
          <Layout.Section>
            <Banner tone="warning" action={{ content: t("confirm.optIn.button"), onAction: () => setDialog("opt-in") }}>
              {optedOutText(t, optedOut)}
            </Banner>
          </Layout.Section>
        ) : null}
        {dialog ? <ConsentDialogs t={t} open={dialog} onClose={() => setDialog(null)} /> : null}
        {thread.cod ? (
          <Layout.Section>
            <Banner tone={COD_TONE[thread.cod.status] ?? "info"} title={t("thread.cod.title")}>
              {t(`thread.cod.${thread.cod.status}` as MessageKey)}
              {thread.cod.status !== "ASKED" ? ` ${t(thread.cod.writtenToShopify ? "thread.cod.tagged" : "thread.cod.tagPending")}` : ""}
            </Banner>
          </Layout.Section>
        ) : null}
        {quick.data?.ok && quick.data.status === "HANDLED" ? (
          <Layout.Section>
            <Banner tone="success">{t("thread.handledDone")}</Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <BlockStack gap="300">
            {thread.messages.length === 0 ? <Text as="p">{t("thread.empty")}</Text> : null}
            {earlierCursor ? (
              <InlineStack align="center">
                <Button onClick={() => showEarlier(earlierCursor)} loading={loading}>
                  {t("thread.earlier")}
                </Button>
              </InlineStack>
            ) : null}
            {thread.messages.map((m) => (
              <MessageBubble key={m.id} m={m} t={t} locale={locale} when={when} />
            ))}
          </BlockStack>
        </Layout.Section>
        <Layout.Section>
          <ReplyBox locale={locale} window={serviceWindow} templates={templates} previews={previews} quickReplies={quickReplies} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}
