// Inbox settings page: opening hours per weekday (shown in the shop's
// timezone) and the inbox rules' numbers and switches, saved together.
import { useFetcher } from "@remix-run/react";
import { BlockStack, Button, Card, Checkbox, InlineError, InlineGrid, InlineStack, Text, TextField } from "@shopify/polaris";
import { useState } from "react";

import type { BusinessHours } from "../messaging/business-hours";
import type { Translate } from "../i18n";
import type { InboxSettingsField, inboxSettingsOf } from "../messaging/inbox-settings.server";
import { useSavedToast } from "./AdminUi";

type Settings = ReturnType<typeof inboxSettingsOf>;
type SaveResult = { ok: boolean; errors?: Partial<Record<InboxSettingsField, string>> };

const DEFAULT_RANGE = { open: "09:00", close: "18:00" };

export function InboxSettingsForm({ t, settings, weekdays }: { t: Translate; settings: Settings; weekdays: string[] }) {
  const fetcher = useFetcher<SaveResult>();
  const [hours, setHours] = useState<BusinessHours>(settings.businessHours);
  const [away, setAway] = useState(settings.awayMessageEnabled);
  const [target, setTarget] = useState(String(settings.firstResponseTargetMinutes));
  const [hold, setHold] = useState(String(settings.phoneAppHoldHours));
  const [vipTag, setVipTag] = useState(settings.vipCustomerTag);
  const [vipSpend, setVipSpend] = useState(settings.vipSpend);
  const [orderStatus, setOrderStatus] = useState(settings.orderStatusAnswers);
  const errors = fetcher.data?.errors ?? {};
  useSavedToast(fetcher.data, fetcher.data?.ok === true, t("inboxSettings.saved"));
  const setDay = (day: number, ranges: BusinessHours[number]) => setHours((current) => current.map((r, i) => (i === day ? ranges : r)));
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="intent" value="settings" />
      <input type="hidden" name="businessHours" value={JSON.stringify(hours)} />
      <input type="hidden" name="awayMessageEnabled" value={away ? "on" : "off"} />
      <input type="hidden" name="orderStatusAnswers" value={orderStatus ? "on" : "off"} />
      <BlockStack gap="400">
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t("inboxSettings.hours.heading")}
            </Text>
            <Text as="p" tone="subdued">
              {t("inboxSettings.hours.intro", { timezone: settings.timezone })}
            </Text>
            {weekdays.map((name, day) => (
              <DayRow key={day} t={t} name={name} ranges={hours[day] ?? []} onChange={(ranges) => setDay(day, ranges)} />
            ))}
            {errors.businessHours ? <InlineError fieldID="businessHours" message={errors.businessHours} /> : null}
            <Checkbox label={t("inboxSettings.awayMessage")} helpText={t("inboxSettings.awayMessageHelp")} checked={away} onChange={setAway} error={errors.awayMessageEnabled} />
          </BlockStack>
        </Card>
        <Card>
          <BlockStack gap="300">
            <Text as="h2" variant="headingMd">
              {t("inboxSettings.rules.heading")}
            </Text>
            <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
              <TextField
                label={t("inboxSettings.firstResponseTarget")}
                helpText={t("inboxSettings.firstResponseTargetHelp")}
                name="firstResponseTargetMinutes"
                type="number"
                autoComplete="off"
                value={target}
                onChange={setTarget}
                error={errors.firstResponseTargetMinutes}
              />
              <TextField
                label={t("inboxSettings.phoneAppHold")}
                helpText={t("inboxSettings.phoneAppHoldHelp")}
                name="phoneAppHoldHours"
                type="number"
                autoComplete="off"
                value={hold}
                onChange={setHold}
                error={errors.phoneAppHoldHours}
              />
              <TextField
                label={t("inboxSettings.vipTag")}
                helpText={t("inboxSettings.vipTagHelp")}
                name="vipCustomerTag"
                autoComplete="off"
                value={vipTag}
                onChange={setVipTag}
                error={errors.vipCustomerTag}
              />
              <TextField
                label={t("inboxSettings.vipSpend")}
                suffix={settings.currency ?? undefined}
                helpText={t("inboxSettings.vipSpendHelp")}
                name="vipSpendMicros"
                inputMode="decimal"
                autoComplete="off"
                value={vipSpend}
                onChange={setVipSpend}
                error={errors.vipSpendMicros}
              />
            </InlineGrid>
            <Checkbox
              label={t("inboxSettings.orderStatusAnswers")}
              helpText={t("inboxSettings.orderStatusAnswersHelp")}
              checked={orderStatus}
              onChange={setOrderStatus}
              error={errors.orderStatusAnswers}
            />
          </BlockStack>
        </Card>
        <InlineStack>
          <Button submit variant="primary" loading={fetcher.state !== "idle"}>
            {t("inboxSettings.save")}
          </Button>
        </InlineStack>
      </BlockStack>
    </fetcher.Form>
  );
}

/** A second range: the day split around a lunch break when it spans one, else an afternoon to adjust. */
function splitForLunch(range: BusinessHours[number][number]): BusinessHours[number] {
  if (range.open < "13:00" && range.close > "14:00")
    return [
      { open: range.open, close: "13:00" },
      { open: "14:00", close: range.close },
    ];
  return [range, { open: "14:00", close: "18:00" }];
}

/** One weekday: closed, or open with one or two ranges. */
function DayRow({ t, name, ranges, onChange }: { t: Translate; name: string; ranges: BusinessHours[number]; onChange: (ranges: BusinessHours[number]) => void }) {
  const setRange = (index: number, field: "open" | "close", value: string) => onChange(ranges.map((r, i) => (i === index ? { ...r, [field]: value } : r)));
  // A time field cannot hold 24:00: closing at midnight shows and is typed as 00:00.
  const closeShown = (close: string) => (close === "24:00" ? "00:00" : close);
  const closeTyped = (close: string) => (close === "00:00" ? "24:00" : close);
  return (
    <InlineStack gap="300" blockAlign="end" wrap>
      <div style={{ minWidth: "10rem" }}>
        <Checkbox label={`${name} · ${t("inboxSettings.hours.open")}`} checked={ranges.length > 0} onChange={(open) => onChange(open ? [DEFAULT_RANGE] : [])} />
      </div>
      {ranges.map((range, index) => (
        <InlineStack key={index} gap="200" blockAlign="end">
          <TextField label={`${name} ${t("inboxSettings.hours.from")}`} labelHidden={index > 0} type="time" autoComplete="off" value={range.open} onChange={(v) => setRange(index, "open", v)} />
          <TextField
            label={`${name} ${t("inboxSettings.hours.to")}`}
            labelHidden={index > 0}
            type="time"
            autoComplete="off"
            value={closeShown(range.close)}
            onChange={(v) => setRange(index, "close", closeTyped(v))}
          />
        </InlineStack>
      ))}
      {ranges.length === 1 ? <Button onClick={() => onChange(splitForLunch(ranges[0]!))}>{t("inboxSettings.hours.addRange")}</Button> : null}
      {ranges.length === 2 ? <Button onClick={() => onChange(ranges.slice(0, 1))}>{t("inboxSettings.hours.removeRange")}</Button> : null}
    </InlineStack>
  );
}
