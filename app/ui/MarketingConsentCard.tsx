// Automations page: whether Shopify's SMS marketing consent also counts for WhatsApp, and why it is off by default.
import { Checkbox } from "@shopify/polaris";
import { useState } from "react";

import type { Translate } from "../i18n";
import { SettingsCard } from "./SettingsCard";

export function MarketingConsentCard({ smsCounts, t }: { smsCounts: boolean; t: Translate }) {
  const [checked, setChecked] = useState(smsCounts);
  return (
    <SettingsCard intent="consent-settings" heading={t("consent.settings.heading")} intro={t("consent.settings.sources")} t={t}>
      {() => (
        <>
          <input type="hidden" name="smsConsentCounts" value={checked ? "on" : "off"} />
          <Checkbox label={t("consent.settings.smsCounts")} helpText={t("consent.settings.smsCountsHelp")} checked={checked} onChange={setChecked} />
        </>
      )}
    </SettingsCard>
  );
}
