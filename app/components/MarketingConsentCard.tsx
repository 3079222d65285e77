// Automations page: whether Shopify's SMS marketing consent also counts for WhatsApp, and why it is off by default.
import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Checkbox, InlineStack, Text } from "@shopify/polaris";
import { useState } from "react";

import type { Translate } from "../i18n";

export function MarketingConsentCard({ smsCounts, t }: { smsCounts: boolean; t: Translate }) {
  const fetcher = useFetcher<{ saved?: boolean }>();
  const [checked, setChecked] = useState(smsCounts);
  return (
    <Card>
      <fetcher.Form method="post">
        <input type="hidden" name="intent" value="consent-settings" />
        <input type="hidden" name="smsConsentCounts" value={checked ? "on" : "off"} />
        <BlockStack gap="300">
          <Text as="h3" variant="headingSm">
            {t("consent.settings.heading")}
          </Text>
          <Text as="p" tone="subdued">
            {t("consent.settings.sources")}
          </Text>
          <Checkbox label={t("consent.settings.smsCounts")} helpText={t("consent.settings.smsCountsHelp")} checked={checked} onChange={setChecked} />
          {fetcher.data?.saved ? <Banner tone="success">{t("cod.settings.saved")}</Banner> : null}
          <InlineStack>
            <Button submit loading={fetcher.state !== "idle"}>
              {t("cod.settings.save")}
            </Button>
          </InlineStack>
        </BlockStack>
      </fetcher.Form>
    </Card>
  );
}
