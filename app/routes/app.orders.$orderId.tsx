import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigation, useRevalidator, useSearchParams } from "@remix-run/react";
import { Badge, Banner, BlockStack, Box, Button, Card, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";

import { MessageContentView } from "../components/MessageContentView";
import { db } from "../db.server";
import { type MessageKey, resolveLocale, translator } from "../i18n";
import { formatMicros } from "../money";
import { sendStaffReply } from "../replies.server";
import { signupDeps } from "../services.server";
import { ensureShop } from "../shops.server";
import { authenticate } from "../shopify.server";
import { actingStaff } from "../staff.server";
import { loadThreadPage, markThreadHandled, optOutOrderCustomer, shopifyOrderIdOf, threadCursorSchema } from "../threads.server";

/** New statuses and replies appear without a reload: the page re-reads its loader this often while visible. */
const REFRESH_MS = 10_000;

// /app/orders/:orderId?before= — the full WhatsApp conversation of one order
// (the order-page block links here): the newest messages, and with `before`
// also the page before that cursor. A cursor that is not one shows the newest.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await ensureShop(db(), session.shop);
  const url = new URL(request.url);
  const cursor = threadCursorSchema.safeParse({ before: url.searchParams.get("before") ?? undefined });
  const page = await loadThreadPage(db(), shop.id, shopifyOrderIdOf(params.orderId ?? ""), cursor.success ? cursor.data.before : undefined);
  return { locale: resolveLocale(url.searchParams.get("locale") ?? shop.locale), timezone: shop.timezone, ...page };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await ensureShop(db(), session.shop);
  const form = await request.formData();
  const shopifyOrderId = shopifyOrderIdOf(params.orderId ?? "");
  const requestId = String(form.get("requestId") ?? "");
  if (!shopifyOrderId || !/^[\w-]{8,64}$/.test(requestId)) return { ok: false as const, field: "order", reason: "Reload the page and try again" };
  const staff = await actingStaff(db(), shop.id, session);
  if (form.get("intent") === "handled") {
    await markThreadHandled(db(), shop.id, shopifyOrderId, staff);
    return { ok: true as const, status: "HANDLED" };
  }
  if (form.get("intent") === "opt-out") {
    const done = await optOutOrderCustomer(db(), shop.id, shopifyOrderId, staff);
    return done ? { ok: true as const, status: "OPTED_OUT" } : { ok: false as const, field: "order", reason: "This order has no WhatsApp contact" };
  }
  const input = form.get("intent") === "template" ? { kind: "template" as const, templateName: String(form.get("templateName") ?? "") } : { kind: "text" as const, text: String(form.get("text") ?? "") };
  return sendStaffReply(signupDeps(), shop.id, shopifyOrderId, staff, input, requestId);
};

const TONE: Record<string, "success" | "critical" | "info" | "warning" | undefined> = {
  READ: "success",
  DELIVERED: "success",
  FAILED: "critical",
  SKIPPED: "warning",
  CANCELLED: "warning",
  RECEIVED: "info",
};

const COD_TONE: Record<string, "success" | "critical" | "warning" | "info"> = { CONFIRMED: "success", CANCELLED: "critical", NO_ANSWER: "warning", ASKED: "info" };

export default function OrderThreadPage() {
  const { locale, timezone, thread, window: serviceWindow, templates, optedOut } = useLoaderData<typeof loader>();
  const quick = useFetcher<typeof action>();
  const quickAction = (intent: "handled" | "opt-out") => quick.submit({ intent, requestId: crypto.randomUUID() }, { method: "post" });
  const t = translator(locale);
  const [, setSearchParams] = useSearchParams();
  const navigation = useNavigation();
  const showEarlier = (cursor: string) =>
    setSearchParams(
      (current) => {
        current.set("before", cursor);
        return current;
      },
      { preventScrollReset: true },
    );
  const revalidator = useRevalidator();
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && revalidator.state === "idle") revalidator.revalidate();
    }, REFRESH_MS);
    return () => clearInterval(timer);
  }, [revalidator]);
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
        { content: t("thread.handled"), onAction: () => quickAction("handled") },
        ...(optedOut === null ? [{ content: t("thread.optOut"), destructive: true, onAction: () => quickAction("opt-out") }] : []),
      ]}
    >
      <Layout>
        {optedOut !== null ? (
          <Layout.Section>
            <Banner tone="warning">{t("thread.optedOut", { source: optedOut })}</Banner>
          </Layout.Section>
        ) : null}
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
                <Button onClick={() => showEarlier(earlierCursor)} loading={navigation.state === "loading"}>
                  {t("thread.earlier")}
                </Button>
              </InlineStack>
            ) : null}
            {thread.messages.map((m) => (
              <InlineStack key={m.id} align={m.direction === "IN" ? "start" : "end"}>
                <Box maxWidth="70%">
                  <Card background={m.direction === "IN" ? "bg-surface" : "bg-surface-success"}>
                    <BlockStack gap="100">
                      <InlineStack gap="200" blockAlign="center">
                        <Text as="span" variant="bodySm" fontWeight="semibold">
                          {t(`thread.source.${m.source}` as MessageKey)}
                          {m.staffName ? ` · ${m.staffName}` : ""}
                        </Text>
                        {m.templateName ? (
                          <Text as="span" variant="bodySm" tone="subdued">
                            {t("thread.template", { name: m.templateName })}
                          </Text>
                        ) : null}
                      </InlineStack>
                      <MessageContentView m={m} t={t} locale={locale} />
                      {m.error ? (
                        <Text as="p" tone="critical" variant="bodySm">
                          {m.error}
                        </Text>
                      ) : null}
                      <InlineStack gap="200" blockAlign="center">
                        <Text as="span" variant="bodySm" tone="subdued">
                          {when.format(new Date(m.occurredAt))}
                        </Text>
                        {m.direction === "OUT" ? <Badge tone={TONE[m.status]}>{t(`thread.status.${m.status}` as MessageKey)}</Badge> : null}
                        {m.pricingCategory ? <Badge>{m.pricingCategory}</Badge> : null}
                        {m.costMicros !== null && m.currency ? (
                          <Text as="span" variant="bodySm" tone="subdued">
                            {formatMicros(m.costMicros, m.currency, locale)}
                          </Text>
                        ) : null}
                      </InlineStack>
                    </BlockStack>
                  </Card>
                </Box>
              </InlineStack>
            ))}
          </BlockStack>
        </Layout.Section>
        <Layout.Section>
          <ReplyBox locale={locale} window={serviceWindow} templates={templates} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function ReplyBox({ locale, window, templates }: { locale: ReturnType<typeof resolveLocale>; window: { open: boolean; closesAt: string | null }; templates: string[] }) {
  const t = translator(locale);
  const fetcher = useFetcher<typeof action>();
  const [requestId, setRequestId] = useState(() => crypto.randomUUID());
  const [text, setText] = useState("");
  const [templateName, setTemplateName] = useState(templates[0] ?? "");
  const result = fetcher.data;
  useEffect(() => {
    if (fetcher.state === "idle" && result?.ok) {
      setText("");
      setRequestId(crypto.randomUUID());
    }
  }, [fetcher.state, result]);
  const error = result && !result.ok ? result.reason : undefined;
  const minutesLeft = window.closesAt ? Math.max(0, Math.round((new Date(window.closesAt).getTime() - Date.now()) / 60_000)) : 0;
  const timeLeft = minutesLeft >= 60 ? `${Math.floor(minutesLeft / 60)} h ${minutesLeft % 60} min` : `${minutesLeft} min`;
  return (
    <Card>
      <fetcher.Form method="post">
        <input type="hidden" name="requestId" value={requestId} />
        <input type="hidden" name="intent" value={window.open ? "text" : "template"} />
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {t("reply.heading")}
          </Text>
          {window.open ? (
            <>
              <Text as="p" tone="subdued">
                {t("reply.windowOpen", { time: timeLeft })}
              </Text>
              <TextField label={t("reply.text")} name="text" value={text} onChange={setText} multiline={3} autoComplete="off" error={error} maxLength={4096} />
              <InlineStack gap="300" blockAlign="center">
                <Button submit variant="primary" loading={fetcher.state !== "idle"}>
                  {t("reply.send")}
                </Button>
                {result?.ok ? <Text as="span" tone="success">{t("reply.sent")}</Text> : null}
              </InlineStack>
            </>
          ) : (
            <>
              <Banner tone="info">{t("reply.windowClosed")}</Banner>
              <Select label={t("reply.template")} name="templateName" options={templates} value={templateName} onChange={setTemplateName} error={error} />
              <InlineStack gap="300" blockAlign="center">
                <Button submit variant="primary" loading={fetcher.state !== "idle"} disabled={!templateName}>
                  {t("reply.sendTemplate")}
                </Button>
                {result?.ok ? <Text as="span" tone="success">{t("reply.sent")}</Text> : null}
              </InlineStack>
            </>
          )}
        </BlockStack>
      </fetcher.Form>
    </Card>
  );
}
