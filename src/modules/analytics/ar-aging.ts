import type { Actor } from '../../kernel/auth/actor';
import type { Executor } from '../../kernel/db/database';
import type { TableDownload } from '../../kernel/http/spreadsheet';
import { Dec, formatMoney, invoicedBetween, receivablesOn } from '../billing/index';
import { dayBefore } from './days';
import type { ArAging } from './schemas';

const BUCKETS = ['current', 'days_1_30', 'days_31_60', 'days_61_90', 'days_over_90', 'total'] as const;
type Bucket = (typeof BUCKETS)[number];
/** The days of sales days-sales-outstanding is measured over. */
const DSO_DAYS = 90;

/**
 * Accounts receivable aging (issue 6 §2): what each client owed at the end of `asOf`, by days past
 * the due date (current, 1-30, 31-60, 61-90, over 90), per currency, with totals and days sales
 * outstanding per currency.
 */
export async function arAging(executor: Executor, actor: Actor, asOf: string, clientId: string | undefined): Promise<ArAging> {
  const [owed, sales] = await Promise.all([
    receivablesOn(executor, actor.organizationId, asOf, clientId),
    invoicedBetween(executor, actor.organizationId, dayBefore(asOf, DSO_DAYS - 1), asOf, clientId),
  ]);
  const clients = owed.map((row) => ({
    client_id: row.clientId,
    client_name: row.clientName,
    currency: row.currency,
    current: formatMoney(new Dec(row.current), row.currency),
    days_1_30: formatMoney(new Dec(row.days1To30), row.currency),
    days_31_60: formatMoney(new Dec(row.days31To60), row.currency),
    days_61_90: formatMoney(new Dec(row.days61To90), row.currency),
    days_over_90: formatMoney(new Dec(row.daysOver90), row.currency),
    total: formatMoney(new Dec(row.total), row.currency),
    invoices: row.invoices,
    oldest_due_date: row.oldestDueDate,
  }));
  const currencies = [...new Set(clients.map((c) => c.currency))].sort();
  return {
    as_of: asOf,
    client_id: clientId ?? null,
    currency_totals: currencies.map((currency) => {
      const rows = clients.filter((c) => c.currency === currency);
      const sum = (bucket: Bucket) => formatMoney(rows.reduce((total, row) => total.plus(row[bucket]), new Dec(0)), currency);
      const totals = Object.fromEntries(BUCKETS.map((bucket) => [bucket, sum(bucket)])) as Record<Bucket, string>;
      const invoiced = new Dec(sales.find((s) => s.currency === currency)?.total ?? 0);
      return {
        currency,
        ...totals,
        invoices: rows.reduce((n, row) => n + row.invoices, 0),
        clients: rows.length,
        days_sales_outstanding: invoiced.isZero() ? null : new Dec(totals.total).dividedBy(invoiced).times(DSO_DAYS).toFixed(1, Dec.ROUND_HALF_UP),
      };
    }),
    clients,
  };
}

/** The aging as a table: one row per client and currency, then a `TOTAL` row per currency. */
export function arAgingTable(aging: ArAging, format: 'csv' | 'xlsx'): TableDownload {
  const rows: TableDownload['rows'] = [
    ...aging.clients.map((c) => ({ ...c })),
    ...aging.currency_totals.map((t) => ({ client_id: null, client_name: 'TOTAL', currency: t.currency, ...Object.fromEntries(BUCKETS.map((b) => [b, t[b]])), invoices: t.invoices, oldest_due_date: null })),
  ];
  const text = ['client_id', 'client_name', 'currency'].map((key) => ({ key }));
  const numbers = [...BUCKETS, 'invoices'].map((key) => ({ key, numeric: true }));
  return { format, name: `ar-aging-${aging.as_of}`, columns: [...text, ...numbers, { key: 'oldest_due_date' }], rows };
}
