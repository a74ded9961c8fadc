import { Type, type Static } from '@sinclair/typebox';
import { listQuerySchema, pageSchema } from '../../../kernel/http/pagination';
import { Code, DecimalInput, Description, Instant, Name, Nullable } from './common';

export const PENALTY_PERIODS = ['day', 'week', 'month', 'year'] as const;
const PenaltyPeriod = Type.Union(PENALTY_PERIODS.map((p) => Type.Literal(p)));
const Days = Type.Integer({ minimum: 0, maximum: 3650 });

export const PaymentTerm = Type.Object(
  {
    id: Type.String({ examples: ['term_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
    organization_id: Type.String(),
    name: Type.String(),
    code: Type.String(),
    description: Nullable(Type.String()),
    payment_days: Type.Integer({ description: 'Days after the invoice date the (last) payment is due.' }),
    early_payment_discount_days: Nullable(Type.Integer()),
    early_payment_discount_rate: Nullable(Type.String({ description: 'Percent off when paid within `early_payment_discount_days`.', examples: ['2.00'] })),
    late_payment_penalty_rate: Nullable(Type.String({ description: 'Percent of the overdue amount per `late_payment_penalty_period`.', examples: ['1.50'] })),
    late_payment_penalty_period: Nullable(PenaltyPeriod),
    payment_schedule: Type.Array(
      Type.Object({ days: Type.Integer(), percentage: Type.String({ examples: ['50.00'] }) }, { additionalProperties: false }),
      { description: 'Installments: days after the invoice date and percent of the total; empty for a single payment.' },
    ),
    credit_limit_amount: Nullable(Type.String({ examples: ['50000.00'] })),
    currency: Type.String({ description: 'Currency of `credit_limit_amount` (ISO 4217).' }),
    requires_approval: Type.Boolean(),
    is_active: Type.Boolean(),
    version: Type.Integer(),
    created_at: Instant,
    updated_at: Instant,
  },
  { $id: 'BillingPaymentTerm', additionalProperties: false },
);
export type PaymentTerm = Static<typeof PaymentTerm>;

const Installment = Type.Object(
  { days: Days, percentage: DecimalInput('Percent of the total, > 0, up to 4 decimals.', '50') },
  { additionalProperties: false },
);

const fields = {
  name: Name,
  code: Code,
  description: Type.Optional(Description),
  payment_days: Days,
  early_payment_discount_days: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 3650, description: 'Fewer than `payment_days`; given together with the rate.' }))),
  early_payment_discount_rate: Type.Optional(Nullable(DecimalInput('Percent, > 0, ≤ 100, up to 4 decimals.', '2'))),
  late_payment_penalty_rate: Type.Optional(Nullable(DecimalInput('Percent per period, > 0, ≤ 100, up to 4 decimals.', '1.5'))),
  late_payment_penalty_period: Type.Optional(Nullable(PenaltyPeriod)),
  payment_schedule: Type.Optional(
    Type.Array(Installment, { maxItems: 36, description: 'Days strictly increasing and at most `payment_days`; percentages add up to exactly 100 (422 otherwise).' }),
  ),
  credit_limit_amount: Type.Optional(Nullable(DecimalInput('≥ 0, with at most the currency’s minor digits.', '50000.00'))),
  currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217; default USD.' })),
  requires_approval: Type.Optional(Type.Boolean()),
  is_active: Type.Optional(Type.Boolean()),
};

export const CreatePaymentTerm = Type.Object(fields, { additionalProperties: false });
export type CreatePaymentTerm = Static<typeof CreatePaymentTerm>;

export const UpdatePaymentTerm = Type.Partial(Type.Object(fields), { additionalProperties: false, minProperties: 1 });
export type UpdatePaymentTerm = Static<typeof UpdatePaymentTerm>;

export const ListPaymentTermsQuery = listQuerySchema(['code', 'name', 'created_at'], {
  is_active: Type.Optional(Type.Boolean()),
  requires_approval: Type.Optional(Type.Boolean()),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Free-text search in name, code and description.' })),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Same as `q` (seed 000’s name).' })),
}, 'code');
export type ListPaymentTermsQuery = Static<typeof ListPaymentTermsQuery>;

export const PaymentTermPage = pageSchema(PaymentTerm);
