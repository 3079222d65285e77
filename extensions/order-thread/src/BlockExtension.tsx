import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";

import { kindKey, loadThread, reasonKey, SHOWN, type ThreadMessage, type ThreadState } from "./thread";

export default async () => {
  render(<Extension />, document.body);
};

const TONE: Record<string, "success" | "critical" | "info" | "neutral" | "warning"> = {
  READ: "success",
  DELIVERED: "success",
  FAILED: "critical",
  SKIPPED: "warning",
  CANCELLED: "warning",
  RECEIVED: "info",
};

const COD_TONE: Record<string, "success" | "critical" | "warning" | "info"> = { CONFIRMED: "success", CANCELLED: "critical", NO_ANSWER: "warning", ASKED: "info" };

function Extension() {
  const { i18n, data } = shopify;
  const reasonText = (error: NonNullable<ThreadMessage["error"]>) => {
    const text = i18n.translate(reasonKey(error), error.params);
    return error.detail ? i18n.translate("reason.withDetail", { text, detail: error.detail }) : text;
  };
  const orderGid = data.selected[0]?.id ?? "";
  const [state, setState] = useState<ThreadState>({ kind: "loading" });
  useEffect(() => {
    void loadThread(fetch, orderGid).then(setState);
  }, [orderGid]);

  const thread = state.kind === "loaded" ? state.thread : null;
  const messages = thread?.messages.slice(-SHOWN) ?? [];
  return (
    <s-admin-block heading={i18n.translate("heading")} collapsedSummary={i18n.translate("summary", { count: thread?.messageCount ?? 0 })}>
      <s-stack direction="block" gap="base">
        {state.kind === "loading" ? <s-text>{i18n.translate("loading")}</s-text> : null}
        {state.kind === "failed" ? <s-banner tone="critical">{i18n.translate("failed")}</s-banner> : null}
        {thread?.cod ? <s-badge tone={COD_TONE[thread.cod.status] ?? "info"}>{i18n.translate(`cod.${thread.cod.status}`)}</s-badge> : null}
        {state.kind === "loaded" && messages.length === 0 ? <s-text>{i18n.translate("empty")}</s-text> : null}
        {messages.map((m) => (
          <s-stack key={m.id} direction="block" gap="small-200">
            <s-stack direction="inline" gap="small-200">
              <s-text type="strong">{i18n.translate(`source.${m.source}`)}</s-text>
              <s-badge tone={TONE[m.status] ?? "neutral"}>{i18n.translate(`status.${m.status}`)}</s-badge>
              <s-text color="subdued">{i18n.formatDate(new Date(m.occurredAt), { dateStyle: "short", timeStyle: "short", timeZone: thread?.timezone })}</s-text>
            </s-stack>
            <s-text>{m.deleted ? i18n.translate("deleted") : (m.text ?? m.templateName ?? i18n.translate(kindKey(m)))}</s-text>
            {m.edited || m.reaction ? <s-text color="subdued">{[m.edited ? i18n.translate("edited") : null, m.reaction].filter(Boolean).join(" · ")}</s-text> : null}
            {m.error ? <s-text color="subdued">{reasonText(m.error)}</s-text> : null}
          </s-stack>
        ))}
        {typeof thread?.totalCostMicros === "number" && thread.currency ? (
          <s-text>{i18n.translate("cost", { cost: i18n.formatCurrency(thread.totalCostMicros / 1_000_000, { style: "currency", currency: thread.currency, maximumFractionDigits: 4 }) })}</s-text>
        ) : null}
        {thread ? <s-link href={`app:app/orders/${thread.order.shopifyOrderId}`}>{i18n.translate("open")}</s-link> : null}
      </s-stack>
    </s-admin-block>
  );
}
