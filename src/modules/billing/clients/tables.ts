import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, numeric, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { idColumn, resourceColumns } from '../../../kernel/db/columns';
import type { Address } from '../addresses';

/** The customers an organization invoices (seed 001 "Client Management"). */
export const clients = pgTable(
  'clients',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    name: text('name').notNull(),
    email: text('email'),
    phone: text('phone'),
    currency: text('currency').notNull(),
    billingAddress: jsonb('billing_address').$type<Address>().notNull(),
    shippingAddress: jsonb('shipping_address').$type<Address>(),
    taxId: text('tax_id'),
    paymentTermsId: text('payment_terms_id'),
    creditLimit: numeric('credit_limit', { precision: 30, scale: 6 }),
    tags: jsonb('tags').$type<string[]>().notNull().default([]),
    notes: text('notes').notNull().default(''),
    createdBy: text('created_by'),
    ...resourceColumns(),
  },
  (t) => [
    index('clients_org_created_idx').on(t.organizationId, t.createdAt, t.id),
    index('clients_org_name_idx').on(t.organizationId, t.name, t.id),
    index('clients_payment_terms_idx').on(t.paymentTermsId).where(sql`${t.paymentTermsId} IS NOT NULL`),
    // One client per tax registration: a second one is almost always an accidental duplicate.
    uniqueIndex('clients_org_tax_id_idx').on(t.organizationId, t.taxId).where(sql`${t.taxId} IS NOT NULL`),
  ],
);

/** People to write to at a client; at most one is primary. */
export const clientContacts = pgTable(
  'client_contacts',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    clientId: text('client_id').notNull(),
    name: text('name').notNull(),
    email: text('email'),
    phone: text('phone'),
    isPrimary: boolean('is_primary').notNull().default(false),
    position: integer('position').notNull(),
  },
  (t) => [
    index('client_contacts_client_idx').on(t.clientId, t.position),
    uniqueIndex('client_contacts_one_primary_idx').on(t.clientId).where(sql`${t.isPrimary}`),
  ],
);
