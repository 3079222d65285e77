// The document title of each page of the app, in the staff member's language.
import { type Locale, type MessageKey, translator } from "../i18n";

const PAGE_TITLES: Record<string, MessageKey> = {
  "routes/app._index": "nav.home",
  "routes/app.conversations._index": "conversations.title",
  "routes/app.conversations.$contactId": "pageTitle.conversation",
  "routes/app.team": "team.title",
  "routes/app.automations": "automations.title",
  "routes/app.campaigns._index": "campaigns.title",
  "routes/app.campaigns.$campaignId": "pageTitle.campaign",
  "routes/app.campaigns.$campaignId_.results": "pageTitle.campaignResults",
  "routes/app.inbox-settings": "inboxSettings.title",
  "routes/app.costs": "costs.title",
  "routes/app.connect": "connect.title",
  "routes/app.orders.$orderId": "pageTitle.order",
  "routes/auth.login": "login.title",
};

/** "Page · Zap for WhatsApp" for the deepest matched route, the app's name alone elsewhere. */
export function pageTitle(locale: Locale, routeId: string | undefined): string {
  const t = translator(locale);
  const page = routeId ? PAGE_TITLES[routeId] : undefined;
  return page ? `${t(page)} · ${t("app.name")}` : t("app.name");
}
