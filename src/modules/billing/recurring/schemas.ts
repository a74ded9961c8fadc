import { Type, type Static } from '@sinclair/typebox';
import { listQuerySchema, pageSchema } from '../../../kernel/http/pagination';
import { LineInput } from '../invoices/schemas';

const strict = { additionalProperties: false } as const;
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Interval = Type.Union([Type.Literal('weekly'), Type.Literal('monthly'), Type.Literal('yearly')]);

export const RecurringTemplate = Type.Object(
  {
    currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$', description: 'Default: the client’s currency.' })),
    payment_terms_id: Type.Optional(nullable(Type.String({ maxLength: 64 }))),
    place_of_supply: Type.Optional(nullable(Type.String({ minLength: 2, maxLength: 3 }))),
    notes: Type.Optional(Type.String({ maxLength: 5000 })),
    lines: Type.Array(LineInput, { minItems: 1, maxItems: 500 }),
  },
  { ...strict, description: 'What every generated invoice copies; its issue date is the period’s start.' },
);

const editable = {
  template: RecurringTemplate,
  interval: Interval,
  interval_count: Type.Integer({ minimum: 1, maximum: 52, default: 1, description: 'Every n weeks, months or years.' }),
  start_date: Type.String({ format: 'date', description: 'First period. Monthly and yearly periods keep its day, or the month’s last day when shorter (Jan 31 → Feb 28/29 → Mar 31).' }),
  end_date: nullable(Type.String({ format: 'date', description: 'No period starts after it.' })),
  count: nullable(Type.Integer({ minimum: 1, maximum: 10_000, description: 'At most this many invoices.' })),
  auto_finalize: Type.Boolean({ description: 'Finalize each invoice (rate: the latest recorded on or before the period start).' }),
  auto_send: Type.Boolean({ description: 'Email each finalized invoice to the client (requires auto_finalize).' }),
  status: Type.Union([Type.Literal('active'), Type.Literal('paused')]),
};

export const CreateRecurringInvoiceBody = Type.Object(
  {
    client_id: Type.String({ maxLength: 64 }),
    template: editable.template,
    interval: editable.interval,
    start_date: editable.start_date,
    interval_count: Type.Optional(editable.interval_count),
    end_date: Type.Optional(editable.end_date),
    count: Type.Optional(editable.count),
    auto_finalize: Type.Optional({ ...editable.auto_finalize, default: false }),
    auto_send: Type.Optional({ ...editable.auto_send, default: false }),
    status: Type.Optional(editable.status),
  },
  strict,
);
export type CreateRecurringInvoiceBody = Static<typeof CreateRecurringInvoiceBody>;

export const UpdateRecurringInvoiceBody = Type.Partial(Type.Object(editable), { ...strict, minProperties: 1, description: 'interval, interval_count and start_date change only before the first invoice.' });
export type UpdateRecurringInvoiceBody = Static<typeof UpdateRecurringInvoiceBody>;

export const RecurringInvoice = Type.Object(
  {
    id: Type.String({ examples: ['rin_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
    client_id: Type.String(),
    template: RecurringTemplate,
    interval: Interval,
    interval_count: Type.Integer(),
    start_date: Type.String(),
    end_date: nullable(Type.String()),
    count: nullable(Type.Integer()),
    auto_finalize: Type.Boolean(),
    auto_send: Type.Boolean(),
    status: Type.Union([Type.Literal('active'), Type.Literal('paused'), Type.Literal('completed')], { description: '`completed` once past end_date or count.' }),
    next_run_date: nullable(Type.String({ description: 'Start of the next period to invoice; null once completed.' })),
    invoices_generated: Type.Integer(),
    last_run_at: nullable(Type.String({ format: 'date-time' })),
    last_error: nullable(Type.String({ description: 'Why the last generation, finalization or sending failed, if it did.' })),
    version: Type.Integer(),
    created_at: Type.String({ format: 'date-time' }),
    updated_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'RecurringInvoice', ...strict },
);
export type RecurringInvoice = Static<typeof RecurringInvoice>;
export const RecurringInvoicePage = pageSchema(RecurringInvoice, 'RecurringInvoicePage');

export const ListRecurringInvoicesQuery = listQuerySchema(
  ['created_at'],
  { status: Type.Optional(Type.Union([Type.Literal('active'), Type.Literal('paused'), Type.Literal('completed')])), client_id: Type.Optional(Type.String({ maxLength: 64 })) },
  '-created_at',
);
export type ListRecurringInvoicesQuery = Static<typeof ListRecurringInvoicesQuery>;
export const RecurringInvoiceParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, strict);
