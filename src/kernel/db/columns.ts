import { integer, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Columns every resource table shares. Timestamps keep millisecond precision so that a
 * keyset cursor (which round-trips through JSON) compares exactly with the stored value.
 */
export const resourceColumns = () => ({
  version: integer('version').notNull().default(1),
  createdAt: timestamp('created_at', { precision: 3, withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { precision: 3, withTimezone: true, mode: 'date' }).notNull().defaultNow(),
});

export const idColumn = () => text('id').primaryKey();
