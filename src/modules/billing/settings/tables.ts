import { jsonb, pgTable, text } from 'drizzle-orm/pg-core';
import { resourceColumns } from '../../../kernel/db/columns';
import type { Address } from '../addresses';

/** An organization's billing profile: who issues its invoices, and how they are numbered. */
export const billingSettings = pgTable('billing_settings', {
  organizationId: text('organization_id').primaryKey(),
  legalName: text('legal_name'),
  address: jsonb('address').$type<Address>(),
  taxId: text('tax_id'),
  logoFileId: text('logo_file_id'),
  baseCurrency: text('base_currency').notNull(),
  invoiceNumberPattern: text('invoice_number_pattern').notNull(),
  creditNoteNumberPattern: text('credit_note_number_pattern').notNull(),
  defaultPaymentTermsId: text('default_payment_terms_id'),
  defaultNotes: text('default_notes').notNull().default(''),
  ...resourceColumns(),
});
