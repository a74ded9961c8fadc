import { date, index, jsonb, numeric, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { idColumn, resourceColumns } from '../../../kernel/db/columns';

const money = (name: string) => numeric(name, { precision: 30, scale: 6 }).notNull();
const instant = (name: string) => timestamp(name, { precision: 3, withTimezone: true });

export const PAYMENT_METHODS = ['cash', 'bank_transfer', 'card', 'upi', 'cheque', 'wallet', 'other'] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export const PAYMENT_STATUSES = ['succeeded', 'partially_refunded', 'refunded'] as const;

/**
 * Money received from a client (seed 001 "Payment Processing"). `unapplied_amount` is what is not
 * (or no longer) allocated to an invoice nor refunded: the client's credit in that currency.
 */
export const payments = pgTable(
  'payments',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    clientId: text('client_id').notNull(),
    amount: money('amount'),
    currency: text('currency').notNull(),
    date: date('date', { mode: 'string' }).notNull(),
    method: text('method', { enum: PAYMENT_METHODS }).notNull(),
    reference: text('reference'),
    provider: text('provider').notNull(),
    providerReference: text('provider_reference'),
    status: text('status', { enum: PAYMENT_STATUSES }).notNull(),
    unappliedAmount: money('unapplied_amount'),
    refundedAmount: money('refunded_amount').default('0'),
    notes: text('notes').notNull().default(''),
    /** Set when this "payment" is client credit created by a credit note (no money was received). */
    creditNoteId: text('credit_note_id'),
    createdBy: text('created_by'),
    ...resourceColumns(),
  },
  (t) => [
    index('payments_org_created_idx').on(t.organizationId, t.createdAt, t.id),
    index('payments_org_date_idx').on(t.organizationId, t.date, t.id),
    index('payments_org_client_idx').on(t.organizationId, t.clientId, t.currency),
  ],
);

/** A part of a payment applied to one invoice; `refunded_amount` of it was later given back. */
export const paymentAllocations = pgTable(
  'payment_allocations',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    paymentId: text('payment_id').notNull(),
    invoiceId: text('invoice_id').notNull(),
    amount: money('amount'),
    refundedAmount: money('refunded_amount').default('0'),
    /** The day the money counts as received on the invoice: the payment's date, or the day credit was applied later. */
    appliedOn: date('applied_on', { mode: 'string' }).notNull(),
    createdBy: text('created_by'),
    createdAt: instant('created_at').notNull().defaultNow(),
  },
  (t) => [index('payment_allocations_payment_idx').on(t.paymentId, t.createdAt), index('payment_allocations_invoice_idx').on(t.organizationId, t.invoiceId)],
);

export interface RefundAllocation {
  invoice_id: string;
  amount: string;
}

/** Money given back from a payment: taken from its allocations (reopening invoices) and/or its unapplied credit. */
export const paymentRefunds = pgTable(
  'payment_refunds',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    paymentId: text('payment_id').notNull(),
    amount: money('amount'),
    currency: text('currency').notNull(),
    reason: text('reason').notNull(),
    date: date('date', { mode: 'string' }).notNull(),
    fromUnapplied: money('from_unapplied'),
    allocations: jsonb('allocations').$type<RefundAllocation[]>().notNull().default([]),
    provider: text('provider').notNull(),
    providerReference: text('provider_reference'),
    createdBy: text('created_by'),
    createdAt: instant('created_at').notNull().defaultNow(),
  },
  (t) => [index('payment_refunds_payment_idx').on(t.paymentId, t.createdAt)],
);
