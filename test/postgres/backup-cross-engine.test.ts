import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/kernel/db/database';
import { call, type BillingWorld } from '../billing/harness';
import { BACKUP_KEY, backUp, backupWorld, fillWorld, runRestoreCli, tableContents } from '../backups/harness';
import { adminQuery, postgresUrl } from '../support/database';

const scratch = mkdtempSync(path.join(tmpdir(), 'deskbase-cross-'));
const databases: string[] = [];
afterAll(async () => {
  for (const name of databases) await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  rmSync(scratch, { recursive: true, force: true });
});

/** A filled world on `database`, backed up: its file and its tables as the backup saw them. */
async function backedUp(database?: Database) {
  const world: BillingWorld = await backupWorld(database ? { database } : {});
  try {
    await fillWorld(world);
    const backup = await backUp(world.app, world.adminA);
    expect(backup.database).toBe(world.app.kernel.database.kind);
    const saved = await tableContents(world.app.kernel.database);
    const file = path.join(scratch, `${backup.id}.dbk`);
    writeFileSync(file, (await call(world.app, world.adminA, 'GET', `/api/v1/backups/${backup.id}/download`)).rawPayload);
    return { file, saved };
  } finally {
    await world.app.close();
  }
}

describe('moving between the embedded database and PostgreSQL with a backup', () => {
  it('restores a backup of the embedded database into an empty PostgreSQL database', async () => {
    const embedded = await openDatabase({ databaseUrl: undefined, dataDir: '', poolMax: 1, statementTimeoutMs: 0, memory: true });
    await embedded.migrate();
    const { file, saved } = await backedUp(embedded);

    const name = `deskbase_test_cross_${randomBytes(4).toString('hex')}`;
    databases.push(name);
    await adminQuery(`CREATE DATABASE ${name}`);
    const run = await runRestoreCli([file], { DATA_DIR: mkdtempSync(path.join(scratch, 'pg-')), DATABASE_URL: postgresUrl(name), BACKUP_ENCRYPTION_KEY: BACKUP_KEY });
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/into the PostgreSQL database/);
    const target = await openDatabase({ databaseUrl: postgresUrl(name), dataDir: '', poolMax: 2, statementTimeoutMs: 0 });
    try {
      expect(await tableContents(target)).toEqual(saved);
    } finally {
      await target.close();
    }
  }, 180_000);

  it('restores a backup of PostgreSQL into a new embedded DATA_DIR', async () => {
    const { file, saved } = await backedUp();
    const dataDir = mkdtempSync(path.join(scratch, 'embedded-'));
    const run = await runRestoreCli([file], { DATA_DIR: dataDir, BACKUP_ENCRYPTION_KEY: BACKUP_KEY });
    expect(run.code, run.out).toBe(0);
    const target = await openDatabase({ databaseUrl: undefined, dataDir, poolMax: 1, statementTimeoutMs: 0 });
    try {
      expect(await tableContents(target)).toEqual(saved);
    } finally {
      await target.close();
    }
  }, 180_000);
});
