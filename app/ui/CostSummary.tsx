// The costs page's four headline tiles: what the period cost, how many messages
// were paid or free, the cost per order, and how the messages fared.
import { Badge, BlockStack, Card, InlineGrid, Text } from "@shopify/polaris";

import type { Locale, Translate } from "../i18n";
import { plural } from "../i18n/codes";
import type { CostReport } from "../pricing/report.server";
import { pct } from "./CostBreakdown";

interface Props {
  t: Translate;
  locale: Locale;
  money: (micros: number) => string;
  report: Pick<CostReport, "totals" | "meta" | "orders">;
}

export function CostSummary({ t, locale, money, report }: Props) {
  const count = new Intl.NumberFormat(locale);
  const { totals } = report;
  return (
    <InlineGrid columns={{ xs: 1, sm: 2, md: 4 }} gap="400">
      <Card>
        <BlockStack gap="100">
          <Text as="h2" variant="headingSm">
            {t("costs.total")}
          </Text>
          <Text as="p" variant="heading2xl">
            <span data-testid="cost-total">{money(totals.costMicros)}</span>
          </Text>
          {report.meta.totalMicros !== null ? (
            <Text as="p" tone="subdued">
              {t("costs.meta.total", { cost: money(report.meta.totalMicros) })}
            </Text>
          ) : null}
          {totals.unknownRate ? <Badge tone="warning">{plural(t, locale, "costs.unknownRate", totals.unknownRate)}</Badge> : null}
        </BlockStack>
      </Card>
      <Card>
        <BlockStack gap="100">
          <Text as="h2" variant="headingSm">
            {t("costs.volume")}
          </Text>
          <Text as="p" variant="headingLg">
            {t("costs.paidFree", { paid: count.format(totals.charged + totals.unknownRate), free: count.format(totals.free) })}
          </Text>
          <Text as="p" tone="subdued">
            {t("costs.sent", { count: count.format(totals.sent) })}
          </Text>
        </BlockStack>
      </Card>
      <Card>
        <BlockStack gap="100">
          <Text as="h2" variant="headingSm">
            {t("costs.perOrder")}
          </Text>
          <Text as="p" variant="headingLg">
            {report.orders.perOrderMicros === null ? "—" : money(report.orders.perOrderMicros)}
          </Text>
          <Text as="p" tone="subdued">
            {plural(t, locale, "costs.orders", report.orders.count)}
          </Text>
        </BlockStack>
      </Card>
      <Card>
        <BlockStack gap="100">
          <Text as="h2" variant="headingSm">
            {t("costs.outcomes")}
          </Text>
          <Text as="p">{t("costs.rate.delivered", { rate: pct(locale, totals.delivered, totals.sent) })}</Text>
          <Text as="p">{t("costs.rate.read", { rate: pct(locale, totals.read, totals.delivered) })}</Text>
          <Text as="p">{t("costs.rate.replied", { rate: pct(locale, totals.replied, totals.delivered) })}</Text>
          <Text as="p">{t("costs.rate.failed", { rate: pct(locale, totals.failed, totals.sent) })}</Text>
        </BlockStack>
      </Card>
    </InlineGrid>
  );
}
