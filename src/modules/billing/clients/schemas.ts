import { Type, type Static } from '@sinclair/typebox';
import { listQuerySchema, pageSchema } from '../../../kernel/http/pagination';
import { Address, AddressInput } from '../addresses';

const strict = { additionalProperties: false } as const;
const Instant = Type.String({ format: 'date-time' });
const Email = Type.String({ format: 'email', maxLength: 254, description: 'Normalised to lower case.' });
const Phone = Type.String({ pattern: '^\\+?[0-9 ().-]{3,40}$', description: 'Digits, spaces, `+ ( ) . -`.' });
const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);
export const AmountInput = Type.Union([Type.String({ maxLength: 40 }), Type.Number()], { description: 'Decimal amount, as a string (`"1500.00"`) or a number.' });

export const ContactInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    email: Type.Optional(nullable(Email)),
    phone: Type.Optional(nullable(Phone)),
    is_primary: Type.Optional(Type.Boolean({ description: 'At most one contact is primary; when none is marked, the first one is.' })),
  },
  strict,
);
export type ContactInput = Static<typeof ContactInput>;

const editable = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  email: nullable(Email),
  phone: nullable(Phone),
  currency: Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217 code of the currency this client is invoiced in, e.g. `INR`.' }),
  billing_address: AddressInput,
  shipping_address: nullable(AddressInput),
  tax_id: nullable(Type.String({ minLength: 1, maxLength: 50, description: 'In India the GSTIN, checked for format, checksum and state; elsewhere any VAT or tax number.' })),
  credit_limit: nullable(AmountInput),
  payment_terms_id: nullable(Type.String({ maxLength: 64 })),
  tags: Type.Array(Type.String({ minLength: 1, maxLength: 50, pattern: '^[^,;]+$' }), { maxItems: 20, uniqueItems: true }),
  notes: Type.String({ maxLength: 5000 }),
  contacts: Type.Array(ContactInput, { maxItems: 50, description: 'The complete list: on update it replaces the current one.' }),
};

const { name, currency, billing_address, ...optional } = editable;

export const CreateClientBody = Type.Object({ name, currency, billing_address, ...Type.Partial(Type.Object(optional)).properties }, strict);
export type CreateClientBody = Static<typeof CreateClientBody>;

export const UpdateClientBody = Type.Partial(Type.Object(editable, strict), { ...strict, minProperties: 1 });
export type UpdateClientBody = Static<typeof UpdateClientBody>;

export const Contact = Type.Object(
  { id: Type.String(), name: Type.String(), email: nullable(Type.String()), phone: nullable(Type.String()), is_primary: Type.Boolean() },
  strict,
);

export const Client = Type.Object(
  {
    id: Type.String({ examples: ['cli_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
    name: Type.String(),
    email: nullable(Type.String()),
    phone: nullable(Type.String()),
    currency: Type.String(),
    billing_address: Address,
    shipping_address: nullable(Address),
    tax_id: nullable(Type.String()),
    credit_limit: nullable(Type.String({ description: 'In the client currency, with its minor digits.' })),
    payment_terms_id: nullable(Type.String()),
    tags: Type.Array(Type.String()),
    notes: Type.String(),
    contacts: Type.Array(Contact),
    version: Type.Integer(),
    created_at: Instant,
    updated_at: Instant,
  },
  { $id: 'Client', ...strict },
);
export type Client = Static<typeof Client>;

export const ClientPage = pageSchema(Client, 'ClientPage');

const filters = {
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Words found in the name, email, tax id or a contact’s name or email.' })),
  currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$' })),
  tag: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })),
  country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$', description: 'Country of the billing address.' })),
  created_after: Type.Optional(Type.String({ format: 'date-time', description: 'Created at or after this instant.' })),
  created_before: Type.Optional(Type.String({ format: 'date-time', description: 'Created strictly before this instant.' })),
};
export const ListClientsQuery = listQuerySchema(['created_at', 'name'], filters, '-created_at');
export type ListClientsQuery = Static<typeof ListClientsQuery>;
export type ClientFilters = Pick<ListClientsQuery, keyof typeof filters>;

export const ExportClientsQuery = Type.Object({ format: Type.Union([Type.Literal('csv'), Type.Literal('xlsx')], { default: 'csv' }), ...filters }, strict);
export type ExportClientsQuery = Static<typeof ExportClientsQuery>;

export const ImportClientsQuery = Type.Object({ dry_run: Type.Boolean({ default: false, description: 'Check every row and report; import nothing.' }) }, strict);

export const ImportReport = Type.Object(
  {
    dry_run: Type.Boolean(),
    total: Type.Integer({ description: 'Data rows read (the header excluded).' }),
    valid: Type.Integer(),
    imported: Type.Integer({ description: 'Always 0 in a dry run, and when any row has an error: an import is all or nothing.' }),
    errors: Type.Array(Type.Object({ row: Type.Integer({ description: 'Line number in the file (the header is line 1).' }), field: Type.String(), message: Type.String() }, strict)),
  },
  { $id: 'ClientImportReport', ...strict },
);
export type ImportReport = Static<typeof ImportReport>;

export const ClientParams = Type.Object({ id: Type.String({ maxLength: 64 }) }, strict);
