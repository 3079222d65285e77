// Automations page: whether Shopify's SMS marketing consent also counts for WhatsApp, and why it is off by default.
import { Checkbox } from "@shopify/polaris";

import type { Translate } from "../i18n";
import { SettingsCard } from "./SettingsCard";

export function MarketingConsentCard({ smsCounts, onChange, t }: { smsCounts: boolean; onChange: (smsCounts: boolean) => void; t: Translate }) {
  return (
    <SettingsCard heading={t("consent.settings.heading")} intro={t("consent.settings.sources")}>
      <Checkbox label={t("consent.settings.smsCounts")} helpText={t("consent.settings.smsCountsHelp")} checked={smsCounts} onChange={onChange} />
    </SettingsCard>
  );
}
