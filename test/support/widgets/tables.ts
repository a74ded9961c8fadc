import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { idColumn, resourceColumns } from '../../../src/kernel/db/columns';

/** Test-only resource proving the kernel conventions; created by widgets.sql, never migrated. */
export const widgets = pgTable(
  'widgets',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    name: text('name').notNull(),
    color: text('color'),
    quantity: integer('quantity').notNull().default(0),
    ...resourceColumns(),
  },
  (t) => [
    index('widgets_org_created_idx').on(t.organizationId, t.createdAt, t.id),
    index('widgets_org_name_idx').on(t.organizationId, t.name, t.id),
  ],
);
