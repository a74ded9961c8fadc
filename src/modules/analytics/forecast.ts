import { AutoETS, initSync as initEts } from '@bsull/augurs/ets';
import { initSync as initMstl, MSTL } from '@bsull/augurs/mstl';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Actor } from '../../kernel/auth/actor';
import type { Executor } from '../../kernel/db/database';
import { validationFailed } from '../../kernel/http/problem';
import { Dec, formatMoney } from '../billing/index';
import { dayBefore } from './days';
import { chosenCurrency, revenue } from './revenue';
import type { ForecastQuery, RevenueForecast } from './schemas';

/** The fewest points augurs' ETS fits (fewer: "not enough data"). */
export const MIN_MONTHS = 7;
/** Two full years before a yearly season is modelled. */
const SEASONAL_MONTHS = 24;
const MAX_HISTORY_MONTHS = 60;

// augurs (Grafana's time-series library, Rust compiled to WebAssembly): its modules are loaded
// once, synchronously, from the package's own .wasm files.
let loaded = false;
function loadModels() {
  if (loaded) return;
  const dir = path.dirname(createRequire(import.meta.url).resolve('@bsull/augurs'));
  initEts({ module: readFileSync(path.join(dir, 'ets_bg.wasm')) });
  initMstl({ module: readFileSync(path.join(dir, 'mstl_bg.wasm')) });
  loaded = true;
}

interface Model {
  method: string;
  predict(history: number[], months: number, level: number): { point: number[]; lower: number[]; upper: number[] };
}

/** MSTL (a yearly season taken out, ETS on the rest) with two years of history; AutoETS without a season before. */
function modelFor(length: number): Model {
  const seasonal = length >= SEASONAL_MONTHS;
  return {
    method: seasonal ? 'MSTL, yearly season (12 months), AutoETS on the trend' : 'AutoETS, no season (less than 24 months of history)',
    predict(history, months, level) {
      loadModels();
      const model = seasonal ? MSTL.ets([12]) : new AutoETS(1, 'ZZN');
      try {
        model.fit(history);
        const forecast = model.predict(months, level);
        return { point: forecast.point, lower: forecast.intervals?.lower ?? forecast.point, upper: forecast.intervals?.upper ?? forecast.point };
      } catch (error) {
        // A series the model cannot fit is a property of the data, not a server fault.
        throw validationFailed([{ field: 'currency', message: `its monthly revenue could not be modelled (${error instanceof Error ? error.message : String(error)})` }]);
      } finally {
        model.free();
      }
    },
  };
}

/** The held-back months predicted from the others; null when the shorter history cannot be fitted. */
function backtestFit(history: number[], months: number, level: number): number[] | null {
  try {
    return modelFor(history.length).predict(history, months, level).point;
  } catch {
    return null;
  }
}

const monthOf = (day: string) => day.slice(0, 7);
function addMonths(month: string, n: number): string {
  const d = new Date(`${month}-01T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + n);
  return d.toISOString().slice(0, 7);
}

/**
 * Revenue forecast (issue 6 §6): monthly revenue (invoiced less credited, in `currency`, the base
 * currency converting every other) up to the last full month, the next months predicted with
 * prediction intervals, and a backtest: the same model fitted without the last months, scored on them.
 */
export async function revenueForecast(executor: Executor, actor: Actor, query: ForecastQuery, today: string): Promise<RevenueForecast> {
  const lastMonth = addMonths(monthOf(today), -1);
  const firstMonth = addMonths(lastMonth, -(MAX_HISTORY_MONTHS - 1));
  const to = dayBefore(`${monthOf(today)}-01`, 1);
  const report = await revenue(executor, actor, { from: `${firstMonth}-01`, to, interval: 'month', format: 'json' });
  const currency = chosenCurrency(query.currency, report.base_currency);
  const inBase = currency === report.base_currency;
  const monthly = report.periods.map((period) => {
    const figures = inBase ? period.base : period.currencies.find((c) => c.currency === currency);
    return { month: monthOf(period.start), revenue: figures ? new Dec(figures.invoiced).minus(figures.credited) : new Dec(0) };
  });
  const first = monthly.findIndex((m) => !m.revenue.isZero());
  const history = first < 0 ? [] : monthly.slice(first);
  if (history.length < MIN_MONTHS) {
    throw validationFailed([{ field: 'currency', message: `has ${history.length} months of revenue up to ${lastMonth}; a forecast needs at least ${MIN_MONTHS}` }]);
  }
  const values = history.map((m) => m.revenue.toNumber());
  const model = modelFor(values.length);
  const predicted = model.predict(values, query.months, query.level);
  const money = (value: number) => formatMoney(new Dec(value), currency);

  // Held back: as many months as are forecast, when enough remain to fit the same kind of model.
  let backtest: RevenueForecast['backtest'] = null;
  const held = query.months;
  const fitted = values.length - held >= MIN_MONTHS ? backtestFit(values.slice(0, -held), held, query.level) : null;
  if (fitted) {
    const actual = values.slice(-held);
    const errors = actual.map((value, i) => Math.abs(value - fitted[i]!));
    const withRevenue = actual.map((value, i) => [value, errors[i]!] as const).filter(([value]) => value !== 0);
    backtest = {
      months: held,
      mean_absolute_error: money(errors.reduce((a, b) => a + b, 0) / held),
      mean_absolute_percentage_error: withRevenue.length === 0 ? null : ((withRevenue.reduce((sum, [value, error]) => sum + error / Math.abs(value), 0) / withRevenue.length) * 100).toFixed(1),
    };
  }
  return {
    currency,
    method: model.method,
    level: query.level,
    history: history.map((m) => ({ month: m.month, revenue: formatMoney(m.revenue, currency) })),
    forecast: predicted.point.map((point, i) => ({ month: addMonths(lastMonth, i + 1), revenue: money(point), lower: money(predicted.lower[i]!), upper: money(predicted.upper[i]!) })),
    backtest,
  };
}
