import { Banner, BlockStack, Button, InlineStack, Text, TextField } from "@shopify/polaris";
import { useFetcher } from "@remix-run/react";
import { useState } from "react";

import type { MessageKey, Translate } from "../i18n";
import { TestRequestId } from "./TestRequestId";

export type AutomationTestResult = { test: { ok: true; status: string } | { ok: false; field: string; code: string } };

/** "Send me a test" for one automation: its template to the merchant's own number. `connected`: false keeps it disabled, saying why. */
export function AutomationTestForm({ automationId, connected, t }: { automationId: string; connected: boolean; t: Translate }) {
  const test = useFetcher<AutomationTestResult>();
  const [phone, setPhone] = useState("");
  const result = test.state === "idle" ? test.data?.test : undefined;
  const error = result && !result.ok ? t(`automations.testError.${result.field.replace(/\.\d+$/, "")}.${result.code}` as MessageKey, { n: /\.(\d+)$/.exec(result.field)?.[1] ?? "" }) : undefined;
  return (
    <test.Form method="post">
      <input type="hidden" name="intent" value="test" />
      <input type="hidden" name="automationId" value={automationId} />
      <TestRequestId state={test.state} />
      <BlockStack gap="200">
        <Text as="h3" variant="headingSm">
          {t("automations.test")}
        </Text>
        <TextField label={t("automations.test.phone")} name="phone" type="tel" value={phone} onChange={setPhone} autoComplete="tel" helpText={t("automations.test.help")} error={error} />
        {result?.ok ? <Banner tone="success">{t("automations.test.sent")}</Banner> : null}
        <InlineStack>
          <Button submit disabled={!connected} loading={test.state !== "idle"}>
            {t("automations.test.send")}
          </Button>
        </InlineStack>
        {connected ? null : (
          <Text as="p" tone="subdued">
            {t("empty.connect.disabled")}
          </Text>
        )}
      </BlockStack>
    </test.Form>
  );
}
