import { Type, type Static } from '@sinclair/typebox';
import { listQuerySchema, pageSchema } from '../http/pagination';

const Status = Type.Union([Type.Literal('queued'), Type.Literal('sent'), Type.Literal('failed'), Type.Literal('bounced')]);

const summaryFields = {
  id: Type.String({ examples: ['eml_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
  type: Type.String({ description: 'Template, e.g. `verify_email`.' }),
  to: Type.String(),
  from: Type.String(),
  subject: Type.String(),
  locale: Type.String(),
  transport: Type.Union([Type.Literal('smtp'), Type.Literal('mailbox')], { description: '`mailbox`: kept in the development mailbox, not sent.' }),
  status: Status,
  attempts: Type.Integer(),
  smtp_message_id: Type.Union([Type.String(), Type.Null()]),
  smtp_response: Type.Union([Type.String(), Type.Null()], { description: "The server's reply to the last attempt." }),
  last_error: Type.Union([Type.String(), Type.Null()]),
  attachments: Type.Array(Type.Object({ filename: Type.String(), content_type: Type.String(), size: Type.Integer() }, { additionalProperties: false })),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
  sent_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
};

export const EmailMessageSummary = Type.Object(summaryFields, { $id: 'EmailMessageSummary', additionalProperties: false });
export type EmailMessageSummary = Static<typeof EmailMessageSummary>;

export const EmailMessage = Type.Object(
  { ...summaryFields, text_body: Type.String(), html_body: Type.Union([Type.String(), Type.Null()]) },
  { $id: 'EmailMessage', additionalProperties: false },
);
export type EmailMessage = Static<typeof EmailMessage>;

export const EmailMessageParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });

export const ListEmailMessagesQuery = listQuerySchema(
  ['created_at'],
  {
    to: Type.Optional(Type.String({ minLength: 3, maxLength: 320, description: 'Recipient address, matched exactly.' })),
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    status: Type.Optional(Status),
    created_after: Type.Optional(Type.String({ format: 'date-time', description: 'Created at or after this instant.' })),
    created_before: Type.Optional(Type.String({ format: 'date-time', description: 'Created strictly before this instant.' })),
  },
  '-created_at',
);
export type ListEmailMessagesQuery = Static<typeof ListEmailMessagesQuery>;

export const EmailMessagePage = pageSchema(EmailMessageSummary);

const Locale = Type.Union([Type.Literal('en'), Type.Literal('km')]);

export const EmailTemplate = Type.Object(
  {
    type: Type.String({ examples: ['verify_email'] }),
    locale: Locale,
    customized: Type.Boolean({ description: "true when this organization's own wording replaces the built-in one." }),
    subject: Type.String(),
    text: Type.String(),
    html: Type.String({ description: 'The body fragment; the layout wraps it. Variables are HTML-escaped.' }),
    variables: Type.Array(Type.String(), { description: 'What senders of this type supply: `{{name}}`, or `{{#name}}…{{/name}}` to keep text only when present.' }),
    version: Type.Integer({ description: '0 while the built-in template is in use.' }),
    updated_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'EmailTemplate', additionalProperties: false },
);

export const EmailTemplatePage = pageSchema(EmailTemplate);

export const EmailTemplateParams = Type.Object({ type: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}$' }), locale: Locale }, { additionalProperties: false });

const parts = {
  subject: Type.String({ minLength: 1, maxLength: 200 }),
  text: Type.String({ minLength: 1, maxLength: 20_000 }),
  html: Type.String({ minLength: 1, maxLength: 100_000 }),
};

export const PutEmailTemplateBody = Type.Object(parts, { additionalProperties: false });

export const PreviewEmailTemplateBody = Type.Object(
  {
    variables: Type.Optional(Type.Record(Type.String({ pattern: '^\\w{1,64}$' }), Type.Union([Type.String({ maxLength: 2000 }), Type.Number(), Type.Boolean()]), { description: 'Values to render with; missing ones show as `[name]`.' })),
    subject: Type.Optional(parts.subject),
    text: Type.Optional(parts.text),
    html: Type.Optional(parts.html),
  },
  { additionalProperties: false, description: 'A draft to render instead of the template in use (any part may be left out).' },
);

export const RenderedEmail = Type.Object({ subject: Type.String(), text: Type.String(), html: Type.String({ description: 'The whole HTML document, layout included.' }) }, { additionalProperties: false });
