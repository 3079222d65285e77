// Cost per day stacked by pricing category, drawn with Shopify's Polaris Viz
// so it reads like the rest of the admin. Charts measure the page, so they
// render in the browser only; the server sends the same numbers as a table
// for screen readers and for pages without JavaScript.
import { BarChart, PolarisVizProvider } from "@shopify/polaris-viz";
import { type RefObject, useEffect, useMemo, useRef, useState } from "react";

import { formatDay } from "./dates";
import { formatMicros } from "./money";

interface Props {
  days: { day: string; costs: Record<string, number> }[];
  categories: { key: string; label: string }[];
  currency: string;
  locale: string;
}

/** Polaris Viz labels every bar or none: past a month the bars are too narrow for any, so the axis is drawn here. */
const OWN_AXIS_ABOVE_DAYS = 31;
const AXIS_LABELS = 8;

export function CostChart({ days, categories, currency, locale }: Props) {
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const chart = useRef<HTMLDivElement>(null);
  const shortDay = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", timeZone: "UTC" });
  const dayLabel = (day: string) => shortDay.format(new Date(`${day}T12:00:00Z`));
  const used = categories.filter((c) => days.some((d) => (d.costs[c.key] ?? 0) > 0));
  const series = (used.length ? used : categories.slice(0, 2)).map((c) => ({
    name: c.label,
    data: days.map((d) => ({ key: dayLabel(d.day), value: (d.costs[c.key] ?? 0) / 1_000_000 })),
  }));
  const ownAxis = days.length > OWN_AXIS_ABOVE_DAYS;
  const ticks = useMemo(() => axisTicks(days.length), [days.length]);
  return (
    <div data-testid="cost-chart">
      <div style={{ height: 260 }} ref={chart}>
        {mounted ? (
          <PolarisVizProvider>
            <BarChart
              data={series}
              type="stacked"
              theme="Light"
              isAnimated={false}
              xAxisOptions={{ hide: ownAxis }}
              yAxisOptions={{ labelFormatter: (value) => formatMicros(Number(value ?? 0) * 1_000_000, currency, locale) }}
              tooltipOptions={{ valueFormatter: (value) => formatMicros(Number(value ?? 0) * 1_000_000, currency, locale) }}
            />
          </PolarisVizProvider>
        ) : (
          <table>
            <tbody>
              {days.map((d) => (
                <tr key={d.day}>
                  <th scope="row">{formatDay(d.day, locale)}</th>
                  {used.map((c) => (
                    <td key={c.key}>{formatMicros(d.costs[c.key] ?? 0, currency, locale)}</td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {mounted && ownAxis ? <DateAxis chart={chart} ticks={ticks} label={(index) => dayLabel(days[index]!.day)} /> : null}
    </div>
  );
}

/** About AXIS_LABELS days evenly spaced from the first, and always the last. */
function axisTicks(count: number): number[] {
  const step = Math.max(1, Math.ceil(count / AXIS_LABELS));
  const ticks: number[] = [];
  for (let i = 0; i < count - step / 2; i += step) ticks.push(i);
  if (count > 0) ticks.push(count - 1);
  return ticks;
}

/**
 * Day labels under the bars they name: each is placed at its bar's centre as
 * the chart drew it (the bars' positions depend on the y axis's width, which
 * only Polaris Viz knows), and again whenever the chart redraws.
 */
function DateAxis({ chart, ticks, label }: { chart: RefObject<HTMLDivElement | null>; ticks: number[]; label: (index: number) => string }) {
  const [centres, setCentres] = useState<(number | null)[]>([]);
  useEffect(() => {
    const root = chart.current;
    if (!root) return;
    let frame = 0;
    const measure = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const origin = root.getBoundingClientRect().left;
        setCentres(
          ticks.map((index) => {
            const bar = root.querySelector(`[data-type="BarGroup"][data-index="${index}"]`)?.getBoundingClientRect();
            return bar ? bar.left + bar.width / 2 - origin : null;
          }),
        );
      });
    };
    const observer = new MutationObserver(measure);
    observer.observe(root, { childList: true, subtree: true });
    window.addEventListener("resize", measure);
    measure();
    return () => {
      cancelAnimationFrame(frame);
      observer.disconnect();
      window.removeEventListener("resize", measure);
    };
  }, [chart, ticks]);
  const last = ticks.length - 1;
  return (
    <ol aria-hidden="true" data-testid="cost-chart-axis" style={{ position: "relative", height: 18, margin: 0, padding: 0, listStyle: "none", fontSize: 11, color: "#70707b" }}>
      {ticks.map((index, i) =>
        centres[i] === null || centres[i] === undefined ? null : (
          <li key={index} style={{ position: "absolute", left: centres[i]!, whiteSpace: "nowrap", transform: i === 0 ? "none" : i === last ? "translateX(-100%)" : "translateX(-50%)" }}>
            {label(index)}
          </li>
        ),
      )}
    </ol>
  );
}
