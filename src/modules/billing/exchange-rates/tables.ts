import { date, index, numeric, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { idColumn } from '../../../kernel/db/columns';

/**
 * Recorded exchange rates: the value of one unit of `currency` in the organization's base
 * currency on `date`. One rate per currency and date; finalizing takes the latest on or before
 * the issue date (docs/billing.md, Exchange rates).
 */
export const billingExchangeRates = pgTable(
  'billing_exchange_rates',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    currency: text('currency').notNull(),
    date: date('date', { mode: 'string' }).notNull(),
    rate: numeric('rate', { precision: 30, scale: 10 }).notNull(),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { precision: 3, withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('billing_exchange_rates_org_currency_date_idx').on(t.organizationId, t.currency, t.date),
    index('billing_exchange_rates_org_created_idx').on(t.organizationId, t.createdAt, t.id),
  ],
);
