import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '../../../kernel/db/database';
import { newId } from '../../../kernel/db/ids';
import { assertVersion } from '../../../kernel/http/etag';
import { paginate } from '../../../kernel/http/pagination';
import type { Kernel } from '../../../kernel/kernel';
import { Dec, DEFAULT_CURRENCY, formatMoney, formatRate, minorDigits, roundMoney } from '../money';
import { loaderOf } from '../rows';
import { assertUnreferenced, Checks, keepRows, recordChange, textFilter, uniquely, type Caller, type DecimalRule, type Referrers } from './common';
import type { CreatePaymentTerm, ListPaymentTermsQuery, PaymentTerm, UpdatePaymentTerm } from './payment-terms.schemas';
import { billingPaymentTerms as t, type StoredInstallment } from './tables';

export type TermsRow = typeof t.$inferSelect;

/** The organization's payment terms by id, in one query (read in the caller's transaction). */
export async function termsByIds(executor: Executor, organizationId: string, ids: (string | null | undefined)[]): Promise<Map<string, TermsRow>> {
  const wanted = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  if (wanted.length === 0) return new Map();
  const rows = await executor.select().from(t).where(and(eq(t.organizationId, organizationId), inArray(t.id, wanted)));
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * The organization's payment terms by id, kept from being deleted until the caller's transaction
 * ends: what a write that stores their id reads (see `keepRows`).
 */
export const keepPaymentTerms = (tx: Executor, organizationId: string, ids: (string | null | undefined)[]): Promise<Map<string, TermsRow>> => keepRows<TermsRow>(tx, t, t, organizationId, ids);

/** Whether the organization has these payment terms; if so they stay until the caller's transaction ends (it is about to store their id). */
export const paymentTermsExist = async (tx: Executor, organizationId: string, id: string): Promise<boolean> => (await keepPaymentTerms(tx, organizationId, [id])).has(id);

type Row = typeof t.$inferSelect;

const POSITIVE_PERCENT: DecimalRule = { above: '0', max: '100', places: 4 };

const present = (row: Row): PaymentTerm => ({
  id: row.id,
  organization_id: row.organizationId,
  name: row.name,
  code: row.code,
  description: row.description,
  payment_days: row.paymentDays,
  early_payment_discount_days: row.earlyPaymentDiscountDays,
  early_payment_discount_rate: row.earlyPaymentDiscountRate === null ? null : formatRate(row.earlyPaymentDiscountRate),
  late_payment_penalty_rate: row.latePaymentPenaltyRate === null ? null : formatRate(row.latePaymentPenaltyRate),
  late_payment_penalty_period: row.latePaymentPenaltyPeriod as PaymentTerm['late_payment_penalty_period'],
  payment_schedule: row.paymentSchedule.map((i) => ({ days: i.days, percentage: formatRate(i.percentage) })),
  credit_limit_amount: row.creditLimitAmount === null ? null : formatMoney(new Dec(row.creditLimitAmount), row.currency),
  currency: row.currency,
  requires_approval: row.requiresApproval,
  is_active: row.isActive,
  version: row.version,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

export interface Installment {
  due_date: string;
  percentage: string;
  amount: string;
}

/**
 * The installments of `total` under a payment term from `invoiceDate` (YYYY-MM-DD): each is its
 * percentage of the total rounded half-up to the currency's minor unit, and the last one takes
 * what remains so that they add up to the total exactly. No schedule: one payment at `payment_days`.
 */
export function installmentsOf(term: Pick<PaymentTerm, 'payment_days' | 'payment_schedule'>, invoiceDate: string, total: Dec, currency: string): Installment[] {
  const schedule = term.payment_schedule.length > 0 ? term.payment_schedule : [{ days: term.payment_days, percentage: '100' }];
  const start = Date.parse(`${invoiceDate}T00:00:00Z`);
  let remaining = total;
  return schedule.map((installment, index) => {
    const last = index === schedule.length - 1;
    const amount = last ? remaining : roundMoney(total.times(installment.percentage).dividedBy(100), currency);
    remaining = remaining.minus(amount);
    return {
      due_date: new Date(start + installment.days * 86_400_000).toISOString().slice(0, 10),
      percentage: formatRate(installment.percentage),
      amount: formatMoney(amount, currency),
    };
  });
}

type Fields = Required<Omit<CreatePaymentTerm, 'name' | 'code' | 'description' | 'requires_approval' | 'is_active'>>;

/** Checks a payment term as a whole; answers its stored form. */
function validated(caller: Caller, next: Fields) {
  const checks = new Checks(caller.locale);
  const discountRate = next.early_payment_discount_rate === null ? null : checks.decimal('early_payment_discount_rate', next.early_payment_discount_rate, POSITIVE_PERCENT);
  const discountDays = next.early_payment_discount_days;
  if ((discountRate === null) !== (discountDays === null)) {
    checks.fail(discountRate === null ? 'early_payment_discount_rate' : 'early_payment_discount_days', 'validation.billing.discount_pair');
  } else if (discountDays !== null && discountDays >= next.payment_days) {
    checks.fail('early_payment_discount_days', 'validation.billing.discount_days', { payment_days: next.payment_days });
  }
  const penaltyRate = next.late_payment_penalty_rate === null ? null : checks.decimal('late_payment_penalty_rate', next.late_payment_penalty_rate, POSITIVE_PERCENT);
  const penaltyPeriod = penaltyRate === null ? null : (next.late_payment_penalty_period ?? 'month');
  if (penaltyRate === null && next.late_payment_penalty_period !== null) checks.fail('late_payment_penalty_period', 'validation.billing.penalty_period');

  const schedule: StoredInstallment[] = [];
  let total = new Dec(0);
  next.payment_schedule.forEach((installment, i) => {
    const percentage = checks.decimal(`payment_schedule[${i}].percentage`, installment.percentage, POSITIVE_PERCENT);
    total = total.plus(percentage);
    const previous = schedule.at(-1);
    if (previous && installment.days <= previous.days) checks.fail(`payment_schedule[${i}].days`, 'validation.billing.schedule_order');
    else if (installment.days > next.payment_days) checks.fail(`payment_schedule[${i}].days`, 'validation.maximum', { limit: next.payment_days });
    schedule.push({ days: installment.days, percentage: percentage.toFixed() });
  });
  if (schedule.length > 0 && !total.eq(100) && checks.errors.length === 0) checks.fail('payment_schedule', 'validation.billing.schedule_total', { total: formatRate(total) });

  const creditLimit = next.credit_limit_amount === null ? null : checks.decimal('credit_limit_amount', next.credit_limit_amount, { min: '0', max: '9999999999999999', places: minorDigits(next.currency) });
  checks.throwIfAny();
  return {
    paymentDays: next.payment_days,
    earlyPaymentDiscountDays: discountDays,
    earlyPaymentDiscountRate: discountRate?.toFixed() ?? null,
    latePaymentPenaltyRate: penaltyRate?.toFixed() ?? null,
    latePaymentPenaltyPeriod: penaltyPeriod,
    paymentSchedule: schedule,
    creditLimitAmount: creditLimit?.toFixed() ?? null,
    currency: next.currency,
  };
}

/**
 * Payment terms (seed 000): due days, early-payment discount, late penalty, installments, credit
 * limit. `referrers`: the parts of billing that store a payment terms id (clients, invoices…).
 */
export function paymentTermService(kernel: Kernel, referrers: Referrers) {
  const load = loaderOf<Row>(t, t, 'PAYMENT_TERM_NOT_FOUND');

  return {
    load,

    async create(tx: Executor, caller: Caller, input: CreatePaymentTerm): Promise<PaymentTerm> {
      const stored = validated(caller, {
        payment_days: input.payment_days,
        early_payment_discount_days: input.early_payment_discount_days ?? null,
        early_payment_discount_rate: input.early_payment_discount_rate ?? null,
        late_payment_penalty_rate: input.late_payment_penalty_rate ?? null,
        late_payment_penalty_period: input.late_payment_penalty_period ?? null,
        payment_schedule: input.payment_schedule ?? [],
        credit_limit_amount: input.credit_limit_amount ?? null,
        currency: input.currency ?? DEFAULT_CURRENCY,
      });
      const now = kernel.now();
      const [row] = await uniquely('PAYMENT_TERM_CODE_EXISTS', () =>
        tx
          .insert(t)
          .values({
            id: newId('term'),
            organizationId: caller.actor.organizationId,
            name: input.name,
            code: input.code,
            description: input.description ?? null,
            ...stored,
            requiresApproval: input.requires_approval ?? false,
            isActive: input.is_active ?? true,
            createdAt: now,
            updatedAt: now,
          })
          .returning(),
      );
      const term = present(row!);
      await recordChange(tx, caller, 'payment_term', 'created', term);
      return term;
    },

    async get(tx: Executor, caller: Caller, id: string): Promise<PaymentTerm> {
      return present(await load(tx, caller.actor.organizationId, id));
    },

    async list(tx: Executor, caller: Caller, query: ListPaymentTermsQuery) {
      const page = await paginate({
        executor: tx,
        table: t,
        where: and(
          eq(t.organizationId, caller.actor.organizationId),
          query.is_active !== undefined ? eq(t.isActive, query.is_active) : undefined,
          query.requires_approval !== undefined ? eq(t.requiresApproval, query.requires_approval) : undefined,
          textFilter(query, [t.name, t.code, t.description]),
        ),
        sortColumns: { code: t.code, name: t.name, created_at: t.createdAt },
        idColumn: t.id,
        params: query,
        cursors: kernel.cursors,
      });
      return { ...page, items: page.items.map(present) };
    },

    async update(tx: Executor, caller: Caller, id: string, input: UpdatePaymentTerm, expectedVersion?: number[]): Promise<PaymentTerm> {
      const org = caller.actor.organizationId;
      const current = await load(tx, org, id, true);
      assertVersion(expectedVersion, current.version);
      const was = present(current);
      const pick = <K extends keyof Fields>(key: K): Fields[K] => (input[key] !== undefined ? input[key] : was[key]) as Fields[K];
      const stored = validated(caller, {
        payment_days: pick('payment_days'),
        early_payment_discount_days: pick('early_payment_discount_days'),
        early_payment_discount_rate: pick('early_payment_discount_rate'),
        late_payment_penalty_rate: pick('late_payment_penalty_rate'),
        late_payment_penalty_period: input.late_payment_penalty_rate === null && input.late_payment_penalty_period === undefined ? null : pick('late_payment_penalty_period'),
        payment_schedule: pick('payment_schedule'),
        credit_limit_amount: pick('credit_limit_amount'),
        currency: pick('currency'),
      });
      const [row] = await uniquely('PAYMENT_TERM_CODE_EXISTS', () =>
        tx
          .update(t)
          .set({
            ...(input.name !== undefined ? { name: input.name } : {}),
            ...(input.code !== undefined ? { code: input.code } : {}),
            ...(input.description !== undefined ? { description: input.description } : {}),
            ...(input.requires_approval !== undefined ? { requiresApproval: input.requires_approval } : {}),
            ...(input.is_active !== undefined ? { isActive: input.is_active } : {}),
            ...stored,
            version: sql`${t.version} + 1`,
            updatedAt: kernel.now(),
          })
          .where(and(eq(t.organizationId, org), eq(t.id, id)))
          .returning(),
      );
      const term = present(row!);
      await recordChange(tx, caller, 'payment_term', 'updated', term, { fields: Object.keys(input) });
      return term;
    },

    /** Payment terms something still refers to cannot be deleted (409 PAYMENT_TERM_IN_USE). */
    async remove(tx: Executor, caller: Caller, id: string, expectedVersion?: number[]): Promise<void> {
      const org = caller.actor.organizationId;
      const current = await load(tx, org, id, true);
      assertVersion(expectedVersion, current.version);
      await assertUnreferenced(tx, org, id, 'PAYMENT_TERM_IN_USE', referrers);
      await tx.delete(t).where(and(eq(t.organizationId, org), eq(t.id, id)));
      await recordChange(tx, caller, 'payment_term', 'deleted', present(current));
    },
  };
}
