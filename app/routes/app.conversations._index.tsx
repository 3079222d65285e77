import type { LoaderFunctionArgs } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { Badge, BlockStack, Box, Button, Card, IndexTable, InlineStack, Page, Tabs, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";

import { type MessageKey, type Translate, translator } from "../i18n";
import { requireShop } from "../shopify/request.server";
import { ConnectNotice, Empty } from "../ui/EmptyStates";
import { kindLabel } from "../ui/MessageContentView";
import { type InboxRow, listInbox, parseInboxCursor } from "../messaging/inbox-list.server";
import { db } from "../core/db.server";
import { formatDuration } from "../ui/durations";
import { INBOX_FILTERS, type InboxFilter } from "../core/domain";
import { hasConnectedNumber } from "../messaging/setup-checklist.server";
import { inboxViewOf, inboxViewSearch } from "../messaging/inbox-view";
import { staffOf } from "../shopify/staff.server";

/** The last message in a line: its text, its template, or what kind of message it is. */
function preview(t: Translate, last: NonNullable<InboxRow["lastMessage"]>): string {
  if (last.deleted) return t("message.deleted");
  return last.text ?? last.templateName ?? kindLabel(t, last.type);
}

// /app/conversations?q=&filter=&after= — every customer's conversation, with
// or without an order, latest first, a page at a time (`after`: the page's
// last row, from the previous page's "Older" link).
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session, shop, locale } = await requireShop(request);
  const url = new URL(request.url);
  const { filter, query } = inboxViewOf(url.searchParams);
  const after = parseInboxCursor(url.searchParams.get("after"));
  const [page, connected] = await Promise.all([listInbox(db(), shop.id, { query, filter, after, staffId: staffOf(session).id }), hasConnectedNumber(db(), shop.id)]);
  return { locale, timezone: shop.timezone, filter, query, paged: Boolean(after), connected, ...page };
};

export default function Conversations() {
  const { locale, timezone, filter, query, rows, nextCursor, paged, connected } = useLoaderData<typeof loader>();
  const t = translator(locale);
  const [search, setSearch] = useState(query);
  // "Clear filters" (or a tab) changes the search without remounting the page: the field follows it.
  useEffect(() => setSearch(query), [query]);
  const filterName = t(`conversations.filter.${filter}` as MessageKey);
  const when = new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "short", timeZone: timezone });
  const href = (f: InboxFilter, after?: string) => `?${new URLSearchParams({ filter: f, ...(query ? { q: query } : {}), ...(after ? { after } : {}) })}`;
  return (
    <Page title={t("conversations.title")} secondaryActions={[{ content: t("conversations.team"), url: "/app/team" }]}>
      {connected ? null : (
        <Box paddingBlockEnd="400">
          <ConnectNotice t={t} text={t("empty.connect.conversations")} />
        </Box>
      )}
      <Card padding="0">
        <BlockStack>
          <Tabs tabs={INBOX_FILTERS.map((f) => ({ id: f, content: t(`conversations.filter.${f}` as MessageKey), url: href(f) }))} selected={INBOX_FILTERS.indexOf(filter)} />
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
            resourceName={{ singular: t("conversations.customer"), plural: t("conversations.title") }}
            itemCount={rows.length}
            selectable={false}
            emptyState={
              query || filter !== "all" || paged ? (
                <Empty heading={t("empty.conversations.noMatch")} action={{ content: t("empty.conversations.clear"), url: "/app/conversations" }}>
                  {query ? t("empty.conversations.noMatch.search", { filter: filterName, query }) : t("empty.conversations.noMatch.filter", { filter: filterName })}
                </Empty>
              ) : (
                <Empty
                  heading={t("empty.conversations.heading")}
                  action={connected ? { content: t("empty.conversations.action"), url: "/app/automations" } : { content: t("empty.connect.action"), url: "/app/connect" }}
                >
                  {t("empty.conversations.body")}
                </Empty>
              )
            }
            headings={[{ title: t("conversations.customer") }, { title: t("conversations.orders") }, { title: t("conversations.last") }, { title: t("conversations.when") }]}
          >
            {rows.map((c, index) => (
              <IndexTable.Row id={c.contactId} key={c.contactId} position={index} tone={c.overdue ? "critical" : undefined}>
                <IndexTable.Cell>
                  <InlineStack gap="200" blockAlign="center">
                    <Link to={`/app/conversations/${c.contactId}${inboxViewSearch({ filter, query })}`}>{c.name ?? c.phone ?? t("conversations.unknown")}</Link>
                    {c.unread ? <Badge tone="info">{t("conversations.unread")}</Badge> : null}
                    {c.overdue && c.waitingMs !== null ? (
                      <Badge tone="critical">{t("conversations.overdue", { waited: formatDuration(t, c.waitingMs) })}</Badge>
                    ) : c.needsReply ? (
                      <Badge tone="attention">{t("conversations.needsReply")}</Badge>
                    ) : null}
                    {c.needsPerson ? <Badge tone="warning">{t(`handoff.reason.${c.handoffReason ?? "ASKED"}` as MessageKey)}</Badge> : null}
                    {c.closed ? <Badge>{t("conversation.closed")}</Badge> : null}
                    {c.assignee ? <Badge tone="success">{c.assignee}</Badge> : null}
                  </InlineStack>
                  {c.name && c.phone ? (
                    <Text as="p" variant="bodySm" tone="subdued">
                      {c.phone}
                    </Text>
                  ) : null}
                </IndexTable.Cell>
                <IndexTable.Cell>
                  {c.orders.length ? (
                    <InlineStack gap="100">
                      {c.orders.map((o) => (
                        <Link key={o.shopifyOrderId} to={`/app/orders/${o.shopifyOrderId}`}>
                          {o.name}
                        </Link>
                      ))}
                    </InlineStack>
                  ) : (
                    <Text as="span" tone="subdued">
                      {t("conversations.noOrder")}
                    </Text>
                  )}
                </IndexTable.Cell>
                <IndexTable.Cell>
                  <Text as="span" truncate>
                    {c.lastMessage ? `${t(`thread.source.${c.lastMessage.source}` as MessageKey)}: ${preview(t, c.lastMessage)}` : ""}
                  </Text>
                </IndexTable.Cell>
                <IndexTable.Cell>{c.lastMessage ? when.format(new Date(c.lastMessage.at)) : ""}</IndexTable.Cell>
              </IndexTable.Row>
            ))}
          </IndexTable>
          {paged || nextCursor ? (
            <div style={{ padding: "var(--p-space-300)" }}>
              <InlineStack gap="200" align="center">
                {paged ? <Button url={href(filter)}>{t("conversations.newest")}</Button> : null}
                {nextCursor ? <Button url={href(filter, nextCursor)}>{t("conversations.older")}</Button> : null}
              </InlineStack>
            </div>
          ) : null}
        </BlockStack>
      </Card>
    </Page>
  );
}
