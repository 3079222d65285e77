// What a page with nothing to show yet says instead (issue 16): an empty
// state naming the next step and linking there, and the notice on pages that
// cannot work before the shop's WhatsApp number is connected.
import { Banner, Card, EmptyState } from "@shopify/polaris";
import type { ComponentProps, ReactNode } from "react";

import type { Translate } from "../i18n";

/** A chat bubble drawn inline: no image host to reach from the admin or the sandbox. */
const ILLUSTRATION = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="226" height="160" viewBox="0 0 226 160"><rect x="38" y="20" width="150" height="96" rx="20" fill="#e3f5e9"/><path d="M70 116l-8 28 34-28z" fill="#e3f5e9"/><circle cx="83" cy="68" r="9" fill="#25a35a"/><circle cx="113" cy="68" r="9" fill="#25a35a"/><circle cx="143" cy="68" r="9" fill="#25a35a"/></svg>',
)}`;

type Action = ComponentProps<typeof EmptyState>["action"];

/** Polaris's empty state with the app's illustration: inside a card or table that is already there. */
export function Empty({ heading, action, secondaryAction, children }: { heading: string; action?: Action; secondaryAction?: Action; children: ReactNode }) {
  return (
    <EmptyState heading={heading} image={ILLUSTRATION} action={action} secondaryAction={secondaryAction}>
      <p>{children}</p>
    </EmptyState>
  );
}

/** The empty state as a card of its own, in place of a page's cards of zeros. */
export function EmptyCard(props: ComponentProps<typeof Empty>) {
  return (
    <Card>
      <Empty {...props} />
    </Card>
  );
}

/** "Connect your WhatsApp number to …" with the way to the connect page; `text` names what the page needs the number for. */
export function ConnectNotice({ t, text }: { t: Translate; text: string }) {
  return <Banner tone="warning" title={text} action={{ content: t("empty.connect.action"), url: "/app/connect" }} />;
}
