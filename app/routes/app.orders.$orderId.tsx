import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Box, Card, InlineStack, Layout, Page, Text } from "@shopify/polaris";

import { db } from "../db.server";
import { type MessageKey, resolveLocale, translator } from "../i18n";
import { ensureShop } from "../shops.server";
import { authenticate } from "../shopify.server";
import { orderThread, shopifyOrderIdOf } from "../threads.server";

// /app/orders/:orderId — the full WhatsApp conversation of one order (the
// order-page block links here).
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await ensureShop(db(), session.shop);
  const shopifyOrderId = shopifyOrderIdOf(params.orderId ?? "");
  const thread = shopifyOrderId ? await orderThread(db(), shop.id, shopifyOrderId) : null;
  return { locale: resolveLocale(new URL(request.url).searchParams.get("locale") ?? shop.locale), timezone: shop.timezone, thread };
};

const TONE: Record<string, "success" | "critical" | "info" | "warning" | undefined> = {
  READ: "success",
  DELIVERED: "success",
  FAILED: "critical",
  SKIPPED: "warning",
  CANCELLED: "warning",
  RECEIVED: "info",
};

export default function OrderThreadPage() {
  const { locale, timezone, thread } = useLoaderData<typeof loader>();
  const t = translator(locale);
  const when = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: timezone });
  if (!thread) {
    return (
      <Page title={t("thread.title", { order: "" })}>
        <Text as="p">{t("thread.notFound")}</Text>
      </Page>
    );
  }
  return (
    <Page title={t("thread.title", { order: thread.order.name })} subtitle={[thread.order.customerName, thread.order.phone].filter(Boolean).join(" · ")}>
      <Layout>
        <Layout.Section>
          <BlockStack gap="300">
            {thread.messages.length === 0 ? <Text as="p">{t("thread.empty")}</Text> : null}
            {thread.messages.map((m) => (
              <InlineStack key={m.id} align={m.direction === "IN" ? "start" : "end"}>
                <Box maxWidth="70%">
                  <Card background={m.direction === "IN" ? "bg-surface" : "bg-surface-success"}>
                    <BlockStack gap="100">
                      <InlineStack gap="200" blockAlign="center">
                        <Text as="span" variant="bodySm" fontWeight="semibold">
                          {t(`thread.source.${m.source}` as MessageKey)}
                        </Text>
                        {m.templateName ? (
                          <Text as="span" variant="bodySm" tone="subdued">
                            {t("thread.template", { name: m.templateName })}
                          </Text>
                        ) : null}
                      </InlineStack>
                      <Text as="p">{m.text ?? ""}</Text>
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
                      </InlineStack>
                    </BlockStack>
                  </Card>
                </Box>
              </InlineStack>
            ))}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
