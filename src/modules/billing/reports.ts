import { and, between, eq, inArray, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../kernel/db/database';
import { creditNotes } from './credit-notes/tables';
import { invoices } from './invoices/tables';

/**
 * Facts billing answers for reports (the analytics module reads billing only through these).
 * Amounts are exact decimal strings, summed by PostgreSQL from amounts already rounded per line.
 */

export interface ReportPeriod {
  /** First and last day, both included (issue dates). */
  from: string;
  to: string;
  clientId?: string;
}

export interface DocumentTotals {
  currency: string;
  count: number;
  /** Subtotal less discounts: what tax was computed on, lines without tax included. */
  taxableValue: string;
  tax: string;
  total: string;
}

export type TaxComponentTotals = {
  currency: string;
  taxCodeId: string;
  taxCode: string;
  /** `cgst`, `sgst`, `igst`, `vat`… */
  component: string;
  rate: string;
  supplyType: 'intra_state' | 'inter_state';
  documents: number;
  taxableValue: string;
  tax: string;
};

export interface TaxFacts {
  invoices: DocumentTotals[];
  creditNotes: DocumentTotals[];
  invoiceComponents: TaxComponentTotals[];
  creditNoteComponents: TaxComponentTotals[];
}

/** Invoices that count as issued: finalized and not voided (a void invoice was cancelled, it owes nothing). */
const ISSUED = ['open', 'paid', 'uncollectible'] as const;

type DocumentTable = typeof invoices | typeof creditNotes;

function totals(executor: Executor, t: DocumentTable, where: SQL | undefined): Promise<DocumentTotals[]> {
  return executor
    .select({
      currency: t.currency,
      count: sql<number>`count(*)::int`,
      taxableValue: sql<string>`coalesce(sum(${t.subtotal} - ${t.discountTotal}), 0)::text`,
      tax: sql<string>`coalesce(sum(${t.taxTotal}), 0)::text`,
      total: sql<string>`coalesce(sum(${t.total}), 0)::text`,
    })
    .from(t)
    .where(where)
    .groupBy(t.currency)
    .orderBy(t.currency);
}

/** One row per tax code, component and rate, from each document's stored tax breakdown. */
async function components(executor: Executor, t: DocumentTable, where: SQL | undefined): Promise<TaxComponentTotals[]> {
  // A lateral set-returning function, which Drizzle's query builder does not offer: plain SQL.
  const { rows } = await executor.execute<TaxComponentTotals>(sql`
    SELECT ${t.currency} AS "currency",
           entry->>'tax_code_id' AS "taxCodeId",
           entry->>'tax_code' AS "taxCode",
           entry->>'component' AS "component",
           trim_scale((entry->>'rate')::numeric)::text AS "rate",
           ${t.supplyType} AS "supplyType",
           count(DISTINCT ${t.id})::int AS "documents",
           sum((entry->>'taxable_amount')::numeric)::text AS "taxableValue",
           sum((entry->>'amount')::numeric)::text AS "tax"
    FROM ${t} CROSS JOIN LATERAL jsonb_array_elements(${t.taxBreakdown}) AS entry
    WHERE ${where}
    GROUP BY 1, 2, 3, 4, 5, 6
    ORDER BY 1, 3, 6, 4`);
  return rows;
}

/** What was invoiced and credited in a period, with tax per code and component (the GST return's figures). */
export async function taxFacts(executor: Executor, organizationId: string, period: ReportPeriod): Promise<TaxFacts> {
  const inPeriod = (t: DocumentTable) =>
    and(eq(t.organizationId, organizationId), between(t.issueDate, period.from, period.to), period.clientId ? eq(t.clientId, period.clientId) : undefined);
  const issued = and(inPeriod(invoices), inArray(invoices.status, [...ISSUED]));
  const credited = inPeriod(creditNotes);
  const [invoiceTotals, creditNoteTotals, invoiceComponents, creditNoteComponents] = await Promise.all([
    totals(executor, invoices, issued),
    totals(executor, creditNotes, credited),
    components(executor, invoices, issued),
    components(executor, creditNotes, credited),
  ]);
  return { invoices: invoiceTotals, creditNotes: creditNoteTotals, invoiceComponents, creditNoteComponents };
}
