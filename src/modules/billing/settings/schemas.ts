import { Type, type Static } from '@sinclair/typebox';
import { Address, AddressInput } from '../addresses';

const strict = { additionalProperties: false } as const;
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
const Pattern = (example: string) => Type.String({ minLength: 1, maxLength: 50, examples: [example], description: 'Literal text, `{YYYY}`, `{YY}`, `{MM}` and one `{SEQ:n}`; the sequence restarts when the date part changes (yearly with `{YYYY}`, never without a date token).' });

export const BillingSettings = Type.Object(
  {
    legal_name: nullable(Type.String()),
    address: nullable(Address),
    tax_id: nullable(Type.String()),
    logo_file_id: nullable(Type.String()),
    base_currency: Type.String({ description: 'Currency of the organization’s books: reports total other currencies in it at recorded rates.' }),
    invoice_number_pattern: Type.String(),
    credit_note_number_pattern: Type.String(),
    default_payment_terms_id: nullable(Type.String()),
    default_notes: Type.String(),
    version: Type.Integer({ description: '0 until the settings are first saved (the defaults apply).' }),
    updated_at: nullable(Type.String({ format: 'date-time' })),
  },
  { $id: 'BillingSettings', ...strict },
);
export type BillingSettings = Static<typeof BillingSettings>;

export const UpdateBillingSettingsBody = Type.Object(
  {
    legal_name: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 200 }))),
    address: Type.Optional(nullable(AddressInput)),
    tax_id: Type.Optional(nullable(Type.String({ minLength: 1, maxLength: 50, description: 'In India the GSTIN (format, checksum and state are checked).' }))),
    logo_file_id: Type.Optional(nullable(Type.String({ maxLength: 64, description: 'A PNG or JPEG uploaded with POST /files.' }))),
    base_currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$' })),
    invoice_number_pattern: Type.Optional(Pattern('INV-{YYYY}-{SEQ:4}')),
    credit_note_number_pattern: Type.Optional(Pattern('CN-{YYYY}-{SEQ:4}')),
    default_payment_terms_id: Type.Optional(nullable(Type.String({ maxLength: 64 }))),
    default_notes: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { ...strict, minProperties: 1 },
);
export type UpdateBillingSettingsBody = Static<typeof UpdateBillingSettingsBody>;
