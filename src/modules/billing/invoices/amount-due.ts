import type { Executor } from '../../../kernel/db/database';
import { periodDate } from '../dates';
import { termsByIds, type TermsRow } from '../master-data/index';
import { Dec, formatMoney, formatRate, roundMoney } from '../money';
import { amountRemaining } from './balance';
import type { AmountDue } from './schemas';
import type { invoices } from './tables';

type InvoiceRow = typeof invoices.$inferSelect;

const DAY = 86_400_000;
const toTime = (day: string) => Date.parse(`${day}T00:00:00Z`);
const toDay = (time: number) => new Date(time).toISOString().slice(0, 10);


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
  while (periodDate(dueDate, 'monthly', step, n) < date) n += 1;
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

/** GET /invoices/{id}/amount-due: the invoice's figures on `date` under its payment terms. */
export async function amountDue(executor: Executor, row: InvoiceRow, date: string): Promise<AmountDue> {
  const term = row.paymentTermsId ? (await termsByIds(executor, row.organizationId, [row.paymentTermsId])).get(row.paymentTermsId) : undefined;
  const { remaining, discount, fee, due } = amountDueOn(row, term, date);
  const money = (value: Dec) => formatMoney(value, row.currency);
  return {
    invoice_id: row.id,
    currency: row.currency,
    date,
    amount_remaining: money(remaining),
    early_payment_discount: discount ? { rate: formatRate(discount.rate), available_until: discount.available_until, amount: money(discount.amount) } : null,
    late_fee: fee ? { rate: formatRate(fee.rate), period: fee.period, periods: fee.periods, amount: money(fee.amount) } : null,
    amount_due: money(due),
  };
}
