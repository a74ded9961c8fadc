import type { Actor } from '../../kernel/auth/actor';
import type { Executor } from '../../kernel/db/database';
import type { TableDownload } from '../../kernel/http/spreadsheet';
import { Dec, formatMoney, taxFacts, type DocumentTotals, type TaxComponentTotals } from '../billing/index';
import { checkPeriod } from './days';
import type { TaxSummary, TaxSummaryQuery } from './schemas';

type Currency = TaxSummary['currencies'][number];

const lineKey = (line: TaxComponentTotals) => [line.currency, line.taxCodeId, line.component, line.rate, line.supplyType].join('\u0000');

/**
 * The tax summary of a period (issue 6 §3): per currency, what was invoiced and credited, and tax
 * per tax code, component, rate and supply type, invoiced less credited. Invoices count by issue
 * date once finalized (void ones are left out); credit notes by their own issue date, so a credit
 * note reduces the period it is issued in, as a GST return does.
 */
export async function taxSummary(executor: Executor, actor: Actor, query: TaxSummaryQuery): Promise<TaxSummary> {
  checkPeriod(query.from, query.to);
  const facts = await taxFacts(executor, actor.organizationId, { from: query.from, to: query.to, clientId: query.client_id });
  const currencies = [...new Set([...facts.invoices, ...facts.creditNotes].map((t) => t.currency))].sort();
  const money = (value: Dec | string | number, currency: string) => formatMoney(new Dec(value), currency);
  const documents = (rows: DocumentTotals[], currency: string) => {
    const row = rows.find((r) => r.currency === currency);
    return { count: row?.count ?? 0, taxable_value: money(row?.taxableValue ?? 0, currency), tax: money(row?.tax ?? 0, currency), total: money(row?.total ?? 0, currency) };
  };
  const credited = new Map(facts.creditNoteComponents.map((line) => [lineKey(line), line]));
  const lines = new Map<string, { invoiced?: TaxComponentTotals; credited?: TaxComponentTotals }>();
  for (const line of facts.invoiceComponents) lines.set(lineKey(line), { invoiced: line, credited: credited.get(lineKey(line)) });
  for (const line of facts.creditNoteComponents) if (!lines.has(lineKey(line))) lines.set(lineKey(line), { credited: line });

  return {
    from: query.from,
    to: query.to,
    client_id: query.client_id ?? null,
    currencies: currencies.map((currency): Currency => {
      const invoices = documents(facts.invoices, currency);
      const creditNotes = documents(facts.creditNotes, currency);
      const net = (field: 'taxable_value' | 'tax' | 'total') => money(new Dec(invoices[field]).minus(creditNotes[field]), currency);
      const figures = (line: TaxComponentTotals | undefined) => ({ documents: line?.documents ?? 0, taxable_value: money(line?.taxableValue ?? 0, currency), tax: money(line?.tax ?? 0, currency) });
      const taxLines = [...lines.values()]
        .map(({ invoiced, credited }) => ({ invoiced, credited, any: (invoiced ?? credited)! }))
        .filter(({ any }) => any.currency === currency)
        .sort((a, b) => a.any.taxCode.localeCompare(b.any.taxCode) || a.any.supplyType.localeCompare(b.any.supplyType) || a.any.component.localeCompare(b.any.component))
        .map(({ invoiced, credited, any }) => {
          const i = figures(invoiced);
          const c = figures(credited);
          return {
            tax_code_id: any.taxCodeId,
            tax_code: any.taxCode,
            component: any.component,
            rate: any.rate,
            supply_type: any.supplyType,
            invoiced: i,
            credited: c,
            net: { taxable_value: money(new Dec(i.taxable_value).minus(c.taxable_value), currency), tax: money(new Dec(i.tax).minus(c.tax), currency) },
          };
        });
      return { currency, invoices, credit_notes: creditNotes, net: { taxable_value: net('taxable_value'), tax: net('tax'), total: net('total') }, tax_lines: taxLines };
    }),
  };
}

const AMOUNTS = ['invoiced_taxable_value', 'invoiced_tax', 'credited_taxable_value', 'credited_tax', 'net_taxable_value', 'net_tax'];

/** The summary as a table: one row per tax line, then one `TOTAL` row per currency (all documents, untaxed lines included). */
export function taxSummaryTable(summary: TaxSummary, format: 'csv' | 'xlsx'): TableDownload {
  const rows: TableDownload['rows'] = [];
  for (const c of summary.currencies) {
    for (const line of c.tax_lines) {
      rows.push({
        currency: c.currency,
        tax_code: line.tax_code,
        component: line.component,
        rate: line.rate,
        supply_type: line.supply_type,
        invoices: line.invoiced.documents,
        credit_notes: line.credited.documents,
        invoiced_taxable_value: line.invoiced.taxable_value,
        invoiced_tax: line.invoiced.tax,
        credited_taxable_value: line.credited.taxable_value,
        credited_tax: line.credited.tax,
        net_taxable_value: line.net.taxable_value,
        net_tax: line.net.tax,
      });
    }
    rows.push({
      currency: c.currency,
      tax_code: 'TOTAL',
      component: null,
      rate: null,
      supply_type: null,
      invoices: c.invoices.count,
      credit_notes: c.credit_notes.count,
      invoiced_taxable_value: c.invoices.taxable_value,
      invoiced_tax: c.invoices.tax,
      credited_taxable_value: c.credit_notes.taxable_value,
      credited_tax: c.credit_notes.tax,
      net_taxable_value: c.net.taxable_value,
      net_tax: c.net.tax,
    });
  }
  const text = ['currency', 'tax_code', 'component', 'rate', 'supply_type'].map((key) => ({ key, numeric: key === 'rate' }));
  const counts = ['invoices', 'credit_notes'].map((key) => ({ key, numeric: true }));
  return { format, name: `tax-summary-${summary.from}-${summary.to}`, columns: [...text, ...counts, ...AMOUNTS.map((key) => ({ key, numeric: true }))], rows };
}
