import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Button, Card, IndexTable, InlineStack, Page, Tabs, Text, TextField } from "@shopify/polaris";
import { useState } from "react";

import { kindLabel } from "../components/MessageContentView";
import { db } from "../db.server";
import { type MessageKey, resolveLocale, type Translate, translator } from "../i18n";
import { ensureShop } from "../shops.server";
import { authenticate } from "../shopify.server";
import { type ConversationFilter, type ConversationRow, listConversations } from "../threads.server";

const FILTERS: ConversationFilter[] = ["all", "unread", "needs-reply"];

/** The last message in a line: its text, its template, or what kind of message it is. */
function preview(t: Translate, last: NonNullable<ConversationRow["lastMessage"]>): string {
  if (last.deleted) return t("message.deleted");
  return last.text ?? last.templateName ?? kindLabel(t, last.type);
}

// /app/conversations?q=&filter= — every order with a WhatsApp conversation.
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const shop = await ensureShop(db(), session.shop);
  const url = new URL(request.url);
  const filter = FILTERS.find((f) => f === url.searchParams.get("filter")) ?? "all";
  const query = (url.searchParams.get("q") ?? "").slice(0, 100);
  return {
    locale: resolveLocale(url.searchParams.get("locale") ?? shop.locale),
    timezone: shop.timezone,
    filter,
    query,
    conversations: await listConversations(db(), shop.id, { query, filter }),
  };
};

export default function Conversations() {
  const { locale, timezone, filter, query, conversations } = useLoaderData<typeof loader>();
  const t = translator(locale);
  const [search, setSearch] = useState(query);
  const when = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short", timeZone: timezone });
  const href = (f: ConversationFilter) => `?${new URLSearchParams({ filter: f, ...(query ? { q: query } : {}) })}`;
  return (
    <Page title={t("conversations.title")}>
      <Card padding="0">
        <BlockStack>
          <Tabs
            tabs={FILTERS.map((f) => ({ id: f, content: t(`conversations.filter.${f}` as MessageKey), url: href(f) }))}
            selected={FILTERS.indexOf(filter)}
          />
          <div style={{ padding: "var(--p-space-300)" }}>
            <Form method="get">
              <input type="hidden" name="filter" value={filter} />
              <InlineStack gap="200" blockAlign="end" wrap={false}>
                <div style={{ flex: 1 }}>
                  <TextField label={t("conversations.search")} labelHidden placeholder={t("conversations.search")} name="q" value={search} onChange={setSearch} autoComplete="off" />
                </div>
                <Button submit>{t("conversations.searchButton")}</Button>
              </InlineStack>
            </Form>
          </div>
          <IndexTable
            resourceName={{ singular: t("conversations.order"), plural: t("conversations.title") }}
            itemCount={conversations.length}
            selectable={false}
            emptyState={<Text as="p">{t("conversations.empty")}</Text>}
            headings={[{ title: t("conversations.order") }, { title: t("conversations.customer") }, { title: t("conversations.last") }, { title: t("conversations.when") }]}
          >
            {conversations.map((c, index) => (
              <IndexTable.Row id={c.shopifyOrderId} key={c.shopifyOrderId} position={index}>
                <IndexTable.Cell>
                  <InlineStack gap="200" blockAlign="center">
                    <Link to={`/app/orders/${c.shopifyOrderId}`}>{c.name}</Link>
                    {c.unread ? <Badge tone="info">{t("conversations.unread")}</Badge> : null}
                    {c.needsReply ? <Badge tone="attention">{t("conversations.needsReply")}</Badge> : null}
                  </InlineStack>
                </IndexTable.Cell>
                <IndexTable.Cell>{[c.customerName, c.phone].filter(Boolean).join(" · ")}</IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" truncate>
                    {c.lastMessage ? `${t(`thread.source.${c.lastMessage.source}` as MessageKey)}: ${preview(t, c.lastMessage)}` : ""}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>{c.lastMessage ? when.format(new Date(c.lastMessage.at)) : ""}</IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
        </BlockStack>
      </Card>
    </Page>
  );
}
