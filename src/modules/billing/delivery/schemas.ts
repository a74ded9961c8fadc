import { Type, type Static } from '@sinclair/typebox';
import { listQuerySchema, pageSchema } from '../../../kernel/http/pagination';

const strict = { additionalProperties: false } as const;
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Email = Type.String({ format: 'email', maxLength: 254 });

export const SendInvoiceBody = Type.Object(
  {
    to: Type.Optional(Type.Array(Email, { minItems: 1, maxItems: 10, description: 'Default: the email of the customer as frozen on the invoice.' })),
    cc: Type.Optional(Type.Array(Email, { maxItems: 10, description: 'Each copy is a message of its own.' })),
    message: Type.Optional(Type.String({ maxLength: 2000, description: 'A personal note shown in the email.' })),
    locale: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('km')], { default: 'en' })),
  },
  strict,
);
export type SendInvoiceBody = Static<typeof SendInvoiceBody>;

export const InvoiceActivity = Type.Object(
  {
    id: Type.String({ examples: ['iac_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
    type: Type.String({ description: '`created`, `updated`, `finalized`, `sent`, `viewed`, `overdue`, `voided`, `marked_uncollectible`, `email_delivered`, `email_bounced`, `email_failed`, …' }),
    actor_id: nullable(Type.String()),
    actor_type: nullable(Type.String()),
    recipient: nullable(Type.String()),
    email: nullable(
      Type.Object(
        {
          message_id: Type.String(),
          status: nullable(Type.Union([Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed'), Type.Literal('bounced')], { description: 'The message’s delivery status now; null once the message was erased.' })),
          error: nullable(Type.String()),
        },
        strict,
      ),
    ),
    details: Type.Record(Type.String(), Type.Unknown()),
    created_at: Type.String({ format: 'date-time' }),
  },
  { $id: 'InvoiceActivity', ...strict },
);
export type InvoiceActivity = Static<typeof InvoiceActivity>;
export const InvoiceActivityPage = pageSchema(InvoiceActivity, 'InvoiceActivityPage');
export const ListActivityQuery = listQuerySchema(['created_at'], {}, 'created_at');
export type ListActivityQuery = Static<typeof ListActivityQuery>;

export const ViewQuery = Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, strict);
