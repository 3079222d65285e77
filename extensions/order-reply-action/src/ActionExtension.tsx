import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useEffect, useState } from "preact/hooks";

import { type ContextState, loadContext, type Reply, sendReply, type SendResult, timeLeft } from "./reply";

export default async () => {
  render(<Extension />, document.body);
};

/** Refusals the app names; anything else (the app unreachable) reads as `error.unreachable`. */
const CODES = ["notFound", "noRecipient", "empty", "tooLong", "windowClosed", "noOrder", "templateUnavailable", "templateFields", "refused", "invalid"];

function Extension() {
  const { i18n, data } = shopify;
  const orderGid = data.selected[0]?.id ?? "";
  const [state, setState] = useState<ContextState>({ kind: "loading" });
  const [text, setText] = useState("");
  const [templateName, setTemplateName] = useState("");
  // One id per reply: a second click while the first is on its way lands on the same message.
  const [requestId, setRequestId] = useState(() => crypto.randomUUID());
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<SendResult | null>(null);
  useEffect(() => {
    void loadContext(fetch, orderGid).then((loaded) => {
      setState(loaded);
      if (loaded.kind === "loaded") setTemplateName(loaded.context.templates[0] ?? "");
    });
  }, [orderGid]);

  const context = state.kind === "loaded" ? state.context : null;
  const open = context?.window.open ?? false;
  const ready = Boolean(context?.canReply) && (open ? text.trim() !== "" : templateName !== "");
  const send = async () => {
    if (!ready || sending) return;
    setSending(true);
    const reply: Reply = open ? { kind: "text", text } : { kind: "template", templateName };
    const sent = await sendReply(fetch, orderGid, reply, requestId);
    setResult(sent);
    if (sent.ok) setText("");
    // The app's answer, sent or refused, settles this id's message: the next send (the text edited) is a
    // new one. Without an answer the outcome is unknown, and a retry with the same id cannot send twice.
    if (sent.ok || sent.code !== "unreachable") setRequestId(crypto.randomUUID());
    setSending(false);
  };

  const refusal = result && !result.ok ? i18n.translate(`error.${CODES.includes(result.code) ? result.code : "unreachable"}`) : undefined;
  const error = refusal && result && !result.ok && result.detail ? i18n.translate("error.withDetail", { error: refusal, detail: result.detail }) : refusal;
  const fieldError = (field: string) => (result && !result.ok && result.field === field ? error : undefined);
  const orderError = result && !result.ok && result.field !== "text" && result.field !== "templateName" ? error : undefined;
  return (
    <s-admin-action heading={context ? i18n.translate("heading", { order: context.order.name }) : i18n.translate("name")} loading={state.kind === "loading"}>
      <s-stack direction="block" gap="base">
        {state.kind === "failed" ? <s-banner tone="critical">{i18n.translate("failed")}</s-banner> : null}
        {state.kind === "notFound" ? <s-banner tone="warning">{i18n.translate("notFound")}</s-banner> : null}
        {context && !context.canReply ? <s-banner tone="warning">{i18n.translate("error.noRecipient")}</s-banner> : null}
        {context?.canReply ? <s-text type="strong">{context.customerName ? i18n.translate("to", { name: context.customerName }) : i18n.translate("toCustomer")}</s-text> : null}
        {context?.canReply && open ? (
          <>
            <s-text color="subdued">{i18n.translate("windowOpen", { time: timeLeft(context.window.closesAt, i18n.translate) })}</s-text>
            <s-text-area label={i18n.translate("text")} value={text} rows={4} maxLength={4096} error={fieldError("text")} onInput={(event) => setText(event.currentTarget.value)} />
          </>
        ) : null}
        {context?.canReply && !open ? (
          <>
            <s-banner tone="info">{i18n.translate("windowClosed")}</s-banner>
            {context.templates.length ? (
              <s-select label={i18n.translate("template")} value={templateName} error={fieldError("templateName")} onChange={(event) => setTemplateName(event.currentTarget.value)}>
                {context.templates.map((name) => (
                  <s-option key={name} value={name}>
                    {name}
                  </s-option>
                ))}
              </s-select>
            ) : (
              <s-text>{i18n.translate("noTemplates")}</s-text>
            )}
          </>
        ) : null}
        {orderError ? <s-banner tone="critical">{orderError}</s-banner> : null}
        {result?.ok ? <s-banner tone="success">{i18n.translate("sent")}</s-banner> : null}
      </s-stack>
      <s-button slot="primary-action" variant="primary" loading={sending} disabled={!ready} onClick={() => void send()}>
        {i18n.translate(open ? "send" : "sendTemplate")}
      </s-button>
      <s-button slot="secondary-actions" onClick={() => shopify.close()}>
        {i18n.translate("close")}
      </s-button>
    </s-admin-action>
  );
}
