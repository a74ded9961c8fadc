import { sql, type SQL } from 'drizzle-orm';
import { boolean, date, index, integer, jsonb, numeric, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { idColumn, resourceColumns } from '../../../kernel/db/columns';
import type { Address } from '../addresses';
import { listItemSql } from './list-item';

const money = (name: string) => numeric(name, { precision: 30, scale: 6 }).notNull();
const instant = (name: string) => timestamp(name, { precision: 3, withTimezone: true });

/** Who issued the invoice and to whom, as they were when it was finalized (later edits do not change it). */
export interface PartySnapshot {
  name: string | null;
  address: Address | null;
  tax_id: string | null;
  email?: string | null;
  logo_file_id?: string | null;
}

export interface TaxBreakdownEntry {
  tax_code_id: string;
  tax_code: string;
  component: string;
  rate: string;
  taxable_amount: string;
  amount: string;
}

export interface HsnSummaryEntry {
  hsn_sac_code: string;
  taxable_amount: string;
  components: Record<string, string>;
  tax_amount: string;
}

export interface InstallmentEntry {
  due_date: string;
  percentage: string;
  amount: string;
}

/** Invoices (seed 001 "Invoice Management"): drafts, then finalized documents with a number. */
export const invoices = pgTable(
  'invoices',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    clientId: text('client_id').notNull(),
    number: text('number'),
    status: text('status', { enum: ['draft', 'open', 'paid', 'uncollectible', 'void'] }).notNull(),
    currency: text('currency').notNull(),
    issueDate: date('issue_date', { mode: 'string' }).notNull(),
    dueDate: date('due_date', { mode: 'string' }),
    /** Set by the caller; otherwise computed from the payment terms at finalize. */
    dueDateGiven: boolean('due_date_given').notNull().default(false),
    placeOfSupply: text('place_of_supply'),
    supplyType: text('supply_type', { enum: ['intra_state', 'inter_state'] }).notNull(),
    paymentTermsId: text('payment_terms_id'),
    exchangeRate: numeric('exchange_rate', { precision: 30, scale: 10 }),
    notes: text('notes').notNull().default(''),
    subtotal: money('subtotal'),
    discountTotal: money('discount_total'),
    taxTotal: money('tax_total'),
    total: money('total'),
    amountPaid: money('amount_paid').default('0'),
    /** Given back by refunds of payments (amount_paid is net of it). */
    amountRefunded: money('amount_refunded').default('0'),
    /** Taken off by credit notes (docs/billing.md, Credit notes). */
    amountCredited: money('amount_credited').default('0'),
    /** Early-payment discount granted when a payment settled the invoice within the terms' window. */
    discountTaken: money('discount_taken').default('0'),
    taxBreakdown: jsonb('tax_breakdown').$type<TaxBreakdownEntry[]>().notNull().default([]),
    hsnSummary: jsonb('hsn_summary').$type<HsnSummaryEntry[]>().notNull().default([]),
    installments: jsonb('installments').$type<InstallmentEntry[]>().notNull().default([]),
    issuer: jsonb('issuer').$type<PartySnapshot>(),
    customer: jsonb('customer').$type<PartySnapshot>(),
    overdue: boolean('overdue').notNull().default(false),
    voidReason: text('void_reason'),
    finalizedAt: instant('finalized_at'),
    sentAt: instant('sent_at'),
    viewedAt: instant('viewed_at'),
    paidAt: instant('paid_at'),
    voidedAt: instant('voided_at'),
    markedUncollectibleAt: instant('marked_uncollectible_at'),
    createdBy: text('created_by'),
    ...resourceColumns(),
    /** GET /invoices' item as JSON text, written by the database with the row (list-item.ts). */
    listItem: text('list_item')
      .notNull()
      .generatedAlwaysAs((): SQL => listItemSql(invoices)),
  },
  (t) => [
    index('invoices_org_created_idx').on(t.organizationId, t.createdAt, t.id),
    index('invoices_org_status_created_idx').on(t.organizationId, t.status, t.createdAt, t.id),
    index('invoices_org_client_idx').on(t.organizationId, t.clientId, t.createdAt),
    // Master data in use (deleting payment terms looks for a referrer while holding the terms' lock).
    index('invoices_payment_terms_idx').on(t.paymentTermsId).where(sql`${t.paymentTermsId} IS NOT NULL`),
    uniqueIndex('invoices_org_number_idx').on(t.organizationId, t.number).where(sql`${t.number} IS NOT NULL`),
  ],
);

/** What a line of any billing document stores: its input and its amounts, rounded per line. */
export const documentLineColumns = () => ({
  description: text('description').notNull(),
  quantity: numeric('quantity', { precision: 30, scale: 6 }).notNull(),
  unitPrice: numeric('unit_price', { precision: 30, scale: 6 }).notNull(),
  discountPercent: numeric('discount_percent', { precision: 9, scale: 4 }).notNull().default('0'),
  taxCodeId: text('tax_code_id'),
  hsnSacCode: text('hsn_sac_code'),
  amount: money('amount'),
  discountAmount: money('discount_amount'),
  taxableAmount: money('taxable_amount'),
  taxAmount: money('tax_amount'),
  total: money('total'),
  taxComponents: jsonb('tax_components').$type<{ name: string; rate: string; amount: string }[]>().notNull().default([]),
});

/** The lines of an invoice with their computed amounts (rounded per line, docs/billing.md). */
export const invoiceLines = pgTable(
  'invoice_lines',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    invoiceId: text('invoice_id').notNull(),
    position: integer('position').notNull(),
    unitId: text('unit_id'),
    /** A sales category (master data): revenue is reported per category. */
    categoryId: text('category_id'),
    ...documentLineColumns(),
  },
  (t) => [
    index('invoice_lines_invoice_idx').on(t.invoiceId, t.position),
    index('invoice_lines_tax_code_idx').on(t.taxCodeId).where(sql`${t.taxCodeId} IS NOT NULL`),
    index('invoice_lines_unit_idx').on(t.unitId).where(sql`${t.unitId} IS NOT NULL`),
    index('invoice_lines_category_idx').on(t.categoryId).where(sql`${t.categoryId} IS NOT NULL`),
  ],
);

/**
 * The last number issued per organization, document kind and scope (the pattern's date part):
 * taken with a row lock inside the finalizing transaction, so numbers are unique and gap-free.
 */
export const documentSequences = pgTable(
  'document_sequences',
  {
    organizationId: text('organization_id').notNull(),
    kind: text('kind').notNull(),
    scope: text('scope').notNull(),
    lastValue: integer('last_value').notNull(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.kind, t.scope] })],
);
