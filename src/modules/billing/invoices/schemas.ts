import { Type, type Static } from '@sinclair/typebox';
import { listQuerySchema, pageSchema } from '../../../kernel/http/pagination';
import { Address } from '../addresses';

const strict = { additionalProperties: false } as const;
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Day = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const Instant = Type.String({ format: 'date-time' });
const Status = Type.Union([Type.Literal('draft'), Type.Literal('open'), Type.Literal('paid'), Type.Literal('uncollectible'), Type.Literal('void')]);
const PaymentStatus = Type.Union([Type.Literal('unpaid'), Type.Literal('partially_paid'), Type.Literal('paid'), Type.Literal('partially_refunded'), Type.Literal('refunded')]);
const DecimalInput = (description: string) => Type.Union([Type.String({ maxLength: 40 }), Type.Number()], { description });
const ROUNDING = 'Rounded half-up to the currency’s minor unit per line; document totals are sums of the rounded line figures';
const Amount = (description: string) => Type.String({ description: `${description}. ${ROUNDING}.` });

export const LineInput = Type.Object(
  {
    description: Type.String({ minLength: 1, maxLength: 1000 }),
    quantity: DecimalInput('Greater than 0, up to 6 decimals.'),
    unit_price: DecimalInput('0 or more, up to 6 decimals (it is the line amount that is rounded).'),
    unit_id: Type.Optional(nullable(Type.String({ maxLength: 64 }))),
    category_id: Type.Optional(nullable(Type.String({ maxLength: 64, description: 'An active product, service or general category (master data); revenue is reported per category.' }))),
    discount_percent: Type.Optional(DecimalInput('0 to 100, up to 4 decimals.')),
    tax_code_id: Type.Optional(nullable(Type.String({ maxLength: 64, description: 'The version of this tax code in force on the issue date applies.' }))),
    hsn_sac_code: Type.Optional(nullable(Type.String({ pattern: '^\\d{4,8}$' }))),
  },
  strict,
);
export type LineInput = Static<typeof LineInput>;

const editable = {
  client_id: Type.String({ maxLength: 64 }),
  currency: Type.String({ pattern: '^[A-Za-z]{3}$', description: 'Default: the client’s currency.' }),
  issue_date: Day,
  due_date: nullable(Day),
  place_of_supply: nullable(Type.String({ minLength: 2, maxLength: 3, description: 'India only: the state code of the place of supply; default the client’s billing state. Same state as the issuer: CGST + SGST; another state or an export: IGST.' })),
  payment_terms_id: nullable(Type.String({ maxLength: 64 })),
  exchange_rate: nullable(DecimalInput('Value of one unit of the invoice currency in the organization’s base currency; required to finalize when they differ.')),
  notes: Type.String({ maxLength: 5000 }),
  lines: Type.Array(LineInput, { minItems: 1, maxItems: 500 }),
};

const { client_id, lines, ...optional } = editable;
export const CreateInvoiceBody = Type.Object({ client_id, lines, ...Type.Partial(Type.Object(optional)).properties }, strict);
export type CreateInvoiceBody = Static<typeof CreateInvoiceBody>;
export const UpdateInvoiceBody = Type.Partial(Type.Object(editable), { ...strict, minProperties: 1 });
export type UpdateInvoiceBody = Static<typeof UpdateInvoiceBody>;

const Party = Type.Object({ name: nullable(Type.String()), address: nullable(Address), tax_id: nullable(Type.String()) }, strict);
const Issuer = Type.Object(
  { ...Party.properties, logo_file_id: nullable(Type.String({ description: 'The billing settings’ logo when the invoice was finalized: the one its PDF prints, whatever the logo is now.' })) },
  strict,
);

export const InvoiceLine = Type.Object(
  {
    id: Type.String(),
    description: Type.String(),
    quantity: Type.String(),
    unit_id: nullable(Type.String()),
    category_id: nullable(Type.String()),
    unit_price: Type.String(),
    discount_percent: Type.String(),
    tax_code_id: nullable(Type.String()),
    hsn_sac_code: nullable(Type.String()),
    amount: Amount('quantity × unit_price'),
    discount_amount: Amount('amount × discount_percent / 100'),
    taxable_amount: Amount('amount − discount_amount'),
    tax_amount: Amount('Sum of the line’s rounded tax components'),
    total: Amount('taxable_amount + tax_amount'),
    tax_components: Type.Array(Type.Object({ name: Type.String(), rate: Type.String(), amount: Type.String() }, strict)),
  },
  strict,
);

const summaryFields = {
    id: Type.String({ examples: ['inv_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
    number: nullable(Type.String({ description: 'Assigned at finalize; null for drafts.' })),
    status: Status,
    payment_status: PaymentStatus,
    overdue: Type.Boolean(),
    client_id: Type.String(),
    currency: Type.String(),
    issue_date: Type.String(),
    due_date: nullable(Type.String()),
    place_of_supply: nullable(Type.String()),
    supply_type: Type.Union([Type.Literal('intra_state'), Type.Literal('inter_state')]),
    payment_terms_id: nullable(Type.String()),
    exchange_rate: nullable(Type.String()),
    notes: Type.String(),
    subtotal: Amount('Sum of the line amounts'),
    discount_total: Amount('Sum of the line discounts'),
    tax_total: Amount('Sum of the line taxes'),
    total: Amount('subtotal − discount_total + tax_total'),
    amount_paid: Type.String(),
    amount_remaining: Type.String({ description: 'total − amount_paid − amount_credited − discount_taken, never below 0 (exact; no rounding).' }),
    amount_refunded: Type.String({ description: 'Given back by payment refunds; amount_paid is net of it.' }),
    amount_credited: Type.String({ description: 'Sum of the totals of the invoice’s credit notes.' }),
    discount_taken: Type.String({ description: 'Early-payment discount granted when a payment within the terms’ window settled the invoice.' }),
    tax_breakdown: Type.Array(Type.Object({ tax_code_id: Type.String(), tax_code: Type.String(), component: Type.String(), rate: Type.String(), taxable_amount: Type.String(), amount: Type.String() }, strict)),
    hsn_summary: Type.Array(Type.Object({ hsn_sac_code: Type.String(), taxable_amount: Type.String(), components: Type.Record(Type.String(), Type.String()), tax_amount: Type.String() }, strict)),
    installments: Type.Array(Type.Object({ due_date: Type.String(), percentage: Type.String(), amount: Type.String() }, strict)),
    issuer: nullable(Issuer),
    customer: nullable(Party),
    void_reason: nullable(Type.String()),
    finalized_at: nullable(Instant),
    sent_at: nullable(Instant),
    viewed_at: nullable(Instant),
    paid_at: nullable(Instant),
    voided_at: nullable(Instant),
    marked_uncollectible_at: nullable(Instant),
    version: Type.Integer(),
    created_at: Instant,
    updated_at: Instant,
};

export const Invoice = Type.Object({ ...summaryFields, lines: Type.Array(InvoiceLine) }, { $id: 'Invoice', ...strict });
export type Invoice = Static<typeof Invoice>;

/** An invoice without its lines (bulk export). */
export const InvoiceSummary = Type.Object(summaryFields, { $id: 'InvoiceSummary', ...strict });
export type InvoiceSummary = Static<typeof InvoiceSummary>;

/**
 * An invoice in a list: what a list screen shows and filters on, as `GET /invoices/{id}` has it.
 * The breakdowns, parties, schedule and lines are in the invoice itself.
 */
export const InvoiceListItem = Type.Pick(
  Type.Object(summaryFields),
  [
    ...['id', 'number', 'status', 'payment_status', 'overdue', 'client_id', 'currency', 'issue_date', 'due_date', 'exchange_rate'] as const,
    ...['subtotal', 'discount_total', 'tax_total', 'total', 'amount_paid', 'amount_remaining'] as const,
    ...['finalized_at', 'sent_at', 'viewed_at', 'paid_at', 'voided_at', 'version', 'created_at', 'updated_at'] as const,
  ],
  { $id: 'InvoiceListItem', ...strict },
);
export type InvoiceListItem = Static<typeof InvoiceListItem>;

export const InvoicePage = pageSchema(InvoiceListItem, 'InvoicePage');

export const ListInvoicesQuery = listQuerySchema(
  ['created_at', 'issue_date'],
  {
    status: Type.Optional(Status),
    client_id: Type.Optional(Type.String({ maxLength: 64 })),
    currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$' })),
    overdue: Type.Optional(Type.Boolean()),
    issued_after: Type.Optional(Day),
    issued_before: Type.Optional(Day),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Part of the number or the notes.' })),
  },
  '-created_at',
);
export type ListInvoicesQuery = Static<typeof ListInvoicesQuery>;

export const InvoiceParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, strict);
export const VoidInvoiceBody = Type.Object({ reason: Type.String({ minLength: 3, maxLength: 500 }) }, strict);
export const PdfQuery = Type.Object({ page_size: Type.Union([Type.Literal('A4'), Type.Literal('Letter')], { default: 'A4' }) }, strict);

export const AmountDueQuery = Type.Object({ date: Type.Optional(Type.String({ format: 'date', description: 'YYYY-MM-DD; default today (UTC).' })) }, strict);

const MoneyFigure = (description: string) => Type.String({ description: `${description}. Rounded half-up to the currency’s minor unit.` });
export const AmountDue = Type.Object(
  {
    invoice_id: Type.String(),
    currency: Type.String(),
    date: Type.String(),
    amount_remaining: Type.String({ description: 'total − paid − credited − discount taken.' }),
    early_payment_discount: nullable(Type.Object({ rate: Type.String(), available_until: Type.String(), amount: MoneyFigure('rate % of the total net of credit notes') }, strict)),
    late_fee: nullable(Type.Object({ rate: Type.String(), period: Type.String(), periods: Type.Integer({ description: 'Periods started after the due date.' }), amount: MoneyFigure('amount_remaining × rate % × periods (simple, not compound)') }, strict)),
    amount_due: Type.String({ description: 'max(0, amount_remaining − discount) + late fee.' }),
  },
  { $id: 'AmountDue', ...strict },
);
export type AmountDue = Static<typeof AmountDue>;
