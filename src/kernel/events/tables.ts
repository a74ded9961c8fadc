import { bigserial, index, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Transactional outbox of domain events (`resource.action`), written in the same transaction
 * as the change it describes; `sequence` orders them for dispatch.
 */
export const outboxEvents = pgTable(
  'outbox_events',
  {
    id: text('id').primaryKey(),
    sequence: bigserial('sequence', { mode: 'number' }).notNull(),
    organizationId: text('organization_id').notNull(),
    type: text('type').notNull(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { precision: 3, withTimezone: true }).notNull().defaultNow(),
    dispatchedAt: timestamp('dispatched_at', { precision: 3, withTimezone: true }),
  },
  (t) => [
    index('outbox_events_org_created_idx').on(t.organizationId, t.createdAt, t.id),
    index('outbox_events_undispatched_idx').on(t.sequence),
  ],
);
