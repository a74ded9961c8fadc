import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

const instant = (name: string) => timestamp(name, { precision: 3, withTimezone: true });

/**
 * The timeline of an invoice: created, finalized, sent (one entry per recipient, with its email
 * message), viewed, overdue, voided, the delivery outcome of each email, payments later.
 */
export const invoiceActivities = pgTable(
  'invoice_activities',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull(),
    invoiceId: text('invoice_id').notNull(),
    type: text('type').notNull(),
    actorId: text('actor_id'),
    actorType: text('actor_type'),
    /** `sent` and delivery entries: the kernel mail service's message (email_messages.id). */
    emailMessageId: text('email_message_id'),
    recipient: text('recipient'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    /** `sent` entries: when the delivery sweep saw the message's final status (null: not yet). */
    deliveryCheckedAt: instant('delivery_checked_at'),
    createdAt: instant('created_at').notNull().defaultNow(),
  },
  (t) => [
    index('invoice_activities_invoice_created_idx').on(t.organizationId, t.invoiceId, t.createdAt, t.id),
    index('invoice_activities_delivery_pending_idx').on(t.createdAt).where(sql`${t.type} = 'sent' AND ${t.deliveryCheckedAt} IS NULL`),
  ],
);

/** Public view links of invoices: only the SHA-256 of each token is kept. */
export const invoiceViewTokens = pgTable(
  'invoice_view_tokens',
  {
    tokenHash: text('token_hash').primaryKey(),
    organizationId: text('organization_id').notNull(),
    invoiceId: text('invoice_id').notNull(),
    createdBy: text('created_by'),
    createdAt: instant('created_at').notNull().defaultNow(),
    expiresAt: instant('expires_at').notNull(),
  },
  (t) => [index('invoice_view_tokens_invoice_idx').on(t.invoiceId)],
);
