import { Readable } from 'node:stream';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyIdOf } from '../../src/kernel/backups/keys';
import { loadBackup, verifyBackup } from '../../src/kernel/backups/load';
import { openDatabase, type Database } from '../../src/kernel/db/database';
import { migrate, readMigrations } from '../../src/kernel/db/migrations';
import { LocalDiskStorage } from '../../src/kernel/files/storage-local';
import { sealedBackupOf } from './harness';

const key = Buffer.alloc(32, 3);
const keyFor = (id: string) => (id === keyIdOf(key) ? key : undefined);
const migrations = readMigrations();
const scratch = mkdtempSync(path.join(tmpdir(), 'deskbase-levels-'));
const storage = new LocalDiskStorage(scratch);
const opened: Database[] = [];
afterAll(async () => {
  for (const database of opened) await database.close();
  rmSync(scratch, { recursive: true, force: true });
});

/** An in-memory embedded database migrated up to (not including) `beforeTag`. */
async function databaseAt(beforeTag?: string): Promise<Database> {
  const database = await openDatabase({ databaseUrl: undefined, dataDir: '', poolMax: 1, statementTimeoutMs: 0, memory: true });
  opened.push(database);
  const conn = { query: async (text: string, params?: unknown[]) => ({ rows: await database.query(text, params) }) };
  await migrate(conn, beforeTag ? migrations.filter((m) => m.tag < beforeTag) : migrations);
  return database;
}

const fileOf = (bytes: Buffer) => async () => Readable.from([bytes]);

describe('schema levels', () => {
  it('restores a backup from an older schema and runs the later migrations over its rows', async () => {
    // Payment allocations before migration 0019 had no applied_on; 0019 fills it from the payment.
    const old = await databaseAt('0019');
    await old.query(`INSERT INTO payments (id, organization_id, client_id, amount, currency, date, method, provider, status, unapplied_amount, created_at, updated_at)
                     VALUES ('pay_1', 'org_1', 'cli_1', '100', 'INR', '2026-04-10', 'cash', 'manual', 'succeeded', '0', '2026-04-15T23:59:50Z', '2026-04-15T23:59:50Z')`);
    await old.query(`INSERT INTO payment_allocations (id, organization_id, payment_id, invoice_id, amount, created_at) VALUES ('pal_1', 'org_1', 'pay_1', 'inv_1', '60', '2026-04-16T00:00:05Z')`);
    const file = await sealedBackupOf(old, storage, key);

    const manifest = await verifyBackup(fileOf(file), keyFor, migrations);
    expect(manifest.migrations.map((m) => m.tag)).toEqual(migrations.filter((m) => m.tag < '0019').map((m) => m.tag));
    const target = await databaseAt();
    await loadBackup({ database: target, storage, migrations }, fileOf(file), keyFor, manifest, { requireEmpty: true });
    expect(await target.pendingMigrations()).toEqual([]);
    expect(await target.query(`SELECT id, applied_on::text AS applied_on FROM payment_allocations`)).toEqual([{ id: 'pal_1', applied_on: '2026-04-10' }]);
  }, 60_000);

  it('refuses a backup from a newer schema, or from a schema this version never had, before touching anything', async () => {
    const current = await databaseAt();
    const file = await sealedBackupOf(current, storage, key);
    const older = migrations.slice(0, -1);
    await expect(verifyBackup(fileOf(file), keyFor, older)).rejects.toMatchObject({ code: 'BACKUP_SCHEMA_NEWER', message: expect.stringContaining('upgrade this server first') });

    await current.query(`UPDATE deskbase_migrations SET checksum = 'edited' WHERE tag = $1`, [migrations[3]!.tag]);
    const foreign = await sealedBackupOf(current, storage, key);
    await expect(verifyBackup(fileOf(foreign), keyFor, migrations)).rejects.toMatchObject({ code: 'BACKUP_SCHEMA_UNKNOWN' });
  }, 60_000);
});
