import { and, between, eq, inArray, ne, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { Executor } from '../../kernel/db/database';
import { clients } from './clients/tables';
import { creditNotes } from './credit-notes/tables';
import { invoiceLines, invoices } from './invoices/tables';
import { billingCategories } from './master-data/tables';
import { billingExchangeRates } from './exchange-rates/tables';
import { paymentAllocations, paymentRefunds, payments } from './payments/tables';
import { billingSettings } from './settings/tables';

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
const isIssued = inArray(invoices.status, ['open', 'paid', 'uncollectible']);
/** The UTC day of an instant column. */
const utcDay = (instant: AnyPgColumn) => sql`(${instant} AT TIME ZONE 'UTC')::date`;
/** Not voided by the end of `day`: a void invoice still counts on the days before its voiding. */
const notVoidOn = (day: SQL) => sql`NOT (${invoices.status} = 'void' AND ${utcDay(invoices.voidedAt)} <= ${day})`;

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
  const issued = and(inPeriod(invoices), isIssued);
  const credited = inPeriod(creditNotes);
  const [invoiceTotals, creditNoteTotals, invoiceComponents, creditNoteComponents] = await Promise.all([
    totals(executor, invoices, issued),
    totals(executor, creditNotes, credited),
    components(executor, invoices, issued),
    components(executor, creditNotes, credited),
  ]);
  return { invoices: invoiceTotals, creditNotes: creditNoteTotals, invoiceComponents, creditNoteComponents };
}

/** Amounts a client owed on one day, by how long past the due date (issue 6 §2). */
export type ReceivableBuckets = {
  clientId: string;
  clientName: string;
  currency: string;
  /** Not yet due on that day, or due that very day. */
  current: string;
  days1To30: string;
  days31To60: string;
  days61To90: string;
  daysOver90: string;
  total: string;
  invoices: number;
  /** The earliest due date among the invoices still owed on. */
  oldestDueDate: string;
};

/** Invoices (issued, and neither void nor written off by that day) as they stood at the end of `asOf`. */
function invoicesOwedOn(organizationId: string, asOf: string, clientId: string | undefined): SQL {
  const day = sql`${asOf}::date`;
  const i = invoices;
  return sql`
    SELECT ${i.id} AS id, ${i.clientId} AS client_id, ${i.currency} AS currency, coalesce(${i.dueDate}, ${i.issueDate}) AS due, ${i.total} AS total,
           -- The early-payment discount counts from the day the invoice was paid.
           CASE WHEN ${i.paidAt} IS NOT NULL AND ${utcDay(i.paidAt)} <= ${day} THEN ${i.discountTaken} ELSE 0 END AS discount
    FROM ${i}
    WHERE ${i.organizationId} = ${organizationId} AND ${i.status} <> 'draft' AND ${i.issueDate} <= ${day}
      AND ${notVoidOn(day)}
      AND NOT (${i.status} = 'uncollectible' AND ${utcDay(i.markedUncollectibleAt)} <= ${day})
      ${clientId ? sql`AND ${i.clientId} = ${clientId}` : sql``}`;
}

/**
 * What each client owed at the end of `asOf`, per currency, in aging buckets by days past the due
 * date (an invoice without one is due on its issue date). Rebuilt from the records, so any past
 * day is exact: payments count from their allocation's `applied_on`, refunds from their date,
 * credit notes from their issue date; invoices voided or marked uncollectible after that day
 * still count on it.
 */
export async function receivablesOn(executor: Executor, organizationId: string, asOf: string, clientId?: string): Promise<ReceivableBuckets[]> {
  const day = sql`${asOf}::date`;
  const a = paymentAllocations;
  const r = paymentRefunds;
  const c = creditNotes;
  const bucket = (condition: SQL) => sql`coalesce(sum(outstanding) FILTER (WHERE ${condition}), 0)::text`;
  const { rows } = await executor.execute<ReceivableBuckets>(sql`
    WITH owed AS (${invoicesOwedOn(organizationId, asOf, clientId)}),
    paid AS (
      SELECT ${a.invoiceId} AS invoice_id, sum(${a.amount}) AS amount FROM ${a}
      WHERE ${a.organizationId} = ${organizationId} AND ${a.appliedOn} <= ${day} GROUP BY 1),
    refunded AS (
      SELECT reversal->>'invoice_id' AS invoice_id, sum((reversal->>'amount')::numeric) AS amount
      FROM ${r} CROSS JOIN LATERAL jsonb_array_elements(${r.allocations}) AS reversal
      WHERE ${r.organizationId} = ${organizationId} AND ${r.date} <= ${day} GROUP BY 1),
    credited AS (
      SELECT ${c.invoiceId} AS invoice_id, sum(${c.appliedToInvoice}) AS amount FROM ${c}
      WHERE ${c.organizationId} = ${organizationId} AND ${c.issueDate} <= ${day} GROUP BY 1),
    balances AS (
      SELECT owed.client_id, owed.currency, owed.due, ${day} - owed.due AS days_late,
             greatest(owed.total - coalesce(paid.amount, 0) + coalesce(refunded.amount, 0) - coalesce(credited.amount, 0) - owed.discount, 0) AS outstanding
      FROM owed
      LEFT JOIN paid ON paid.invoice_id = owed.id
      LEFT JOIN refunded ON refunded.invoice_id = owed.id
      LEFT JOIN credited ON credited.invoice_id = owed.id)
    SELECT balances.client_id AS "clientId", ${clients.name} AS "clientName", balances.currency,
           ${bucket(sql`days_late <= 0`)} AS "current",
           ${bucket(sql`days_late BETWEEN 1 AND 30`)} AS "days1To30",
           ${bucket(sql`days_late BETWEEN 31 AND 60`)} AS "days31To60",
           ${bucket(sql`days_late BETWEEN 61 AND 90`)} AS "days61To90",
           ${bucket(sql`days_late > 90`)} AS "daysOver90",
           sum(outstanding)::text AS "total", count(*)::int AS "invoices", min(due)::text AS "oldestDueDate"
    FROM balances JOIN ${clients} ON ${clients.id} = balances.client_id
    WHERE outstanding > 0
    GROUP BY 1, 2, 3
    ORDER BY 3, sum(outstanding) DESC, 2`);
  return rows;
}

/** Invoiced per currency on the days `from`..`to` (finalized, not void by `to`): the sales side of DSO. */
export function invoicedBetween(executor: Executor, organizationId: string, from: string, to: string, clientId?: string): Promise<{ currency: string; total: string }[]> {
  const i = invoices;
  return executor
    .select({ currency: i.currency, total: sql<string>`sum(${i.total})::text` })
    .from(i)
    .where(
      and(
        eq(i.organizationId, organizationId),
        ne(i.status, 'draft'),
        between(i.issueDate, from, to),
        notVoidOn(sql`${to}::date`),
        clientId ? eq(i.clientId, clientId) : undefined,
      ),
    )
    .groupBy(i.currency)
    .orderBy(i.currency);
}

export type RevenueInterval = 'day' | 'week' | 'month' | 'quarter';

/** One kind of money movement summed per period start (and client), per currency. */
export type RevenueFact = {
  kind: 'invoiced' | 'credited' | 'collected' | 'refunded';
  /** First day of the interval (weeks start on Monday). */
  period: string;
  clientId: string;
  currency: string;
  count: number;
  amount: string;
};

/**
 * Money invoiced (finalized invoices not void, by issue date), credited (credit notes), collected
 * (payments received, by their date; client credit from credit notes is not money received) and
 * refunded (by refund date) in a period, per interval, client and currency (issue 6 §1).
 */
export async function revenueFacts(executor: Executor, organizationId: string, period: ReportPeriod & { interval: RevenueInterval }): Promise<RevenueFact[]> {
  const unit = sql.raw(`'${period.interval}'`); // one of four literals, checked by the type and the route's schema
  const fact = (kind: RevenueFact['kind'], table: SQL, day: SQL, client: SQL, currency: SQL, amount: SQL, where: SQL) => sql`
    SELECT ${kind} AS "kind", date_trunc(${unit}, ${day})::date::text AS "period", ${client} AS "clientId", ${currency} AS "currency",
           count(*)::int AS "count", sum(${amount})::text AS "amount"
    FROM ${table} WHERE ${where} AND ${day} BETWEEN ${period.from}::date AND ${period.to}::date ${period.clientId ? sql`AND ${client} = ${period.clientId}` : sql``}
    GROUP BY 2, 3, 4`;
  const i = invoices;
  const c = creditNotes;
  const p = payments;
  const r = paymentRefunds;
  const { rows } = await executor.execute<RevenueFact>(sql`
    ${fact('invoiced', sql`${i}`, sql`${i.issueDate}`, sql`${i.clientId}`, sql`${i.currency}`, sql`${i.total}`, sql`${i.organizationId} = ${organizationId} AND ${isIssued}`)}
    UNION ALL
    ${fact('credited', sql`${c}`, sql`${c.issueDate}`, sql`${c.clientId}`, sql`${c.currency}`, sql`${c.total}`, sql`${c.organizationId} = ${organizationId}`)}
    UNION ALL
    ${fact('collected', sql`${p}`, sql`${p.date}`, sql`${p.clientId}`, sql`${p.currency}`, sql`${p.amount}`, sql`${p.organizationId} = ${organizationId} AND ${p.creditNoteId} IS NULL`)}
    UNION ALL
    ${fact('refunded', sql`${r} JOIN ${p} ON ${p.id} = ${r.paymentId}`, sql`${r.date}`, sql`${p.clientId}`, sql`${r.currency}`, sql`${r.amount}`, sql`${r.organizationId} = ${organizationId}`)}
    ORDER BY 2, 4, 1`);
  return rows;
}

/** What issued invoices' lines of one category (null: lines without one) came to, in one currency. */
export interface CategoryRevenue {
  currency: string;
  categoryId: string | null;
  categoryName: string | null;
  lines: number;
  /** Line amounts less discounts, before tax. */
  taxableValue: string;
  /** Line totals, tax included: over every category they add up to the invoiced total. */
  total: string;
}

/** Invoiced per category of the lines (issue 6 §1): finalized invoices not void, by issue date, per currency. */
export async function revenueByCategory(executor: Executor, organizationId: string, { from, to, clientId }: ReportPeriod): Promise<CategoryRevenue[]> {
  const l = invoiceLines;
  return executor
    .select({ currency: invoices.currency, categoryId: l.categoryId, categoryName: billingCategories.name, lines: sql<number>`count(*)::int`, taxableValue: sql<string>`sum(${l.taxableAmount})::text`, total: sql<string>`sum(${l.total})::text` })
    .from(invoices)
    .innerJoin(l, eq(l.invoiceId, invoices.id))
    .leftJoin(billingCategories, eq(billingCategories.id, l.categoryId))
    .where(and(eq(invoices.organizationId, organizationId), isIssued, between(invoices.issueDate, from, to), clientId ? eq(invoices.clientId, clientId) : undefined))
    .groupBy(invoices.currency, l.categoryId, billingCategories.name)
    .orderBy(invoices.currency, sql`sum(${l.total}) DESC`, l.categoryId);
}

/** The organization's base currency; null before its billing profile sets one. */
export async function baseCurrencyOf(executor: Executor, organizationId: string): Promise<string | null> {
  const [settings] = await executor.select({ baseCurrency: billingSettings.baseCurrency }).from(billingSettings).where(eq(billingSettings.organizationId, organizationId));
  return settings?.baseCurrency ?? null;
}

export interface BaseCurrencyRates {
  baseCurrency: string | null;
  /** Recorded rates, by currency then date, oldest first. */
  rates: { currency: string; date: string; rate: string }[];
}

/** The base currency and the recorded rates up to `upTo`. */
export async function baseCurrencyRates(executor: Executor, organizationId: string, upTo: string): Promise<BaseCurrencyRates> {
  const t = billingExchangeRates;
  const [baseCurrency, rates] = await Promise.all([
    baseCurrencyOf(executor, organizationId),
    executor
      .select({ currency: t.currency, date: t.date, rate: sql<string>`trim_scale(${t.rate})::text` })
      .from(t)
      .where(and(eq(t.organizationId, organizationId), sql`${t.date} <= ${upTo}::date`))
      .orderBy(t.currency, t.date),
  ]);
  return { baseCurrency, rates };
}

/** The names of the organization's clients among `ids`. */
export async function clientNames(executor: Executor, organizationId: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await executor.select({ id: clients.id, name: clients.name }).from(clients).where(and(eq(clients.organizationId, organizationId), inArray(clients.id, ids)));
  return new Map(rows.map((row) => [row.id, row.name]));
}

/** How a client buys and pays, per currency, over all its history (issue 6 §4). */
export type ClientBehaviour = {
  clientId: string;
  clientName: string;
  currency: string;
  /** Finalized invoices that are not void. */
  invoices: number;
  invoiced: string;
  credited: string;
  /** Payments received (client credit from credit notes is not money received), less refunds. */
  collected: string;
  /** Paid invoices whose payment day is known (the last allocation's applied_on). */
  paidInvoices: number;
  paidOnTime: number;
  /** Mean of (last payment day − issue date) over paidInvoices, in days; null without any. */
  averageDaysToPay: string | null;
  firstInvoiceDate: string;
  lastInvoiceDate: string;
  lastPaymentDate: string | null;
  /** Invoiced in the 90 days ending `today`, and in the 90 days before those. */
  recentInvoiced: string;
  priorInvoiced: string;
};

export async function clientBehaviour(executor: Executor, organizationId: string, today: string, clientId?: string): Promise<ClientBehaviour[]> {
  const i = invoices;
  const a = paymentAllocations;
  const c = creditNotes;
  const p = payments;
  const r = paymentRefunds;
  const { rows } = await executor.execute<ClientBehaviour>(sql`
    WITH issued AS (
      SELECT ${i.id} AS id, ${i.clientId} AS client_id, ${i.currency} AS currency, ${i.issueDate} AS issue_date,
             coalesce(${i.dueDate}, ${i.issueDate}) AS due, ${i.total} AS total, ${i.status} AS status
      FROM ${i} WHERE ${i.organizationId} = ${organizationId} AND ${isIssued}
        ${clientId ? sql`AND ${i.clientId} = ${clientId}` : sql``}),
    settled AS (SELECT ${a.invoiceId} AS invoice_id, max(${a.appliedOn}) AS paid_on FROM ${a} WHERE ${a.organizationId} = ${organizationId} GROUP BY 1),
    credited AS (SELECT ${c.invoiceId} AS invoice_id, sum(${c.total}) AS amount FROM ${c} WHERE ${c.organizationId} = ${organizationId} GROUP BY 1),
    received AS (
      SELECT ${p.clientId} AS client_id, ${p.currency} AS currency, sum(${p.amount}) AS amount, max(${p.date}) AS last_date
      FROM ${p} WHERE ${p.organizationId} = ${organizationId} AND ${p.creditNoteId} IS NULL GROUP BY 1, 2),
    refunded AS (
      SELECT ${p.clientId} AS client_id, ${r.currency} AS currency, sum(${r.amount}) AS amount
      FROM ${r} JOIN ${p} ON ${p.id} = ${r.paymentId} WHERE ${r.organizationId} = ${organizationId} GROUP BY 1, 2),
    per_client AS (
      SELECT issued.client_id, issued.currency, count(*)::int AS invoices, sum(issued.total) AS invoiced, coalesce(sum(credited.amount), 0) AS credited,
             count(*) FILTER (WHERE issued.status = 'paid' AND settled.paid_on IS NOT NULL)::int AS paid_invoices,
             count(*) FILTER (WHERE issued.status = 'paid' AND settled.paid_on <= issued.due)::int AS paid_on_time,
             avg(settled.paid_on - issued.issue_date) FILTER (WHERE issued.status = 'paid') AS average_days,
             min(issued.issue_date) AS first_invoice_date, max(issued.issue_date) AS last_invoice_date,
             coalesce(sum(issued.total) FILTER (WHERE issued.issue_date > ${today}::date - 90 AND issued.issue_date <= ${today}::date), 0) AS recent_invoiced,
             coalesce(sum(issued.total) FILTER (WHERE issued.issue_date > ${today}::date - 180 AND issued.issue_date <= ${today}::date - 90), 0) AS prior_invoiced
      FROM issued LEFT JOIN settled ON settled.invoice_id = issued.id LEFT JOIN credited ON credited.invoice_id = issued.id
      GROUP BY 1, 2)
    SELECT per_client.client_id AS "clientId", ${clients.name} AS "clientName", per_client.currency AS "currency", invoices,
           invoiced::text AS "invoiced", credited::text AS "credited",
           (coalesce(received.amount, 0) - coalesce(refunded.amount, 0))::text AS "collected",
           paid_invoices AS "paidInvoices", paid_on_time AS "paidOnTime", round(average_days, 1)::text AS "averageDaysToPay",
           first_invoice_date::text AS "firstInvoiceDate", last_invoice_date::text AS "lastInvoiceDate", received.last_date::text AS "lastPaymentDate",
           recent_invoiced::text AS "recentInvoiced", prior_invoiced::text AS "priorInvoiced"
    FROM per_client
    JOIN ${clients} ON ${clients.id} = per_client.client_id
    LEFT JOIN received ON received.client_id = per_client.client_id AND received.currency = per_client.currency
    LEFT JOIN refunded ON refunded.client_id = per_client.client_id AND refunded.currency = per_client.currency
    ORDER BY 3, per_client.invoiced - per_client.credited DESC, 2`);
  return rows;
}
