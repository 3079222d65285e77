// Automations page: what a cash-on-delivery answer does in Shopify, and when the one reminder goes.
import { Checkbox, TextField } from "@shopify/polaris";
import { useState } from "react";

import type { Translate } from "../i18n";
import { SettingsCard } from "./SettingsCard";

export function CodSettingsCard({ settings, t }: { settings: { cancelOrders: boolean; reminderHours: number }; t: Translate }) {
  const [cancelOrders, setCancelOrders] = useState(settings.cancelOrders);
  const [hours, setHours] = useState(String(settings.reminderHours));
  return (
    <SettingsCard intent="cod-settings" heading={t("cod.settings.heading")} intro={t("cod.settings.tags")} t={t}>
      {(result) => (
        <>
          <input type="hidden" name="cancelOrders" value={cancelOrders ? "on" : "off"} />
          <Checkbox label={t("cod.settings.cancelOrders")} helpText={t("cod.settings.cancelOrdersHelp")} checked={cancelOrders} onChange={setCancelOrders} />
          <TextField label={t("cod.settings.reminderHours")} name="reminderHours" type="number" autoComplete="off" value={hours} onChange={setHours} error={result?.errors?.reminderHours} />
        </>
      )}
    </SettingsCard>
  );
}
