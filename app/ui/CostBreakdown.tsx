// One breakdown of the cost report (by market, template or automation): the
// first twelve rows with what was sent, read and what it cost.
import { Box, Card, DataTable, Text, Tooltip } from "@shopify/polaris";
import type { ReactNode } from "react";

import type { Locale, Translate } from "../i18n";
import { plural } from "../i18n/codes";

/** `part` as a percentage of `whole` (one decimal) as the locale writes it ("97,5 %" in Spanish), or a dash when there is no whole. */
export const pct = (locale: Locale, part: number, whole: number) => (whole ? new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(part / whole) : "—");

/**
 * A row's cost. Zero only because its messages have no rate: unknown, not
 * free. Some known and some not: the known sum is a floor, said as "at least"
 * with how many messages it leaves out.
 */
export function costCell(t: Translate, locale: Locale, money: (micros: number) => string, row: { costMicros: number; unknownRate: number }): ReactNode {
  if (row.unknownRate === 0) return money(row.costMicros);
  if (row.costMicros === 0) return t("costs.unknownCost");
  const why = plural(t, locale, "empty.costs.partial", row.unknownRate);
  // The tooltip for the pointer; the same sentence, hidden, for screen readers.
  return (
    <Tooltip content={why}>
      <Text as="span" tone="caution">
        {t("empty.costs.atLeast", { cost: money(row.costMicros) })}
        <Text as="span" visuallyHidden>{` ${why}`}</Text>
      </Text>
    </Tooltip>
  );
}

export function CostBreakdown(props: {
  title: string;
  rows: { key: string; sent: number; delivered: number; read: number; charged: number; unknownRate: number; costMicros: number }[];
  label: (key: string) => string;
  cost: (row: { costMicros: number; unknownRate: number }) => ReactNode;
  t: Translate;
  locale: Locale;
}) {
  const { title, rows, label, cost, t, locale } = props;
  const count = new Intl.NumberFormat(locale);
  return (
    <Card padding="0">
      <Box padding="400">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
      </Box>
      <DataTable
        columnContentTypes={["text", "numeric", "numeric", "numeric"]}
        headings={[t("costs.col.name"), t("costs.col.sent"), t("costs.col.read"), t("costs.col.cost")]}
        rows={rows.slice(0, 12).map((r) => [label(r.key), count.format(r.sent), pct(locale, r.read, r.delivered), cost(r)])}
      />
    </Card>
  );
}
