// What the costs page's messages bought: the orders that cost the most in
// messages, and the revenue cart recovery brought back per unit spent.
import { Link } from "@remix-run/react";
import { BlockStack, Card, InlineGrid, InlineStack, Text } from "@shopify/polaris";

import type { Locale, Translate } from "../i18n";
import { plural } from "../i18n/codes";
import type { CostReport } from "../pricing/report.server";

interface Props {
  t: Translate;
  locale: Locale;
  money: (micros: number) => string;
  report: Pick<CostReport, "currency" | "orders" | "cartRecovery">;
}

export function CostReturns({ t, locale, money, report }: Props) {
  return (
    <InlineGrid columns={{ xs: 1, md: 2 }} gap="400">
      <Card>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            {t("costs.topOrders")}
          </Text>
          {report.orders.top.length ? (
            report.orders.top.map((o) => (
              <InlineStack key={o.id} align="space-between">
                <Link to={`/app/orders/${o.shopifyOrderId}`}>{o.name}</Link>
                <Text as="span">{money(o.costMicros)}</Text>
              </InlineStack>
            ))
          ) : (
            <Text as="p" tone="subdued">
              {t("costs.none")}
            </Text>
          )}
        </BlockStack>
      </Card>
      <Card>
        <BlockStack gap="200">
          <Text as="h2" variant="headingMd">
            {t("costs.cart.title")}
          </Text>
          <Text as="p">{t("costs.cart.spent", { cost: money(report.cartRecovery.costMicros) })}</Text>
          <Text as="p">
            {plural(t, locale, "costs.cart.recovered", report.cartRecovery.recoveredOrders, {
              revenue: report.cartRecovery.revenueCurrency
                ? new Intl.NumberFormat(locale, { style: "currency", currency: report.cartRecovery.revenueCurrency }).format(report.cartRecovery.revenue)
                : "—",
            })}
          </Text>
          <Text as="p" fontWeight="semibold">
            {report.cartRecovery.revenuePerUnit === null
              ? report.cartRecovery.recoveredOrders && report.cartRecovery.revenueCurrency !== report.currency
                ? t("costs.cart.otherCurrency")
                : t("costs.cart.noRatio")
              : t("costs.cart.ratio", {
                  ratio: new Intl.NumberFormat(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(report.cartRecovery.revenuePerUnit),
                  currency: report.currency,
                })}
          </Text>
        </BlockStack>
      </Card>
    </InlineGrid>
  );
}
