import { readFileSync } from 'node:fs';
import type { Database } from '../src/kernel/db/database';

export const BENCH_ORG = 'org_test';

const WIDGETS_SQL = readFileSync(new URL('../test/support/widgets/widgets.sql', import.meta.url), 'utf8');

/** Creates the test-only widgets table (test/support/widgets/widgets.sql) unless it exists. */
export async function ensureWidgetsTable(database: Database): Promise<boolean> {
  const [row] = await database.query<{ present: boolean }>(`SELECT to_regclass('widgets') IS NOT NULL AS present`);
  if (row?.present) return false;
  // PGlite's query() takes one statement at a time (extended protocol): run them one by one.
  for (const statement of WIDGETS_SQL.split(';').map((s) => s.trim()).filter(Boolean)) {
    await database.query(statement);
  }
  return true;
}

/**
 * Replaces the bench organization's widgets with `rows` generated ones in one INSERT ... SELECT:
 * ids 'wdg_00000001'... (sortable), names 'widget 000001'..., created_at strictly increasing by 1 ms
 * (row 1 oldest), then ANALYZE so the planner knows the table.
 */
export async function seedWidgets(database: Database, rows: number): Promise<{ rows: number; ms: number }> {
  if (!Number.isInteger(rows) || rows < 1 || rows > 99_999_999) throw new Error(`bad seed row count: ${rows}`);
  const start = performance.now();
  await database.query(`DELETE FROM widgets WHERE organization_id = '${BENCH_ORG}'`);
  await database.query(`
    INSERT INTO widgets (id, organization_id, name, color, quantity, version, created_at, updated_at)
    SELECT 'wdg_' || lpad(i::text, 8, '0'),
           '${BENCH_ORG}',
           'widget ' || lpad(i::text, 6, '0'),
           (ARRAY['red', 'green', 'blue'])[1 + i % 3],
           i % 1000,
           1,
           base + i * interval '1 millisecond',
           base + i * interval '1 millisecond'
    FROM generate_series(1, ${rows}) AS i,
         (SELECT date_trunc('second', now()) - interval '1 day' AS base) AS b`);
  await database.query('ANALYZE widgets');
  const [count] = await database.query<{ n: string | number }>(`SELECT count(*) AS n FROM widgets WHERE organization_id = '${BENCH_ORG}'`);
  return { rows: Number(count?.n ?? 0), ms: Math.round(performance.now() - start) };
}
