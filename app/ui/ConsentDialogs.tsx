// Marketing consent changes staff make from a thread page, each behind a
// confirmation: stopping offers (queued ones are cancelled), and the undo when
// the customer asked for offers again, which needs the reason it records.
import { useFetcher } from "@remix-run/react";
import { Banner, BlockStack, Modal, Text, TextField } from "@shopify/polaris";
import { useEffect, useState } from "react";

import type { Translate } from "../i18n";
import { errorText } from "../i18n/codes";

type ConsentAnswer = { ok: true; status: string } | { ok: false; field: string; code: string };

/** Which dialog a page has open: the opt-out, or the opt-back-in. */
export type ConsentDialog = "opt-out" | "opt-in";

/**
 * The open dialog, mounted while it is open (each opening starts without the
 * last one's answer); on confirm it posts its intent to the page's own action,
 * and closes once the change is made.
 */
export function ConsentDialogs({ t, open, onClose }: { t: Translate; open: ConsentDialog; onClose: () => void }) {
  const fetcher = useFetcher<ConsentAnswer>();
  const [reason, setReason] = useState("");
  const busy = fetcher.state !== "idle";
  const answer = fetcher.data;
  useEffect(() => {
    if (fetcher.state === "idle" && answer?.ok) onClose();
  }, [fetcher.state, answer, onClose]);
  const submit = (fields: Record<string, string>) => fetcher.submit({ ...fields, requestId: crypto.randomUUID() }, { method: "post" });
  const refusal = answer && !answer.ok ? answer : null;
  const refusalBanner = refusal && refusal.field !== "reason" ? <Banner tone="critical">{errorText(t, { key: `actionError.${refusal.code}`, params: {} })}</Banner> : null;
  if (open === "opt-out") {
    return (
      <Modal
        open
        onClose={onClose}
        title={t("confirm.optOut.title")}
        primaryAction={{ content: t("confirm.optOut.confirm"), destructive: true, loading: busy, onAction: () => submit({ intent: "opt-out" }) }}
        secondaryActions={[{ content: t("confirm.cancel"), onAction: onClose }]}
      >
        <Modal.Section>
          <BlockStack gap="200">
            {refusalBanner}
            <Text as="p">{t("confirm.optOut.text")}</Text>
          </BlockStack>
        </Modal.Section>
      </Modal>
    );
  }
  return (
    <Modal
      open
      onClose={onClose}
      title={t("confirm.optIn.title")}
      primaryAction={{ content: t("confirm.optIn.confirm"), loading: busy, onAction: () => submit({ intent: "opt-in", reason }) }}
      secondaryActions={[{ content: t("confirm.cancel"), onAction: onClose }]}
    >
      <Modal.Section>
        <BlockStack gap="200">
          {refusalBanner}
          <Text as="p">{t("confirm.optIn.text")}</Text>
          <TextField
            label={t("confirm.optIn.reason")}
            placeholder={t("confirm.optIn.reasonExample")}
            value={reason}
            onChange={setReason}
            multiline={2}
            maxLength={500}
            autoComplete="off"
            error={refusal?.field === "reason" ? (refusal.code === "reasonTooLong" ? errorText(t, { key: "actionError.reasonTooLong", params: {} }) : t("confirm.optIn.reasonRequired")) : undefined}
          />
        </BlockStack>
      </Modal.Section>
    </Modal>
  );
}
