// One breakdown of the cost report (by market, template or automation): the
// first twelve rows with what was sent, read and what it cost.
import { Box, Card, DataTable, Text } from "@shopify/polaris";

import type { Translate } from "../i18n";

/** `part` as a percentage of `whole` (one decimal), or a dash when there is no whole. */
export const pct = (part: number, whole: number) => (whole ? `${Math.round((part / whole) * 1000) / 10}%` : "—");

export function CostBreakdown(props: {
  title: string;
  rows: { key: string; sent: number; delivered: number; read: number; charged: number; unknownRate: number; costMicros: number }[];
  label: (key: string) => string;
  cost: (row: { costMicros: number; unknownRate: number }) => string;
  t: Translate;
}) {
  const { title, rows, label, cost, t } = props;
  return (
    <Card padding="0">
      <Box padding="400">
        <Text as="h2" variant="headingMd">{title}</Text>
      </Box>
      <DataTable
        columnContentTypes={["text", "numeric", "numeric", "numeric"]}
        headings={[t("costs.col.name"), t("costs.col.sent"), t("costs.col.read"), t("costs.col.cost")]}
        rows={rows.slice(0, 12).map((r) => [label(r.key), r.sent, pct(r.read, r.delivered), cost(r)])}
      />
    </Card>
  );
}
