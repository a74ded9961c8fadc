import { PgDialect } from 'drizzle-orm/pg-core';
import { readFileSync } from 'node:fs';
import { widgetItemSql } from './tables';

const TABLE_SQL = readFileSync(new URL('./widgets.sql', import.meta.url), 'utf8');

/**
 * The statements that create the test-only widgets table (never migrated): widgets.sql, then
 * the stored list item, whose expression Drizzle renders from tables.ts so that it is written
 * once. Run after the migrations, which create the JSON writer functions it calls.
 */
export function widgetsDdl(): string[] {
  const rendered = new PgDialect().sqlToQuery(widgetItemSql);
  if (rendered.params.length > 0) throw new Error('widgets.list_item must not bind parameters');
  return [
    ...TABLE_SQL.split(';').map((s) => s.trim()).filter(Boolean),
    `ALTER TABLE widgets ADD COLUMN list_item text NOT NULL GENERATED ALWAYS AS (${rendered.sql}) STORED`,
  ];
}
