// Automations page: what a cash-on-delivery answer does in Shopify, and when the one reminder goes.
import { Checkbox, TextField } from "@shopify/polaris";

import type { Translate } from "../i18n";
import { SettingsCard } from "./SettingsCard";

export interface CodDraft {
  cancelOrders: boolean;
  hours: string;
}

export function CodSettingsCard({ draft, onChange, error, t }: { draft: CodDraft; onChange: (draft: CodDraft) => void; error?: string; t: Translate }) {
  return (
    <SettingsCard heading={t("cod.settings.heading")} intro={t("cod.settings.tags")}>
      <Checkbox label={t("cod.settings.cancelOrders")} helpText={t("cod.settings.cancelOrdersHelp")} checked={draft.cancelOrders} onChange={(cancelOrders) => onChange({ ...draft, cancelOrders })} />
      <TextField label={t("cod.settings.reminderHours")} type="number" autoComplete="off" value={draft.hours} onChange={(hours) => onChange({ ...draft, hours })} error={error} />
    </SettingsCard>
  );
}
