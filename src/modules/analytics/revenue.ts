import type { Actor } from '../../kernel/auth/actor';
import type { Executor } from '../../kernel/db/database';
import { validationFailed } from '../../kernel/http/problem';
import type { TableDownload } from '../../kernel/http/spreadsheet';
import { groupBy } from '../../kernel/db/group';
import { baseCurrencyRates, clientNames, Dec, formatMoney, revenueByCategory, revenueFacts, type BaseCurrencyRates, type RevenueFact, type RevenueInterval } from '../billing/index';
import { checkPeriod } from './days';
import type { Revenue, RevenueQuery } from './schemas';

/** More would be a table nobody reads: ask for a longer interval instead. */
export const MAX_PERIODS = 1000;
const KINDS = ['invoiced', 'credited', 'collected', 'refunded'] as const;
type Kind = (typeof KINDS)[number];
type Sums = Record<Kind, Dec> & { invoices: number };

const utc = (day: string) => new Date(`${day}T00:00:00Z`);
const iso = (date: Date) => date.toISOString().slice(0, 10);

/** The first day of the interval holding `day` (weeks start on Monday, as PostgreSQL's date_trunc). */
function intervalStart(day: string, interval: RevenueInterval): Date {
  const d = utc(day);
  if (interval === 'week') d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  if (interval === 'month') d.setUTCDate(1);
  if (interval === 'quarter') d.setUTCMonth(d.getUTCMonth() - (d.getUTCMonth() % 3), 1);
  return d;
}

function nextStart(start: Date, interval: RevenueInterval): Date {
  const d = new Date(start);
  if (interval === 'day') d.setUTCDate(d.getUTCDate() + 1);
  if (interval === 'week') d.setUTCDate(d.getUTCDate() + 7);
  if (interval === 'month') d.setUTCMonth(d.getUTCMonth() + 1);
  if (interval === 'quarter') d.setUTCMonth(d.getUTCMonth() + 3);
  return d;
}

/** The intervals covering from..to, each clipped to it: `key` is the interval's first day, as the facts carry it. */
function periodsOf(from: string, to: string, interval: RevenueInterval): { key: string; start: string; end: string }[] {
  const periods = [];
  for (let start = intervalStart(from, interval); iso(start) <= to; start = nextStart(start, interval)) {
    if (periods.length === MAX_PERIODS) throw validationFailed([{ field: 'interval', message: `gives more than ${MAX_PERIODS} periods between from and to: choose a longer one` }]);
    const last = new Date(nextStart(start, interval).getTime() - 86_400_000);
    periods.push({ key: iso(start), start: iso(start) < from ? from : iso(start), end: iso(last) > to ? to : iso(last) });
  }
  return periods;
}

/**
 * The recorded rate of a currency in force on a day (its latest on or before it), 1 for the base
 * currency, null when none was recorded by then.
 */
export function rateFinder({ baseCurrency, rates }: BaseCurrencyRates) {
  const byCurrency = groupBy(rates, (r) => r.currency); // each oldest first
  return (currency: string, day: string): { rate: string; date: string | null } | null => {
    if (currency === baseCurrency) return { rate: '1', date: null };
    const found = byCurrency.get(currency)?.findLast((r) => r.date <= day);
    return found ? { rate: found.rate, date: found.date } : null;
  };
}

/** The currency a chart or forecast is in: the one asked for, else the base currency (a 422 while there is none). */
export function chosenCurrency(asked: string | undefined, baseCurrency: string | null): string {
  if (asked) return asked.toUpperCase();
  if (!baseCurrency) throw validationFailed([{ field: 'currency', message: 'is required until the billing profile sets a base currency' }]);
  return baseCurrency;
}

const empty = (): Sums => ({ invoiced: new Dec(0), credited: new Dec(0), collected: new Dec(0), refunded: new Dec(0), invoices: 0 });
function add(sums: Sums, fact: RevenueFact) {
  sums[fact.kind] = sums[fact.kind].plus(fact.amount);
  if (fact.kind === 'invoiced') sums.invoices += fact.count;
}
const present = (sums: Sums, currency: string) => ({
  invoices: sums.invoices,
  ...(Object.fromEntries(KINDS.map((kind) => [kind, formatMoney(sums[kind], currency)])) as Record<Kind, string>),
  net_collected: formatMoney(sums.collected.minus(sums.refunded), currency),
});
function sumBy<K>(facts: RevenueFact[], key: (fact: RevenueFact) => K): Map<K, Sums> {
  const sums = new Map<K, Sums>();
  for (const fact of facts) {
    const k = key(fact);
    if (!sums.has(k)) sums.set(k, empty());
    add(sums.get(k)!, fact);
  }
  return sums;
}

/**
 * Revenue (issue 6 §1): invoiced, credited, collected and refunded per interval and currency,
 * per client over the whole period, and each period in the base currency at the recorded rate
 * in force on its last day, the rate shown beside. Currencies are never added together.
 * `loaded`: the base currency and rates up to `query.to`, when the caller needs them too.
 */
export async function revenue(executor: Executor, actor: Actor, query: RevenueQuery, loaded?: Promise<BaseCurrencyRates>): Promise<Revenue> {
  checkPeriod(query.from, query.to);
  const periods = periodsOf(query.from, query.to, query.interval);
  const period = { from: query.from, to: query.to, clientId: query.client_id };
  const [facts, baseRates, categories] = await Promise.all([
    revenueFacts(executor, actor.organizationId, { ...period, interval: query.interval }),
    loaded ?? baseCurrencyRates(executor, actor.organizationId, query.to),
    revenueByCategory(executor, actor.organizationId, period),
  ]);
  const { baseCurrency } = baseRates;
  const currencies = [...new Set(facts.map((f) => f.currency))].sort();
  const byPeriod = sumBy(facts, (f) => `${f.period} ${f.currency}`);
  const byCurrency = sumBy(facts, (f) => f.currency);
  const byClient = sumBy(facts, (f) => `${f.clientId} ${f.currency}`);
  const names = await clientNames(executor, actor.organizationId, [...new Set(facts.map((f) => f.clientId))]);
  const rateOn = rateFinder(baseRates);
  const baseSums = { ...empty(), complete: true };

  return {
    from: query.from,
    to: query.to,
    interval: query.interval,
    client_id: query.client_id ?? null,
    base_currency: baseCurrency,
    periods: periods.map(({ key, start, end }) => {
      const base = { ...empty(), complete: true };
      const rows = currencies.map((currency) => {
        const sums = byPeriod.get(`${key} ${currency}`) ?? empty();
        const rate = rateOn(currency, end);
        const moved = KINDS.some((kind) => !sums[kind].isZero());
        if (!rate) base.complete = base.complete && !moved;
        else for (const kind of KINDS) base[kind] = base[kind].plus(sums[kind].times(rate.rate));
        return { currency, ...present(sums, currency), rate_to_base: rate?.rate ?? null, rate_date: rate?.date ?? null };
      });
      for (const kind of KINDS) baseSums[kind] = baseSums[kind].plus(base[kind]);
      baseSums.complete &&= base.complete;
      return { start, end, currencies: rows, base: baseCurrency ? { currency: baseCurrency, ...withoutCount(present(base, baseCurrency)), complete: base.complete } : null };
    }),
    totals: currencies.map((currency) => ({ currency, ...present(byCurrency.get(currency)!, currency) })),
    base_totals: baseCurrency ? { currency: baseCurrency, ...withoutCount(present(baseSums, baseCurrency)), complete: baseSums.complete } : null,
    clients: [...byClient.entries()]
      .map(([key, sums]) => {
        const [clientId, currency] = key.split(' ') as [string, string];
        return { client_id: clientId, client_name: names.get(clientId) ?? '', currency, ...present(sums, currency) };
      })
      .sort((a, b) => a.currency.localeCompare(b.currency) || new Dec(b.invoiced).comparedTo(a.invoiced) || a.client_name.localeCompare(b.client_name)),
    categories: categories.map((c) => ({
      currency: c.currency,
      category_id: c.categoryId,
      category_name: c.categoryName,
      lines: c.lines,
      taxable_value: formatMoney(new Dec(c.taxableValue), c.currency),
      invoiced: formatMoney(new Dec(c.total), c.currency),
    })),
  };
}

function withoutCount<T extends { invoices: number }>(figures: T): Omit<T, 'invoices'> {
  const { invoices: _count, ...rest } = figures;
  return rest;
}

/** The revenue as a table: one row per interval and currency, then a `TOTAL` row per currency. */
export function revenueTable(report: Revenue, format: 'csv' | 'xlsx'): TableDownload {
  const rows: TableDownload['rows'] = [];
  for (const period of report.periods) {
    for (const c of period.currencies) rows.push({ period_start: period.start, period_end: period.end, ...c });
  }
  for (const t of report.totals) rows.push({ period_start: 'TOTAL', period_end: null, ...t, rate_to_base: null, rate_date: null });
  const amounts = ['invoices', ...KINDS, 'net_collected', 'rate_to_base'].map((key) => ({ key, numeric: true }));
  return { format, name: `revenue-${report.from}-${report.to}-${report.interval}`, columns: [{ key: 'period_start' }, { key: 'period_end' }, { key: 'currency' }, ...amounts, { key: 'rate_date' }], rows };
}
