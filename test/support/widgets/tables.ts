import type { SQL } from 'drizzle-orm';
import { index, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { idColumn, resourceColumns } from '../../../src/kernel/db/columns';
import { json, jsonObject } from '../../../src/kernel/db/json-sql';
import type { Widget } from './schemas';

/** Test-only resource proving the kernel conventions; created by ddl.ts, never migrated. */
export const widgets = pgTable(
  'widgets',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    name: text('name').notNull(),
    color: text('color'),
    quantity: integer('quantity').notNull().default(0),
    ...resourceColumns(),
    /**
     * GET /widgets' item as JSON text, written by the database with the row: the kernel's list
     * fast path (as invoices.list_item), a page reads 50 texts instead of decoding 400 values.
     */
    listItem: text('list_item')
      .notNull()
      .generatedAlwaysAs((): SQL => widgetItemSql),
  },
  (t) => [
    index('widgets_org_created_idx').on(t.organizationId, t.createdAt, t.id),
    index('widgets_org_name_idx').on(t.organizationId, t.name, t.id),
  ],
);

/** The Widget schema's fields, written as the presenter writes them (a test compares both). */
export const widgetItemSql: SQL<string> = jsonObject<Widget>({
  id: json.plain(widgets.id),
  name: json.string(widgets.name),
  color: json.plain(widgets.color),
  quantity: json.literal(widgets.quantity),
  version: json.literal(widgets.version),
  created_at: json.instant(widgets.createdAt),
  updated_at: json.instant(widgets.updatedAt),
});
