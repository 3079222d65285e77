import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useFetcher, useLoaderData } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, InlineStack, Layout, Page, Select, Text, TextField } from "@shopify/polaris";
import { useState } from "react";

import { ConnectNotice } from "../ui/EmptyStates";
import { type ConsentDialog, ConsentDialogs } from "../ui/ConsentDialogs";
import { MessageBubble, ReplyBox, useLiveThread } from "../ui/ThreadParts";
import { staffOptBackIn, staffOptOut } from "../messaging/consent.server";
import { type ActionResult, addNote, assignConversation, closeConversation, markConversationHandled, reopenConversation } from "../messaging/conversations.server";
import { db } from "../core/db.server";
import { type MessageKey, type Translate, translator } from "../i18n";
import { actionErrorText, optedOutText } from "../i18n/codes";
import { requireShop } from "../shopify/request.server";
import { quickRepliesFor } from "../messaging/quick-replies.server";
import { replyPreviews } from "../messaging/reply-previews.server";
import { replyInputOf, requestIdOf, sendStaffReply } from "../messaging/replies.server";
import { appDeps } from "../services.server";
import { hasConnectedNumber } from "../messaging/setup-checklist.server";
import { actingStaff } from "../shopify/staff.server";
import { loadConversationPage, threadCursorSchema } from "../messaging/threads.server";
import { inboxViewOf, inboxViewSearch } from "../messaging/inbox-view";

// /app/conversations/:contactId?before= — everything WhatsApp said with one
// customer, every order's messages and those about none (an ad lead), with
// their orders listed and a reply box. Another shop's customer is not found.
export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { shop, locale } = await requireShop(request);
  const url = new URL(request.url);
  const cursor = threadCursorSchema.safeParse({ before: url.searchParams.get("before") ?? undefined });
  const page = await loadConversationPage(db(), shop.id, params.contactId ?? "", cursor.success ? cursor.data.before : undefined);
  const quickReplies = page ? await quickRepliesFor(db(), shop, { contactId: page.contact.id }) : [];
  const previews = page ? await replyPreviews(db(), shop.id, { contactId: page.contact.id }, page.templates) : {};
  const back = `/app/conversations${inboxViewSearch(inboxViewOf(url.searchParams))}`;
  return { locale, timezone: shop.timezone, page, quickReplies, previews, connected: await hasConnectedNumber(db(), shop.id), back };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, shop } = await requireShop(request);
  const form = await request.formData();
  const contactId = params.contactId ?? "";
  const requestId = requestIdOf(form);
  if (!requestId) return { ok: false as const, field: "order", code: "reload" };
  const staff = await actingStaff(db(), shop.id, session);
  const intent = form.get("intent");
  if (intent === "handled") {
    await markConversationHandled(db(), shop.id, contactId, staff);
    return { ok: true as const, status: "HANDLED" };
  }
  if (intent === "assign") {
    const assigneeId = String(form.get("assigneeId") ?? "");
    return withStatus(await assignConversation(db(), shop.id, contactId, staff, assigneeId === "me" ? staff.id : assigneeId || null), "ASSIGNED");
  }
  if (intent === "close") return withStatus(await closeConversation(db(), shop.id, contactId, staff), "CLOSED");
  if (intent === "reopen") {
    await reopenConversation(db(), shop.id, contactId, { type: "STAFF", id: staff.id });
    return { ok: true as const, status: "REOPENED" };
  }
  if (intent === "note") return withStatus(await addNote(db(), shop.id, contactId, staff, String(form.get("note") ?? "")), "NOTED");
  if (intent === "opt-out") {
    if (!(await staffOptOut(db(), shop.id, contactId, staff))) throw new Response("Not found", { status: 404 });
    return { ok: true as const, status: "OPTED_OUT" };
  }
  if (intent === "opt-in") {
    const result = await staffOptBackIn(db(), shop.id, contactId, staff, String(form.get("reason") ?? ""));
    if (!result) throw new Response("Not found", { status: 404 });
    return withStatus(result, "OPTED_IN");
  }
  return sendStaffReply(appDeps(), shop.id, { contactId }, staff, replyInputOf(form), requestId);
};

function withStatus(result: ActionResult, status: string) {
  return result.ok ? { ok: true as const, status } : { ok: false as const, field: result.field, code: result.code };
}

export default function ConversationPage() {
  const { locale, timezone, page, quickReplies, previews, connected, back } = useLoaderData<typeof loader>();
  const t = translator(locale);
  const [dialog, setDialog] = useState<ConsentDialog | null>(null);
  const quick = useFetcher<typeof action>();
  const act = (fields: Record<string, string>) => quick.submit({ ...fields, requestId: crypto.randomUUID() }, { method: "post" });
  const { showEarlier, loading } = useLiveThread();
  const when = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: timezone });
  if (!page) {
    return (
      <Page title={t("conversations.title")} backAction={{ content: t("conversations.title"), url: back }}>
        <Text as="p">{t("conversation.notFound")}</Text>
      </Page>
    );
  }
  const { contact, orders, messages, earlierCursor } = page;
  return (
    <Page
      title={t("conversation.title", { name: contact.name ?? contact.phone ?? t("conversations.unknown") })}
      subtitle={contact.name ? (contact.phone ?? undefined) : undefined}
      backAction={{ content: t("conversations.title"), url: back }}
      titleMetadata={page.status === "CLOSED" ? <Badge>{t("conversation.closed")}</Badge> : undefined}
      secondaryActions={[
        { content: t("thread.handled"), onAction: () => act({ intent: "handled" }) },
        page.status === "CLOSED" ? { content: t("conversation.reopen"), onAction: () => act({ intent: "reopen" }) } : { content: t("conversation.close"), onAction: () => act({ intent: "close" }) },
        ...(page.optedOut === null ? [{ content: t("thread.optOut"), destructive: true, onAction: () => setDialog("opt-out") }] : []),
      ]}
    >
      <Layout>
        {page.optedOut !== null ? (
          <Layout.Section>
            <Banner tone="warning" action={{ content: t("confirm.optIn.button"), onAction: () => setDialog("opt-in") }}>
              {optedOutText(t, page.optedOut)}
            </Banner>
          </Layout.Section>
        ) : null}
        {dialog ? <ConsentDialogs t={t} open={dialog} onClose={() => setDialog(null)} /> : null}
        {quick.data?.ok && quick.data.status === "HANDLED" ? (
          <Layout.Section>
            <Banner tone="success">{t("thread.handledDone")}</Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <TeamCard t={t} page={page} act={act} error={quick.data && !quick.data.ok ? actionErrorText(t, locale, quick.data) : undefined} />
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="h2" variant="headingSm">
                {t("conversation.orders")}
              </Text>
              {orders.length ? (
                <InlineStack gap="200">
                  {orders.map((o) => (
                    <Link key={o.shopifyOrderId} to={`/app/orders/${o.shopifyOrderId}`}>
                      {o.name}
                    </Link>
                  ))}
                </InlineStack>
              ) : (
                <Text as="p" tone="subdued">
                  {t("conversation.noOrders")}
                </Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <BlockStack gap="300">
            {messages.length === 0 ? <Text as="p">{t("conversation.empty")}</Text> : null}
            {earlierCursor ? (
              <InlineStack align="center">
                <Button onClick={() => showEarlier(earlierCursor)} loading={loading}>
                  {t("thread.earlier")}
                </Button>
              </InlineStack>
            ) : null}
            {messages.map((m) => (
              <MessageBubble key={m.id} m={m} t={t} locale={locale} when={when} showOrder />
            ))}
          </BlockStack>
        </Layout.Section>
        {connected ? null : (
          <Layout.Section>
            <ConnectNotice t={t} text={t("empty.connect.thread")} />
          </Layout.Section>
        )}
        <Layout.Section>
          <ReplyBox locale={locale} window={page.window} templates={page.templates} previews={previews} quickReplies={quickReplies} />
        </Layout.Section>
        <Layout.Section>
          <ActivityCard t={t} events={page.events} when={when} />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

type PageData = NonNullable<ReturnType<typeof useLoaderData<typeof loader>>["page"]>;

/** Who answers the conversation: assign it (to oneself or a colleague who has used the app), and leave internal notes. */
function TeamCard({ t, page, act, error }: { t: Translate; page: PageData; act: (fields: Record<string, string>) => void; error?: string }) {
  const [note, setNote] = useState("");
  const options = [{ label: t("conversation.unassigned"), value: "" }, ...page.staff.map((s) => ({ label: s.name, value: s.userId }))];
  return (
    <Card>
      <BlockStack gap="300">
        <InlineStack gap="300" blockAlign="end">
          <Select label={t("conversation.assignee")} options={options} value={page.assigneeId ?? ""} onChange={(value) => act({ intent: "assign", assigneeId: value })} />
          <Button onClick={() => act({ intent: "assign", assigneeId: "me" })}>{t("conversation.assignMe")}</Button>
        </InlineStack>
        <TextField label={t("conversation.note")} helpText={t("conversation.noteHelp")} value={note} onChange={setNote} multiline={2} autoComplete="off" error={error} maxLength={2000} />
        <InlineStack>
          <Button
            disabled={!note.trim()}
            onClick={() => {
              act({ intent: "note", note });
              setNote("");
            }}
          >
            {t("conversation.addNote")}
          </Button>
        </InlineStack>
      </BlockStack>
    </Card>
  );
}

/** The audit trail: each step, who took it (a staff member, the automation, the phone app, the customer) and when. */
function ActivityCard({ t, events, when }: { t: Translate; events: PageData["events"]; when: Intl.DateTimeFormat }) {
  const actor = (e: PageData["events"][number]) => e.actor ?? t(`conversation.actor.${e.actorType}` as MessageKey);
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingSm">
          {t("conversation.activity")}
        </Text>
        {events.length === 0 ? (
          <Text as="p" tone="subdued">
            {t("conversation.noActivity")}
          </Text>
        ) : null}
        {events.map((e) => (
          <BlockStack key={e.id} gap="050">
            <Text as="p">
              {e.kind === "HANDOFF" && e.reason && e.reason !== "ASKED"
                ? t("conversation.event.HANDOFF_RULE", { reason: t(`handoff.reason.${e.reason}` as MessageKey) })
                : t(`conversation.event.${e.kind}` as MessageKey, { actor: actor(e), target: e.target ?? "" })}
              <Text as="span" tone="subdued">
                {` · ${when.format(new Date(e.at))}`}
              </Text>
            </Text>
            {e.body ? (
              <Text as="p" tone="subdued">
                {e.body}
              </Text>
            ) : null}
          </BlockStack>
        ))}
      </BlockStack>
    </Card>
  );
}
