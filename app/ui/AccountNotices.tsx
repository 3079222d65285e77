// Banners for Meta's account events (home and connect pages): what happened,
// in the merchant's language, what to do about it, and Meta's own reason.
import { Banner, BlockStack, Layout, Text } from "@shopify/polaris";

import type { Locale, MessageKey, Translate } from "../i18n";
import type { AccountNotice } from "../whatsapp/account-notice";

const DISCONNECT_KEYS: Record<string, MessageKey> = {
  PARTNER_REMOVED: "notice.disconnected.PARTNER_REMOVED",
  PARTNER_APP_UNINSTALLED: "notice.disconnected.PARTNER_APP_UNINSTALLED",
  ACCOUNT_DELETED: "notice.disconnected.ACCOUNT_DELETED",
  ACCOUNT_OFFBOARDED: "notice.disconnected.ACCOUNT_OFFBOARDED",
  WABA_DISABLED: "notice.disconnected.WABA_DISABLED",
  NUMBER_MOVED: "notice.disconnected.NUMBER_MOVED",
  MERCHANT_DISCONNECTED: "notice.disconnected.MERCHANT_DISCONNECTED",
};

const RESTRICTION_KEYS: Record<string, MessageKey> = {
  RESTRICTED_BIZ_INITIATED_MESSAGING: "notice.restriction.RESTRICTED_BIZ_INITIATED_MESSAGING",
  RESTRICTED_CUSTOMER_INITIATED_MESSAGING: "notice.restriction.RESTRICTED_CUSTOMER_INITIATED_MESSAGING",
  RESTRICTED_ADD_PHONE_NUMBER_ACTION: "notice.restriction.RESTRICTED_ADD_PHONE_NUMBER_ACTION",
};

function content(notice: AccountNotice, t: Translate, locale: Locale, timezone: string): { tone: "critical" | "warning"; title: string; lines: string[]; meta: string | null } {
  switch (notice.kind) {
    case "disconnected":
      return {
        tone: "critical",
        title: t("notice.disconnected.title"),
        lines: [t(DISCONNECT_KEYS[notice.reason] ?? "notice.disconnected.other", { code: notice.reason })],
        meta: notice.metaReason,
      };
    case "violation":
      return { tone: "critical", title: t("notice.violation.title"), lines: [t("notice.violation.text")], meta: notice.metaReason };
    case "scheduledDisable":
      return { tone: "critical", title: t("notice.scheduledDisable.title"), lines: [t("notice.scheduledDisable.text")], meta: notice.metaReason };
    case "restriction": {
      // In the shop's time zone, on the server and in the browser alike.
      const date = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: timezone });
      const parts = notice.restrictions.map((r) => {
        const what = RESTRICTION_KEYS[r.type] ? t(RESTRICTION_KEYS[r.type]!) : r.type;
        return r.until ? t("notice.restriction.until", { what, date: date.format(new Date(r.until)) }) : what;
      });
      return { tone: "warning", title: t("notice.restriction.title"), lines: [...parts, t("notice.restriction.text")], meta: notice.restrictions.map((r) => r.type).join(", ") || null };
    }
  }
}

export function AccountNotices({ notices, t, locale, timezone, connectUrl }: { notices: AccountNotice[]; t: Translate; locale: Locale; timezone: string; connectUrl?: string }) {
  return (
    <>
      {notices.map((notice) => {
        const { tone, title, lines, meta } = content(notice, t, locale, timezone);
        return (
          <Layout.Section key={notice.kind}>
            <div data-testid={`account-notice-${notice.kind}`}>
              <Banner tone={tone} title={title} action={connectUrl ? { content: t("health.reconnect"), url: connectUrl } : undefined}>
                <BlockStack gap="100">
                  {lines.map((line) => (
                    <p key={line}>{line}</p>
                  ))}
                  {meta ? (
                    <Text as="p" tone="subdued">
                      {t("notice.metaReason", { reason: meta })}
                    </Text>
                  ) : null}
                </BlockStack>
              </Banner>
            </div>
          </Layout.Section>
        );
      })}
    </>
  );
}
