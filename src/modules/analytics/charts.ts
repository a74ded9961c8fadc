import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { Actor } from '../../kernel/auth/actor';
import type { Executor } from '../../kernel/db/database';
import { baseCurrencyOf } from '../billing/index';
import { arAging } from './ar-aging';
import { chosenCurrency, revenue } from './revenue';
import type { ArAging, ArAgingChartQuery, Revenue, RevenueChartQuery } from './schemas';

export interface BarChart {
  title: string;
  xTitle: string;
  yTitle: string;
  /** One bar per row, grouped by `x` and coloured by `series`, in the order given. */
  rows: { x: string; series: string; value: number }[];
}

/**
 * A grouped bar chart as SVG, drawn by Vega-Lite without a browser or a canvas. Each bar carries
 * an `aria-label` with its values, so screen readers (and tests) can read the figures.
 * The spec is ours alone, never a caller's: no Vega expression from outside is ever evaluated.
 */
export async function barChartSvg(chart: BarChart): Promise<string> {
  const spec: TopLevelSpec = {
    title: chart.title,
    width: 640,
    height: 320,
    background: 'white',
    data: { values: chart.rows },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'x', type: 'ordinal', title: chart.xTitle, sort: null },
      xOffset: { field: 'series', sort: null },
      y: { field: 'value', type: 'quantitative', title: chart.yTitle },
      color: { field: 'series', title: null, sort: null },
    },
  };
  return new View(parse(compile(spec).spec), { renderer: 'none' }).toSVG();
}

const num = (amount: string | null | undefined) => Number(amount ?? 0);

/** The revenue chart of a query: the report in the chosen currency (the base currency by default). */
export async function revenueChartFor(executor: Executor, actor: Actor, query: RevenueChartQuery): Promise<{ name: string; chart: BarChart }> {
  const report = await revenue(executor, actor, { ...query, format: 'json' });
  const currency = chosenCurrency(query.currency, report.base_currency);
  return { name: `revenue-${report.from}-${report.to}`, chart: revenueChart(report, currency) };
}

/** The aging chart of a query, in the chosen currency (the base currency by default). */
export async function agingChartFor(executor: Executor, actor: Actor, query: ArAgingChartQuery, today: string): Promise<{ name: string; chart: BarChart }> {
  const currency = chosenCurrency(query.currency, await baseCurrencyOf(executor, actor.organizationId));
  const aging = await arAging(executor, actor, query.as_of ?? today, query.client_id);
  return { name: `ar-aging-${aging.as_of}`, chart: agingChart(aging, currency) };
}

/** Revenue per interval: invoiced (less credit notes) beside collected (less refunds), in one currency. */
function revenueChart(report: Revenue, currency: string): BarChart {
  const inBase = currency === report.base_currency;
  const rows = report.periods.flatMap((period) => {
    const figures = inBase ? period.base : period.currencies.find((c) => c.currency === currency);
    const invoiced = figures ? num(figures.invoiced) - num(figures.credited) : 0;
    return [
      { x: period.start, series: 'invoiced', value: invoiced },
      { x: period.start, series: 'collected', value: num(figures?.net_collected) },
    ];
  });
  const converted = inBase && report.periods.some((p) => p.currencies.some((c) => c.currency !== currency)) ? ', all currencies converted' : '';
  return { title: `Revenue in ${currency}${converted}, ${report.from} to ${report.to}`, xTitle: report.interval, yTitle: currency, rows };
}

/** What was owed in one currency at the end of a day, per bucket of days past due. */
function agingChart(aging: ArAging, currency: string): BarChart {
  const totals = aging.currency_totals.find((t) => t.currency === currency);
  const buckets = [['current', 'current'], ['1-30 days', 'days_1_30'], ['31-60 days', 'days_31_60'], ['61-90 days', 'days_61_90'], ['over 90 days', 'days_over_90']] as const;
  return {
    title: `Receivables in ${currency} at the end of ${aging.as_of}`,
    xTitle: 'days past due',
    yTitle: currency,
    rows: buckets.map(([label, key]) => ({ x: label, series: 'owed', value: num(totals?.[key]) })),
  };
}
