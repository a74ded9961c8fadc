import { Type, type Static } from '@sinclair/typebox';
import { listQuerySchema, pageSchema } from '../../../kernel/http/pagination';
import { PAYMENT_METHODS, PAYMENT_STATUSES } from './tables';

const strict = { additionalProperties: false } as const;
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Day = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const Instant = Type.String({ format: 'date-time' });
const Id = Type.String({ maxLength: 64 });
const AmountInput = (description: string) =>
  Type.Union([Type.String({ maxLength: 40 }), Type.Number()], { description: `${description} Greater than 0, with at most the currency’s minor digits (never rounded on the way in).` });
const Amount = (description: string) => Type.String({ description: `${description}. Exact decimal with the currency’s minor digits; sums of exact amounts, no rounding happens.` });
const Method = Type.Union(PAYMENT_METHODS.map((m) => Type.Literal(m)));

export const AllocationInput = Type.Object({ invoice_id: Id, amount: AmountInput('Applied to this invoice; at most its amount remaining.') }, strict);

export const CreatePaymentBody = Type.Object(
  {
    client_id: Id,
    amount: AmountInput('Received.'),
    currency: Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217; every allocated invoice must be in it.' }),
    date: Type.Optional(Day),
    method: Method,
    reference: Type.Optional(nullable(Type.String({ maxLength: 200 }))),
    provider: Type.Optional(Type.String({ minLength: 1, maxLength: 50, description: 'Payment gateway; default `manual` (recorded, nothing is called).' })),
    provider_data: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'Passed to the provider untouched (unused by `manual`).' })),
    notes: Type.Optional(Type.String({ maxLength: 2000 })),
    allocations: Type.Optional(Type.Array(AllocationInput, { maxItems: 100, description: 'What is not allocated stays as the client’s credit.' })),
  },
  strict,
);
export type CreatePaymentBody = Static<typeof CreatePaymentBody>;

export const ApplyCreditBody = Type.Object({ allocations: Type.Array(AllocationInput, { minItems: 1, maxItems: 100 }) }, strict);
export type ApplyCreditBody = Static<typeof ApplyCreditBody>;

export const CreateRefundBody = Type.Object(
  {
    amount: AmountInput('Given back.'),
    reason: Type.String({ minLength: 3, maxLength: 500 }),
    date: Type.Optional(Day),
    allocations: Type.Optional(
      Type.Array(AllocationInput, {
        maxItems: 100,
        description: 'Allocations to reverse (the invoice owes that amount again); the rest of `amount` comes from the unapplied credit. Without it: unapplied credit first, then the newest allocations.',
      }),
    ),
  },
  strict,
);
export type CreateRefundBody = Static<typeof CreateRefundBody>;

export const PaymentAllocation = Type.Object(
  { id: Type.String(), invoice_id: Type.String(), amount: Amount('Applied'), amount_refunded: Amount('Reversed by refunds'), applied_on: Type.String({ format: 'date', description: 'The day it counts as received on the invoice: the payment’s date, or the day credit was applied.' }), created_at: Instant },
  strict,
);

export const Refund = Type.Object(
  {
    id: Type.String({ examples: ['rfd_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
    payment_id: Type.String(),
    amount: Amount('Given back'),
    currency: Type.String(),
    reason: Type.String(),
    date: Type.String(),
    from_unapplied: Amount('Taken from the unapplied credit'),
    allocations: Type.Array(Type.Object({ invoice_id: Type.String(), amount: Type.String() }, strict), { description: 'Reversed allocations.' }),
    provider: Type.String(),
    provider_reference: nullable(Type.String()),
    created_at: Instant,
  },
  { $id: 'Refund', ...strict },
);
export type Refund = Static<typeof Refund>;

export const Payment = Type.Object(
  {
    id: Type.String({ examples: ['pay_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
    client_id: Type.String(),
    amount: Amount('Received'),
    currency: Type.String(),
    date: Type.String(),
    method: Method,
    reference: nullable(Type.String()),
    provider: Type.String(),
    provider_reference: nullable(Type.String()),
    status: Type.Union(PAYMENT_STATUSES.map((s) => Type.Literal(s))),
    amount_applied: Amount('Currently allocated to invoices (net of reversed allocations)'),
    amount_unapplied: Amount('The client’s credit from this payment: amount − applied − refunded'),
    amount_refunded: Amount('Given back by refunds'),
    notes: Type.String(),
    credit_note_id: nullable(Type.String({ description: 'Set when this is client credit from a credit note (no money received): apply it like any credit, or refund it.' })),
    allocations: Type.Array(PaymentAllocation),
    refunds: Type.Array(Refund),
    version: Type.Integer(),
    created_at: Instant,
    updated_at: Instant,
  },
  { $id: 'Payment', ...strict },
);
export type Payment = Static<typeof Payment>;

export const PaymentPage = pageSchema(Payment, 'PaymentPage');

export const ListPaymentsQuery = listQuerySchema(
  ['created_at', 'date'],
  {
    client_id: Type.Optional(Id),
    invoice_id: Type.Optional(Type.String({ maxLength: 64, description: 'Payments with an allocation to this invoice.' })),
    method: Type.Optional(Method),
    currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$' })),
    status: Type.Optional(Type.Union(PAYMENT_STATUSES.map((s) => Type.Literal(s)))),
    has_credit: Type.Optional(Type.Boolean({ description: 'Only payments with (true) or without (false) an unapplied amount.' })),
    paid_after: Type.Optional(Type.String({ format: 'date', description: 'Payment date on or after (inclusive).' })),
    paid_before: Type.Optional(Type.String({ format: 'date', description: 'Payment date on or before (inclusive).' })),
  },
  '-created_at',
);
export type ListPaymentsQuery = Static<typeof ListPaymentsQuery>;

export const PaymentParams = Type.Object({ id: Id }, strict);

export const ClientCredit = Type.Object(
  {
    client_id: Type.String(),
    balances: Type.Array(Type.Object({ currency: Type.String(), amount: Amount('Sum of the unapplied amounts of the client’s payments in this currency') }, strict)),
  },
  { $id: 'ClientCredit', ...strict },
);
export type ClientCredit = Static<typeof ClientCredit>;
