import { Type, type Static } from '@sinclair/typebox';
import { listQuerySchema, pageSchema } from '../../../kernel/http/pagination';
import { InvoiceLine } from '../invoices/schemas';
import { CREDIT_NOTE_REASONS } from './tables';

const strict = { additionalProperties: false } as const;
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Instant = Type.String({ format: 'date-time' });
const DecimalInput = (description: string) => Type.Union([Type.String({ maxLength: 40 }), Type.Number()], { description });
const ROUNDING = 'Rounded half-up to the currency’s minor unit per line, with the original invoice’s supply type and the tax codes in force on its issue date; totals are sums of the rounded line figures';
const Amount = (description: string) => Type.String({ description: `${description}. ${ROUNDING}.` });
const Reason = Type.Union(CREDIT_NOTE_REASONS.map((r) => Type.Literal(r)));

export const CreditNoteLineInput = Type.Object(
  {
    invoice_line_id: Type.Optional(Type.String({ maxLength: 64, description: 'Credit (part of) this line of the invoice: description, unit price, discount, tax code and HSN/SAC default to the line’s, quantity to its quantity.' })),
    description: Type.Optional(Type.String({ minLength: 1, maxLength: 1000 })),
    quantity: Type.Optional(DecimalInput('Greater than 0, up to 6 decimals.')),
    unit_price: Type.Optional(DecimalInput('0 or more, up to 6 decimals.')),
    discount_percent: Type.Optional(DecimalInput('0 to 100, up to 4 decimals.')),
    tax_code_id: Type.Optional(nullable(Type.String({ maxLength: 64, description: 'The version in force on the invoice’s issue date applies.' }))),
    hsn_sac_code: Type.Optional(nullable(Type.String({ pattern: '^\\d{4,8}$' }))),
  },
  strict,
);
export type CreditNoteLineInput = Static<typeof CreditNoteLineInput>;

export const CreateCreditNoteBody = Type.Object(
  {
    lines: Type.Optional(Type.Array(CreditNoteLineInput, { minItems: 1, maxItems: 500, description: 'What is credited, line by line (taxed like the invoice). Give `lines` or `amount`.' })),
    amount: Type.Optional(DecimalInput('A lump sum credited without tax (an adjustment), with at most the currency’s minor digits. Give `lines` or `amount`.')),
    reason: Reason,
    memo: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  strict,
);
export type CreateCreditNoteBody = Static<typeof CreateCreditNoteBody>;

export const CreditNoteLine = Type.Object({ ...Type.Omit(InvoiceLine, ['unit_id', 'category_id']).properties, invoice_line_id: nullable(Type.String()) }, strict);

export const CreditNote = Type.Object(
  {
    id: Type.String({ examples: ['cn_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
    number: Type.String({ description: 'From the organization’s credit_note_number_pattern (its own gap-free sequence).' }),
    invoice_id: Type.String(),
    invoice_number: Type.String(),
    client_id: Type.String(),
    currency: Type.String(),
    issue_date: Type.String(),
    reason: Reason,
    memo: Type.String(),
    supply_type: Type.Union([Type.Literal('intra_state'), Type.Literal('inter_state')]),
    subtotal: Amount('Sum of the line amounts'),
    discount_total: Amount('Sum of the line discounts'),
    tax_total: Amount('Sum of the line taxes'),
    total: Amount('subtotal − discount_total + tax_total'),
    applied_to_invoice: Type.String({ description: 'The part of the total that reduced the invoice’s amount remaining (at most what it still owed).' }),
    credited_to_balance: Type.String({ description: 'The rest (money already paid): client credit, held by the payment `credit_payment_id`.' }),
    credit_payment_id: nullable(Type.String()),
    tax_breakdown: Type.Array(Type.Object({ tax_code_id: Type.String(), tax_code: Type.String(), component: Type.String(), rate: Type.String(), taxable_amount: Type.String(), amount: Type.String() }, strict)),
    hsn_summary: Type.Array(Type.Object({ hsn_sac_code: Type.String(), taxable_amount: Type.String(), components: Type.Record(Type.String(), Type.String()), tax_amount: Type.String() }, strict)),
    lines: Type.Array(CreditNoteLine),
    version: Type.Integer({ description: 'Always 1: a credit note is never changed.' }),
    created_at: Instant,
  },
  { $id: 'CreditNote', ...strict },
);
export type CreditNote = Static<typeof CreditNote>;

export const CreditNotePage = pageSchema(CreditNote, 'CreditNotePage');

export const ListCreditNotesQuery = listQuerySchema(
  ['created_at'],
  {
    invoice_id: Type.Optional(Type.String({ maxLength: 64 })),
    client_id: Type.Optional(Type.String({ maxLength: 64 })),
  },
  '-created_at',
);
export type ListCreditNotesQuery = Static<typeof ListCreditNotesQuery>;

export const CreditNoteParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, strict);

