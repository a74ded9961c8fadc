import type { Database } from '../src/kernel/db/database';
import { widgetsDdl } from '../test/support/widgets/ddl';

export const BENCH_ORG = 'org_test';

/** Creates the test-only widgets table (test/support/widgets/ddl.ts) unless it exists. */
export async function ensureWidgetsTable(database: Database): Promise<boolean> {
  const [row] = await database.query<{ present: boolean }>(`SELECT to_regclass('widgets') IS NOT NULL AS present`);
  if (row?.present) return false;
  // PGlite's query() takes one statement at a time (extended protocol).
  for (const statement of widgetsDdl()) {
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

/**
 * Gives `organizationId` `rows` invoices (a quarter each draft, open, paid and void) with two lines
 * each, for one client, and a payment for each paid one (ten days after its issue date), in
 * INSERT ... SELECT statements, then ANALYZE. created_at increases by
 * 1 ms per invoice, so the newest-first list of a status walks the same index as real data.
 */
export async function seedInvoices(database: Database, organizationId: string, clientId: string, rows: number): Promise<{ rows: number; ms: number }> {
  if (!/^org_\w+$/.test(organizationId) || !/^cli_\w+$/.test(clientId) || !Number.isInteger(rows) || rows < 1 || rows > 9_999_999) throw new Error('bad invoice seed');
  const start = performance.now();
  await database.query(`
    INSERT INTO invoices (id, organization_id, client_id, number, status, currency, issue_date, supply_type, subtotal, discount_total, tax_total, total, amount_paid,
                          tax_breakdown, created_at, updated_at)
    SELECT 'inv_bench' || lpad(i::text, 8, '0'), '${organizationId}', '${clientId}',
           CASE WHEN i % 4 = 0 THEN NULL ELSE 'BENCH-' || lpad(i::text, 8, '0') END,
           (ARRAY['draft', 'open', 'paid', 'void'])[1 + i % 4], 'INR', DATE '2026-01-01' + (i % 365), 'intra_state',
           '200', '0', '36', '236', (CASE WHEN i % 4 = 2 THEN 236 ELSE 0 END)::numeric,
           '[{"tax_code_id":"tax_bench","tax_code":"GST18","component":"cgst","rate":"9.00","taxable_amount":"200.00","amount":"18.00"},{"tax_code_id":"tax_bench","tax_code":"GST18","component":"sgst","rate":"9.00","taxable_amount":"200.00","amount":"18.00"}]'::jsonb,
           base + i * interval '1 millisecond', base + i * interval '1 millisecond'
    FROM generate_series(1, ${rows}) AS i, (SELECT date_trunc('second', now()) - interval '1 day' AS base) AS b`);
  await database.query(`
    INSERT INTO invoice_lines (id, organization_id, invoice_id, position, description, quantity, unit_price, discount_percent, amount, discount_amount, taxable_amount, tax_amount, total, tax_components)
    SELECT 'inl_bench' || lpad(i::text, 8, '0') || '_' || p, '${organizationId}', 'inv_bench' || lpad(i::text, 8, '0'), p, 'Consulting hour ' || p, '1', '100', '0', '100', '0', '100', '18', '118',
           '[{"name":"cgst","rate":"9.00","amount":"9.00"},{"name":"sgst","rate":"9.00","amount":"9.00"}]'::jsonb
    FROM generate_series(1, ${rows}) AS i, generate_series(0, 1) AS p`);
  // The paid quarter's payments, so that reports rebuilt from payments agree with amount_paid.
  await database.query(`
    INSERT INTO payments (id, organization_id, client_id, amount, currency, date, method, provider, status, unapplied_amount, created_at, updated_at)
    SELECT 'pay_bench' || lpad(i::text, 8, '0'), '${organizationId}', '${clientId}', '236', 'INR', DATE '2026-01-01' + (i % 365) + 10, 'bank_transfer', 'manual', 'succeeded', '0', now(), now()
    FROM generate_series(2, ${rows}, 4) AS i`);
  await database.query(`
    INSERT INTO payment_allocations (id, organization_id, payment_id, invoice_id, amount, applied_on, created_at)
    SELECT 'pal_bench' || lpad(i::text, 8, '0'), '${organizationId}', 'pay_bench' || lpad(i::text, 8, '0'), 'inv_bench' || lpad(i::text, 8, '0'), '236', DATE '2026-01-01' + (i % 365) + 10, now()
    FROM generate_series(2, ${rows}, 4) AS i`);
  await database.query('ANALYZE invoices');
  await database.query('ANALYZE invoice_lines');
  await database.query('ANALYZE payment_allocations');
  return { rows, ms: Math.round(performance.now() - start) };
}
