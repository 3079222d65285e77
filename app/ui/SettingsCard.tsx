// A small settings form on the automations page: heading, explanation, fields, and a Save that reports back.
import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, InlineStack, Text } from "@shopify/polaris";
import type { ReactNode } from "react";

import type { Translate } from "../i18n";

export interface SettingsSaveResult {
  saved?: boolean;
  errors?: Record<string, string>;
}

export function SettingsCard(props: {
  intent: string;
  heading: string;
  intro: string;
  t: Translate;
  /** The fields, given the fetcher's last answer (for field errors). */
  children: (result: SettingsSaveResult | undefined) => ReactNode;
}) {
  const fetcher = useFetcher<SettingsSaveResult>();
  return (
    <Card>
      <fetcher.Form method="post">
        <input type="hidden" name="intent" value={props.intent} />
        <BlockStack gap="300">
          <Text as="h3" variant="headingSm">
            {props.heading}
          </Text>
          <Text as="p" tone="subdued">
            {props.intro}
          </Text>
          {props.children(fetcher.data)}
          {fetcher.data?.saved ? <Banner tone="success">{props.t("cod.settings.saved")}</Banner> : null}
          <InlineStack>
            <Button submit loading={fetcher.state !== "idle"}>
              {props.t("cod.settings.save")}
            </Button>
          </InlineStack>
        </BlockStack>
      </fetcher.Form>
    </Card>
  );
}
