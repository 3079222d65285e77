import { Link, useFetcher } from "@remix-run/react";
import { Badge, Banner, BlockStack, Button, Card, Checkbox, ChoiceList, InlineGrid, InlineStack, Modal, ProgressBar, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";

import { type Locale, type MessageKey, translator } from "../i18n";
import type { MessageActionResult } from "./CampaignMessageCard";

type Progress = { total: number; queued: number; scheduled: number; sent: number; delivered: number; read: number; failed: number; cancelled: number };

interface Props {
  locale: Locale;
  campaignId: string;
  timezone: string;
  status: string;
  scheduleKind: string;
  sendAt: string | null;
  localTime: string | null;
  /** The shop's today, the date field's start. */
  today: string;
  overBudget: boolean;
  progress: Progress | null;
  /** False keeps scheduling disabled, saying why: nothing can go out before the number is connected. */
  connected: boolean;
}

const STEPS = ["queued", "scheduled", "sent", "delivered", "read", "failed", "cancelled"] as const;

function ScheduleForm({ locale, timezone, today, overBudget, connected }: Pick<Props, "locale" | "timezone" | "today" | "overBudget" | "connected">) {
  const t = translator(locale);
  const fetcher = useFetcher<MessageActionResult>();
  const [kind, setKind] = useState<string[]>(["NOW"]);
  const [date, setDate] = useState(today);
  const [time, setTime] = useState("10:00");
  const [approved, setApproved] = useState(false);
  const result = fetcher.data && !fetcher.data.ok ? fetcher.data : null;
  const error = (...fields: string[]) => (result && fields.includes(result.field) ? t(`campaigns.scheduleError.${result.field}.${result.code}` as MessageKey) : undefined);
  const general = result && !["sendAt", "localTime", "overBudgetApproved"].includes(result.field) ? error(result.field) : undefined;
  return (
    <fetcher.Form method="post">
      <input type="hidden" name="intent" value="schedule" />
      <BlockStack gap="300">
        <ChoiceList
          title={t("campaigns.schedule")}
          titleHidden
          name="kind"
          choices={[
            { label: t("campaigns.schedule.NOW"), value: "NOW" },
            { label: t("campaigns.schedule.AT", { timezone }), value: "AT" },
            { label: t("campaigns.schedule.LOCAL"), value: "LOCAL" },
          ]}
          selected={kind}
          onChange={setKind}
        />
        {kind[0] !== "NOW" ? (
          <InlineGrid columns={{ xs: 1, md: 2 }} gap="300">
            <TextField label={t("campaigns.schedule.date")} name="date" type="date" value={date} onChange={setDate} autoComplete="off" error={error("sendAt")} />
            <TextField label={t("campaigns.schedule.time")} name="time" type="time" value={time} onChange={setTime} autoComplete="off" error={error("localTime")} />
          </InlineGrid>
        ) : null}
        {overBudget ? <Checkbox label={t("campaigns.schedule.overBudget")} name="overBudgetApproved" checked={approved} onChange={setApproved} error={error("overBudgetApproved")} /> : null}
        {general ? <Banner tone="critical">{general}</Banner> : null}
        <InlineStack>
          <Button submit variant="primary" disabled={!connected} loading={fetcher.state !== "idle"}>
            {t("campaigns.schedule.submit")}
          </Button>
        </InlineStack>
        {connected ? null : (
          <Text as="p" tone="subdued">
            {t("empty.connect.disabled")}
          </Text>
        )}
      </BlockStack>
    </fetcher.Form>
  );
}

function Controls({ locale, status }: Pick<Props, "locale" | "status">) {
  const t = translator(locale);
  const fetcher = useFetcher<MessageActionResult>();
  const [confirming, setConfirming] = useState(false);
  const act = (intent: string) => fetcher.submit({ intent }, { method: "post" });
  const busy = fetcher.state !== "idle";
  // The dialog closes once the cancel is answered; a refusal shows beside the controls.
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data) setConfirming(false);
  }, [fetcher.state, fetcher.data]);
  return (
    <BlockStack gap="200">
      {fetcher.data && !fetcher.data.ok ? <Banner tone="critical">{t(`campaigns.changeError.${fetcher.data.code}` as MessageKey)}</Banner> : null}
      <Modal
        open={confirming}
        onClose={() => setConfirming(false)}
        title={t("campaigns.cancel")}
        primaryAction={{ content: t("campaigns.cancel.yes"), destructive: true, loading: busy, onAction: () => act("cancel") }}
        secondaryActions={[{ content: t("campaigns.cancel.no"), onAction: () => setConfirming(false) }]}
      >
        <Modal.Section>
          <Text as="p">{t("campaigns.cancel.confirm")}</Text>
        </Modal.Section>
      </Modal>
      <InlineStack gap="200">
        {status === "SCHEDULED" || status === "SENDING" ? (
          <Button loading={busy} onClick={() => act("pause")}>
            {t("campaigns.pause")}
          </Button>
        ) : null}
        {status === "PAUSED" ? (
          <Button variant="primary" loading={busy} onClick={() => act("resume")}>
            {t("campaigns.resume")}
          </Button>
        ) : null}
        <Button tone="critical" onClick={() => setConfirming(true)}>
          {t("campaigns.cancel")}
        </Button>
      </InlineStack>
    </BlockStack>
  );
}

/** When it goes (a draft's schedule form), then its controls and live progress. */
export function CampaignSendingCard(props: Props) {
  const { locale, status, progress } = props;
  const t = translator(locale);
  const number = new Intl.NumberFormat(locale);
  const when = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: props.scheduleKind === "LOCAL" ? undefined : "short", timeZone: props.timezone });
  const handled = progress ? progress.sent + progress.delivered + progress.read + progress.failed + progress.cancelled : 0;
  return (
    <Card>
      <BlockStack gap="400">
        <InlineStack align="space-between" blockAlign="center">
          <Text as="h2" variant="headingMd">
            {status === "DRAFT" ? t("campaigns.schedule") : t("campaigns.progress")}
          </Text>
          <Badge tone={status === "SENDING" ? "info" : status === "DONE" ? "success" : status === "CANCELLED" ? "critical" : undefined}>{t(`campaigns.sending.status.${status}` as MessageKey)}</Badge>
        </InlineStack>
        {status === "DRAFT" ? <ScheduleForm {...props} /> : null}
        {props.sendAt && (status === "SCHEDULED" || status === "PAUSED") ? (
          <Text as="p">
            {props.scheduleKind === "LOCAL" && props.localTime
              ? t("campaigns.scheduled.local", { time: props.localTime, date: when.format(new Date(props.sendAt)) })
              : t("campaigns.scheduled.at", { date: when.format(new Date(props.sendAt)) })}
          </Text>
        ) : null}
        {progress ? (
          <BlockStack gap="200">
            <Text as="p">{t("campaigns.progress.summary", { done: number.format(handled), total: number.format(progress.total) })}</Text>
            <ProgressBar progress={progress.total ? Math.round((handled / progress.total) * 100) : 0} size="small" />
            <InlineGrid columns={{ xs: 2, md: 7 }} gap="200">
              {STEPS.map((step) => (
                <BlockStack key={step} gap="050">
                  <Text as="p" tone="subdued">
                    {t(`campaigns.progress.${step}` as MessageKey)}
                  </Text>
                  <Text as="p" variant="headingMd" id={`progress-${step}`}>
                    {number.format(progress[step])}
                  </Text>
                </BlockStack>
              ))}
            </InlineGrid>
          </BlockStack>
        ) : null}
        {["SCHEDULED", "SENDING", "PAUSED"].includes(status) ? <Controls locale={locale} status={status} /> : null}
        {status !== "DRAFT" ? <Link to={`/app/campaigns/${props.campaignId}/results`}>{t("campaigns.sending.results")}</Link> : null}
      </BlockStack>
    </Card>
  );
}
