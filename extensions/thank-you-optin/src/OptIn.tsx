import "@shopify/ui-extensions/preact";
import { render } from "preact";
import { useState } from "preact/hooks";

import { sendOptIn, type OptInState } from "./opt-in";

export default async () => {
  render(<OptIn />, document.body);
};

const APP_URL = typeof process === "undefined" ? undefined : process.env.APP_URL;

function OptIn() {
  const { i18n, orderConfirmation, sessionToken, localization } = shopify;
  const [state, setState] = useState<OptInState>("idle");
  if (!APP_URL) return null;
  const label = i18n.translate("label");
  const done = state === "OPTED_IN";

  const optIn = async () => {
    setState("saving");
    const token = await sessionToken.get();
    const { order, number } = orderConfirmation.value;
    setState(await sendOptIn(fetch, APP_URL, token, { orderId: order.id, confirmationNumber: number ?? "", text: label, locale: localization.language.value.isoCode }));
  };

  return (
    <s-stack direction="block" gap="small-200">
      <s-checkbox label={label} checked={done} disabled={done || state === "saving"} onChange={() => void optIn()} />
      <s-text color="subdued">{i18n.translate("details")}</s-text>
      {done ? <s-banner tone="success">{i18n.translate("optedIn")}</s-banner> : null}
      {state === "NO_PHONE" ? <s-banner tone="warning">{i18n.translate("noPhone")}</s-banner> : null}
      {state === "STOPPED_IN_WHATSAPP" ? <s-banner tone="warning">{i18n.translate("stoppedInWhatsApp")}</s-banner> : null}
      {state === "failed" ? <s-banner tone="critical">{i18n.translate("failed")}</s-banner> : null}
    </s-stack>
  );
}
