import { and, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../../../kernel/db/database';
import { billingPaymentTerms } from '../master-data/tables';
import { Dec, roundMoney } from '../money';
import { amountRemaining } from './balance';
import type { invoices } from './tables';

type InvoiceRow = typeof invoices.$inferSelect;
export type TermsRow = typeof billingPaymentTerms.$inferSelect;

/** The organization's payment terms by id (read in the caller's transaction). */
export async function termsByIds(executor: Executor, organizationId: string, ids: (string | null)[]): Promise<Map<string, TermsRow>> {
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  if (wanted.length === 0) return new Map();
  const rows = await executor.select().from(billingPaymentTerms).where(and(eq(billingPaymentTerms.organizationId, organizationId), inArray(billingPaymentTerms.id, wanted)));
  return new Map(rows.map((r) => [r.id, r]));
}

const DAY = 86_400_000;
const toTime = (day: string) => Date.parse(`${day}T00:00:00Z`);
const toDay = (time: number) => new Date(time).toISOString().slice(0, 10);

/** `day` + n months, clamped to the end of a shorter month (31 Jan + 1 month = 28/29 Feb). */
function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const first = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 0)).getUTCDate();
  return toDay(Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), Math.min(d, last)));
}

/**
 * Periods started after the due date by `date`: the first period is (due, due + 1 period], the
 * second (due + 1, due + 2], … A day late is one started period of any length.
 */
export function startedPeriods(dueDate: string, date: string, period: string): number {
  if (date <= dueDate) return 0;
  const days = Math.round((toTime(date) - toTime(dueDate)) / DAY);
  if (period === 'day') return days;
  if (period === 'week') return Math.ceil(days / 7);
  const step = period === 'year' ? 12 : 1;
  let n = 1;
  while (addMonths(dueDate, n * step) < date) n += 1;
  return n;
}

export interface EarlyDiscount {
  rate: string;
  available_until: string;
  amount: Dec;
}

/**
 * The early-payment discount available on `date`: the terms' rate on the invoice total net of
 * credit notes, rounded half-up to the minor unit, while `date` ≤ issue date + discount days.
 * None once a discount was taken, or for an invoice that takes no payments.
 */
export function earlyDiscount(row: InvoiceRow, term: TermsRow | undefined, date: string): EarlyDiscount | null {
  if (!term?.earlyPaymentDiscountRate || term.earlyPaymentDiscountDays === null) return null;
  if (row.status !== 'open' && row.status !== 'uncollectible') return null;
  if (!new Dec(row.discountTaken).isZero()) return null;
  const until = toDay(toTime(row.issueDate) + term.earlyPaymentDiscountDays * DAY);
  if (date > until) return null;
  const base = new Dec(row.total).minus(row.amountCredited);
  return { rate: term.earlyPaymentDiscountRate, available_until: until, amount: roundMoney(base.times(term.earlyPaymentDiscountRate).dividedBy(100), row.currency) };
}

export interface LateFee {
  rate: string;
  period: string;
  periods: number;
  amount: Dec;
}

/**
 * The late fee on `date`: simple (not compound) interest, the terms' penalty rate per period on the
 * amount remaining, for each period started after the due date, rounded half-up to the minor unit.
 */
export function lateFee(row: InvoiceRow, term: TermsRow | undefined, date: string): LateFee | null {
  if (!term?.latePaymentPenaltyRate || !row.dueDate) return null;
  if (row.status !== 'open' && row.status !== 'uncollectible') return null;
  const remaining = amountRemaining(row);
  const period = term.latePaymentPenaltyPeriod ?? 'month';
  const periods = startedPeriods(row.dueDate, date, period);
  if (periods === 0 || !remaining.greaterThan(0)) return null;
  return { rate: term.latePaymentPenaltyRate, period, periods, amount: roundMoney(remaining.times(term.latePaymentPenaltyRate).dividedBy(100).times(periods), row.currency) };
}

/** What settles the invoice on `date`: amount remaining − early-payment discount (not below 0) + late fee. */
export function amountDueOn(row: InvoiceRow, term: TermsRow | undefined, date: string) {
  const remaining = row.status === 'void' ? new Dec(0) : amountRemaining(row);
  const discount = earlyDiscount(row, term, date);
  const fee = lateFee(row, term, date);
  const due = Dec.max(0, remaining.minus(discount?.amount ?? 0)).plus(fee?.amount ?? 0);
  return { remaining, discount, fee, due };
}
