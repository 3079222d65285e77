// Automations page: what a cash-on-delivery answer does in Shopify, and when the one reminder goes.
import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Button, Card, Checkbox, InlineStack, Text, TextField } from "@shopify/polaris";
import { useState } from "react";

import type { Translate } from "../i18n";

interface SaveResult {
  saved?: boolean;
  errors?: Record<string, string>;
}

export function CodSettingsCard({ settings, t }: { settings: { cancelOrders: boolean; reminderHours: number }; t: Translate }) {
  const fetcher = useFetcher<SaveResult>();
  const [cancelOrders, setCancelOrders] = useState(settings.cancelOrders);
  const [hours, setHours] = useState(String(settings.reminderHours));
  return (
    <Card>
      <fetcher.Form method="post">
        <input type="hidden" name="intent" value="cod-settings" />
        <input type="hidden" name="cancelOrders" value={cancelOrders ? "on" : "off"} />
        <BlockStack gap="300">
          <Text as="h3" variant="headingSm">
            {t("cod.settings.heading")}
          </Text>
          <Text as="p" tone="subdued">
            {t("cod.settings.tags")}
          </Text>
          <Checkbox label={t("cod.settings.cancelOrders")} helpText={t("cod.settings.cancelOrdersHelp")} checked={cancelOrders} onChange={setCancelOrders} />
          <TextField
            label={t("cod.settings.reminderHours")}
            name="reminderHours"
            type="number"
            autoComplete="off"
            value={hours}
            onChange={setHours}
            error={fetcher.data?.errors?.reminderHours}
          />
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
