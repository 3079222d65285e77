// Inbox settings page: the shop's quick replies, listed, added, edited (the
// page's `?edit=` opens one) and deleted.
import { useFetcher, useSearchParams } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, InlineStack, Modal, Select, Text, TextField } from "@shopify/polaris";
import { useEffect, useRef, useState } from "react";

import { Empty } from "./EmptyStates";
import { type Locale, LOCALES, type MessageKey, type Translate } from "../i18n";
import type { QuickReplyField } from "../messaging/quick-replies.server";
import { useSavedToast } from "./AdminUi";

interface QuickReply {
  id: string;
  title: string;
  body: string;
  locale: string;
}
type Result = { ok: boolean; errors?: Partial<Record<QuickReplyField, string>> };

export function QuickRepliesCard({ t, locale, quickReplies, editing }: { t: Translate; locale: Locale; quickReplies: QuickReply[]; editing: QuickReply | null }) {
  const [, setSearchParams] = useSearchParams();
  const remove = useFetcher<Result>();
  const [deleting, setDeleting] = useState<QuickReply | null>(null);
  // The dialog closes once the delete is answered; a refusal shows under the list.
  useEffect(() => {
    if (remove.state === "idle" && remove.data) setDeleting(null);
  }, [remove.state, remove.data]);
  const setEditing = (id: string | null) =>
    setSearchParams(
      (current) => {
        if (id) current.set("edit", id);
        else current.delete("edit");
        return current;
      },
      { preventScrollReset: true },
    );
  return (
    <Card>
      <BlockStack gap="400">
        <Text as="h2" variant="headingMd">
          {t("quickReplies.heading")}
        </Text>
        <Text as="p" tone="subdued">
          {t("quickReplies.intro")}
        </Text>
        {quickReplies.length === 0 ? <Empty heading={t("empty.quickReplies.heading")}>{t("empty.quickReplies.body")}</Empty> : null}
        {quickReplies.map((reply) => (
          <BlockStack key={reply.id} gap="100">
            <InlineStack gap="200" blockAlign="center" align="space-between">
              <InlineStack gap="200" blockAlign="center">
                <Text as="h3" variant="headingSm">
                  {reply.title}
                </Text>
                <Badge>{t(`quickReplies.locale.${reply.locale}` as MessageKey)}</Badge>
              </InlineStack>
              <InlineStack gap="200">
                <Button onClick={() => setEditing(reply.id)} accessibilityLabel={`${t("quickReplies.editAction")} ${reply.title}`}>
                  {t("quickReplies.editAction")}
                </Button>
                <Button tone="critical" accessibilityLabel={`${t("quickReplies.delete")} ${reply.title}`} onClick={() => setDeleting(reply)}>
                  {t("quickReplies.delete")}
                </Button>
              </InlineStack>
            </InlineStack>
            <Text as="p" tone="subdued" breakWord>
              {reply.body}
            </Text>
          </BlockStack>
        ))}
        {remove.data && !remove.data.ok ? <Banner tone="critical">{remove.data.errors?.quickReply}</Banner> : null}
        {deleting ? (
          <Modal
            open
            onClose={() => setDeleting(null)}
            title={t("admin.deleteQuickReply.title", { title: deleting.title })}
            primaryAction={{
              content: t("quickReplies.delete"),
              destructive: true,
              loading: remove.state !== "idle",
              onAction: () => {
                if (editing?.id === deleting.id) setEditing(null);
                remove.submit({ intent: "quick-reply-delete", id: deleting.id }, { method: "post" });
              },
            }}
            secondaryActions={[{ content: t("confirm.cancel"), onAction: () => setDeleting(null) }]}
          >
            <Modal.Section>
              <Text as="p">{t("admin.deleteQuickReply.text")}</Text>
            </Modal.Section>
          </Modal>
        ) : null}
        <QuickReplyForm key={editing?.id ?? "new"} t={t} locale={locale} editing={editing} onDone={() => setEditing(null)} />
      </BlockStack>
    </Card>
  );
}

/** Adds a quick reply (in the merchant's language unless they pick another), or edits the one opened. */
function QuickReplyForm({ t, locale: merchantLocale, editing, onDone }: { t: Translate; locale: Locale; editing: QuickReply | null; onDone: () => void }) {
  const fetcher = useFetcher<Result>();
  const [title, setTitle] = useState(editing?.title ?? "");
  const [body, setBody] = useState(editing?.body ?? "");
  const [locale, setLocale] = useState<string>(editing?.locale ?? merchantLocale);
  const handled = useRef<Result | undefined>(undefined);
  const result = fetcher.data;
  useEffect(() => {
    if (fetcher.state !== "idle" || !result?.ok || handled.current === result) return;
    handled.current = result;
    if (editing) onDone();
    else {
      setTitle("");
      setBody("");
    }
  }, [fetcher.state, result, editing, onDone]);
  const errors = result && !result.ok ? (result.errors ?? {}) : {};
  useSavedToast(result, result?.ok === true, t("quickReplies.saved"));
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="intent" value="quick-reply-save" />
      <input type="hidden" name="id" value={editing?.id ?? ""} />
      <input type="hidden" name="locale" value={locale} />
      <BlockStack gap="300">
        <Text as="h3" variant="headingSm">
          {t(editing ? "quickReplies.edit" : "quickReplies.add")}
        </Text>
        <TextField label={t("quickReplies.title")} name="title" autoComplete="off" value={title} onChange={setTitle} maxLength={60} showCharacterCount error={errors.title} />
        <Select
          label={t("quickReplies.locale")}
          options={LOCALES.map((value) => ({ value, label: t(`quickReplies.locale.${value}` as MessageKey) }))}
          value={locale}
          onChange={setLocale}
          error={errors.locale}
        />
        <TextField
          label={t("quickReplies.body")}
          helpText={t("quickReplies.bodyHelp")}
          name="body"
          autoComplete="off"
          value={body}
          onChange={setBody}
          multiline={3}
          maxLength={1024}
          showCharacterCount
          error={errors.body}
        />
        {errors.quickReply ? <Banner tone="critical">{errors.quickReply}</Banner> : null}
        <InlineStack gap="200">
          <Button submit variant="primary" loading={fetcher.state !== "idle"}>
            {t("quickReplies.save")}
          </Button>
          {editing ? <Button onClick={onDone}>{t("quickReplies.cancel")}</Button> : null}
        </InlineStack>
      </BlockStack>
    </fetcher.Form>
  );
}
