// The inbox view a list shows (its filter tab and search), also carried in the
// URL of each thread opened from it, so the thread's back action returns there.
import { INBOX_FILTERS, type InboxFilter } from "../core/domain";

export interface InboxView {
  filter: InboxFilter;
  query: string;
}

export function inboxViewOf(params: URLSearchParams): InboxView {
  return { filter: INBOX_FILTERS.find((f) => f === params.get("filter")) ?? "all", query: (params.get("q") ?? "").slice(0, 100) };
}

/** `?filter=…&q=…` for a view other than the whole inbox, else nothing. */
export function inboxViewSearch(view: InboxView): string {
  const params = new URLSearchParams({ ...(view.filter === "all" ? {} : { filter: view.filter }), ...(view.query ? { q: view.query } : {}) });
  const search = params.toString();
  return search ? `?${search}` : "";
}
