import { boolean, date, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';
import { idColumn, resourceColumns } from '../../../kernel/db/columns';
import type { LineInput } from '../invoices/schemas';

const instant = (name: string) => timestamp(name, { precision: 3, withTimezone: true, mode: 'date' });

/** What each generated invoice copies. */
export interface RecurringTemplate {
  currency?: string;
  payment_terms_id?: string | null;
  place_of_supply?: string | null;
  notes?: string;
  lines: LineInput[];
}

/** Recurring invoice schedules: one invoice per period from start_date until end_date or count. */
export const recurringInvoices = pgTable(
  'recurring_invoices',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    clientId: text('client_id').notNull(),
    template: jsonb('template').$type<RecurringTemplate>().notNull(),
    interval: text('interval', { enum: ['weekly', 'monthly', 'yearly'] }).notNull(),
    intervalCount: integer('interval_count').notNull().default(1),
    startDate: date('start_date', { mode: 'string' }).notNull(),
    endDate: date('end_date', { mode: 'string' }),
    count: integer('count'),
    autoFinalize: boolean('auto_finalize').notNull().default(false),
    autoSend: boolean('auto_send').notNull().default(false),
    status: text('status', { enum: ['active', 'paused', 'completed'] }).notNull(),
    /** Index of the next period (0 = start_date); periods skipped while paused count too. */
    nextPeriod: integer('next_period').notNull().default(0),
    /** Its date; null once the schedule has ended. */
    nextRunDate: date('next_run_date', { mode: 'string' }),
    invoicesGenerated: integer('invoices_generated').notNull().default(0),
    lastRunAt: instant('last_run_at'),
    lastError: text('last_error'),
    createdBy: text('created_by'),
    ...resourceColumns(),
  },
  (t) => [index('recurring_invoices_org_created_idx').on(t.organizationId, t.createdAt, t.id), index('recurring_invoices_due_idx').on(t.status, t.nextRunDate)],
);

/**
 * One row per generated period: the primary key (schedule, period start) is what makes each
 * period's invoice exist once, whatever the number of runs or instances.
 */
export const recurringInvoiceRuns = pgTable(
  'recurring_invoice_runs',
  {
    scheduleId: text('schedule_id').notNull(),
    periodStart: date('period_start', { mode: 'string' }).notNull(),
    organizationId: text('organization_id').notNull(),
    /** Set in the same transaction as the claim. */
    invoiceId: text('invoice_id'),
    finalizeError: text('finalize_error'),
    sendError: text('send_error'),
    createdAt: instant('created_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.scheduleId, t.periodStart] })],
);
