import { sql } from 'drizzle-orm';
import { date, index, integer, jsonb, numeric, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { idColumn } from '../../../kernel/db/columns';
import { documentLineColumns, type HsnSummaryEntry, type TaxBreakdownEntry } from '../invoices/tables';

const money = (name: string) => numeric(name, { precision: 30, scale: 6 }).notNull();
const instant = (name: string) => timestamp(name, { precision: 3, withTimezone: true });

export const CREDIT_NOTE_REASONS = ['duplicate', 'fraudulent', 'order_change', 'product_unsatisfactory', 'pricing_error', 'other'] as const;

/**
 * A credit note (issue 5 item 7): corrects a finalized invoice. Numbered at creation from the
 * organization's credit_note_number_pattern; immutable once issued. Its total splits into what
 * reduced the invoice's amount due and what became client credit (a payments row).
 */
export const creditNotes = pgTable(
  'credit_notes',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    number: text('number').notNull(),
    invoiceId: text('invoice_id').notNull(),
    invoiceNumber: text('invoice_number').notNull(),
    clientId: text('client_id').notNull(),
    currency: text('currency').notNull(),
    issueDate: date('issue_date', { mode: 'string' }).notNull(),
    reason: text('reason', { enum: CREDIT_NOTE_REASONS }).notNull(),
    memo: text('memo').notNull().default(''),
    supplyType: text('supply_type', { enum: ['intra_state', 'inter_state'] }).notNull(),
    subtotal: money('subtotal'),
    discountTotal: money('discount_total'),
    taxTotal: money('tax_total'),
    total: money('total'),
    /** The part that reduced the invoice's amount remaining. */
    appliedToInvoice: money('applied_to_invoice'),
    /** The part beyond what the invoice still owed (money already paid): client credit. */
    creditedToBalance: money('credited_to_balance'),
    /** The payments row holding that client credit (unapplied amount), when there is one. */
    creditPaymentId: text('credit_payment_id'),
    taxBreakdown: jsonb('tax_breakdown').$type<TaxBreakdownEntry[]>().notNull().default([]),
    hsnSummary: jsonb('hsn_summary').$type<HsnSummaryEntry[]>().notNull().default([]),
    createdBy: text('created_by'),
    createdAt: instant('created_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('credit_notes_org_number_idx').on(t.organizationId, t.number),
    index('credit_notes_org_created_idx').on(t.organizationId, t.createdAt, t.id),
    index('credit_notes_org_invoice_idx').on(t.organizationId, t.invoiceId),
  ],
);

/** The lines of a credit note, computed like invoice lines (rounded per line). */
export const creditNoteLines = pgTable(
  'credit_note_lines',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    creditNoteId: text('credit_note_id').notNull(),
    position: integer('position').notNull(),
    invoiceLineId: text('invoice_line_id'),
    ...documentLineColumns(),
  },
  (t) => [index('credit_note_lines_note_idx').on(t.creditNoteId, t.position), index('credit_note_lines_tax_code_idx').on(t.taxCodeId).where(sql`${t.taxCodeId} IS NOT NULL`)],
);
