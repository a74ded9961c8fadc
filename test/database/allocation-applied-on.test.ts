import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/kernel/db/database';
import { migrate, readMigrations } from '../../src/kernel/db/migrations';
import { adminQuery, onPostgres, postgresUrl, rawConnection } from '../support/database';

const name = `deskbase_test_applied_on_${randomBytes(4).toString('hex')}`;
let database: Database | undefined;
afterAll(async () => {
  await database?.close();
  if (onPostgres) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
});

describe('migration 0019 (payment_allocations.applied_on)', () => {
  it('dates allocations recorded with their payment by the payment’s date, and credit applied later by its own day', async () => {
    if (onPostgres) await adminQuery(`CREATE DATABASE ${name}`);
    database = await openDatabase({ databaseUrl: onPostgres ? postgresUrl(name) : undefined, dataDir: '', poolMax: 2, statementTimeoutMs: 10_000, memory: !onPostgres });
    const conn = await rawConnection(Object.assign(database, { testDatabaseName: onPostgres ? name : undefined }));
    try {
      const all = readMigrations();
      await migrate(conn, all.filter((m) => m.tag < '0019'));
      await conn.query(`INSERT INTO payments (id, organization_id, client_id, amount, currency, date, method, provider, status, unapplied_amount, created_at, updated_at)
                        VALUES ('pay_1', 'org_1', 'cli_1', '100', 'INR', '2026-04-10', 'cash', 'manual', 'succeeded', '0', '2026-04-15T23:59:50Z', '2026-04-15T23:59:50Z')`);
      await conn.query(`INSERT INTO payment_allocations (id, organization_id, payment_id, invoice_id, amount, created_at) VALUES
                          ('pal_with', 'org_1', 'pay_1', 'inv_1', '60', '2026-04-16T00:00:05Z'),
                          ('pal_later', 'org_1', 'pay_1', 'inv_2', '40', '2026-05-03T08:00:00Z')`);
      expect(await migrate(conn)).toEqual(all.filter((m) => m.tag >= '0019').map((m) => m.tag));
      const { rows } = await conn.query(`SELECT id, applied_on::text AS applied_on FROM payment_allocations ORDER BY id`);
      expect(rows).toEqual([
        { id: 'pal_later', applied_on: '2026-05-03' },
        { id: 'pal_with', applied_on: '2026-04-10' },
      ]);
    } finally {
      await conn.end();
    }
  });
});
