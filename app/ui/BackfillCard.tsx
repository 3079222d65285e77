// Home page: the order backfill's progress while it runs, its outcome after.
import { useRevalidator } from "@remix-run/react";
import { Banner, BlockStack, Card, ProgressBar, Text } from "@shopify/polaris";
import { useEffect } from "react";

import type { Translate } from "../i18n";

export interface BackfillView {
  status: string;
  total: number | null;
  read: number;
  stored: number;
  /** Failed because Shopify refused the app's access (else after repeated errors). */
  authLost: boolean;
}

const REFRESH_MS = 3_000;

export function BackfillCard({ backfill, t, format }: { backfill: BackfillView; t: Translate; format: (n: number) => string }) {
  const revalidator = useRevalidator();
  const running = backfill.status === "PENDING" || backfill.status === "RUNNING";
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => revalidator.state === "idle" && revalidator.revalidate(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [running, revalidator]);

  if (backfill.status === "FAILED") return <Banner tone="warning">{t(backfill.authLost ? "home.backfill.failed" : "home.backfill.failedRepeatedly")}</Banner>;
  const total = backfill.total ?? 0;
  const percent = running ? (total > 0 ? Math.min(100, Math.round((backfill.read / total) * 100)) : 0) : 100;
  return (
    <Card>
      <BlockStack gap="200">
        <Text as="h2" variant="headingMd">
          {t("home.backfill.heading")}
        </Text>
        <ProgressBar progress={percent} tone={running ? "highlight" : "success"} size="small" />
        <Text as="p" tone="subdued">
          {running
            ? backfill.total === null
              ? t("home.backfill.counting")
              : t("home.backfill.running", { read: format(backfill.read), total: format(total) })
            : t("home.backfill.done", { stored: format(backfill.stored), read: format(backfill.read) })}
        </Text>
      </BlockStack>
    </Card>
  );
}
