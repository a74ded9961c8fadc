import type { Actor } from '../../kernel/auth/actor';
import type { Executor } from '../../kernel/db/database';
import type { TableDownload } from '../../kernel/http/spreadsheet';
import { clientBehaviour, Dec, formatMoney } from '../billing/index';
import type { ClientsReport, ClientsReportQuery } from './schemas';

/**
 * Client behaviour (issue 6 §4): per client and currency, lifetime value, what was collected,
 * average days to pay, on-time rate and last activity; the top `limit` per currency by lifetime value.
 */
export async function clientsReport(executor: Executor, actor: Actor, query: ClientsReportQuery, today: string): Promise<ClientsReport> {
  const rows = await clientBehaviour(executor, actor.organizationId, today, query.client_id);
  const kept = new Map<string, number>();
  const clients = rows
    .filter((row) => {
      const n = (kept.get(row.currency) ?? 0) + 1;
      kept.set(row.currency, n);
      return n <= query.limit;
    })
    .map((row) => {
      const money = (value: string) => formatMoney(new Dec(value), row.currency);
      const lastActivity = row.lastPaymentDate && row.lastPaymentDate > row.lastInvoiceDate ? row.lastPaymentDate : row.lastInvoiceDate;
      return {
        client_id: row.clientId,
        client_name: row.clientName,
        currency: row.currency,
        invoices: row.invoices,
        invoiced: money(row.invoiced),
        credited: money(row.credited),
        lifetime_value: money(new Dec(row.invoiced).minus(row.credited).toFixed()),
        collected: money(row.collected),
        paid_invoices: row.paidInvoices,
        average_days_to_pay: row.averageDaysToPay,
        on_time_rate: row.paidInvoices === 0 ? null : new Dec(row.paidOnTime).dividedBy(row.paidInvoices).toFixed(2, Dec.ROUND_HALF_UP),
        last_invoice_date: row.lastInvoiceDate,
        last_payment_date: row.lastPaymentDate,
        last_activity: lastActivity,
      };
    });
  return { client_id: query.client_id ?? null, clients };
}

export function clientsReportTable(report: ClientsReport, format: 'csv' | 'xlsx'): TableDownload {
  const numbers = ['invoices', 'invoiced', 'credited', 'lifetime_value', 'collected', 'paid_invoices', 'average_days_to_pay', 'on_time_rate'];
  const dates = ['last_invoice_date', 'last_payment_date', 'last_activity'];
  return {
    format,
    name: 'clients-report',
    columns: [...['client_id', 'client_name', 'currency'].map((key) => ({ key })), ...numbers.map((key) => ({ key, numeric: true })), ...dates.map((key) => ({ key }))],
    rows: report.clients,
  };
}
