// Cost per day stacked by pricing category, drawn with Shopify's Polaris Viz
// so it reads like the rest of the admin. Charts measure the page, so they
// render in the browser only; the server sends the same numbers as a table
// for screen readers and for pages without JavaScript.
import { BarChart, PolarisVizProvider } from "@shopify/polaris-viz";
import { useEffect, useState } from "react";

import { formatMicros } from "./money";

interface Props {
  days: { day: string; costs: Record<string, number> }[];
  categories: { key: string; label: string }[];
  currency: string;
  locale: string;
}

export function CostChart({ days, categories, currency, locale }: Props) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const shortDay = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: "UTC" });
  const used = categories.filter((c) => days.some((d) => (d.costs[c.key] ?? 0) > 0));
  const series = (used.length ? used : categories.slice(0, 2)).map((c) => ({
    name: c.label,
    data: days.map((d) => ({ key: shortDay.format(new Date(`${d.day}T12:00:00Z`)), value: (d.costs[c.key] ?? 0) / 1_000_000 })),
  }));
  return (
    <div style={{ height: 260 }} data-testid="cost-chart">
      {mounted ? (
        <PolarisVizProvider>
          <BarChart
            data={series}
            type="stacked"
            theme="Light"
            isAnimated={false}
            yAxisOptions={{ labelFormatter: (value) => formatMicros(Number(value ?? 0) * 1_000_000, currency, locale) }}
            tooltipOptions={{ valueFormatter: (value) => formatMicros(Number(value ?? 0) * 1_000_000, currency, locale) }}
          />
        </PolarisVizProvider>
      ) : (
        <table>
          <tbody>
            {days.map((d) => (
              <tr key={d.day}>
                <th scope="row">{d.day}</th>
                {used.map((c) => (
                  <td key={c.key}>{formatMicros(d.costs[c.key] ?? 0, currency, locale)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
