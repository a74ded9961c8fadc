import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/kernel/db/database';
import { LocalDiskStorage } from '../../src/kernel/files/storage-local';
import { call, type BillingWorld } from '../billing/harness';
import { BACKUP_KEY, backUp, backupWorld, fillWorld, runRestoreCli, storedFiles, tableContents } from './harness';

let world: BillingWorld;
let file: string;
let saved: Map<string, string>;
let files: Map<string, Buffer>;
const scratch = mkdtempSync(path.join(tmpdir(), 'deskbase-cli-'));

beforeAll(async () => {
  world = await backupWorld();
  await fillWorld(world);
  const backup = await backUp(world.app, world.adminA);
  saved = await tableContents(world.app.kernel.database);
  files = await storedFiles(world.app);
  file = path.join(scratch, 'backup.dbk');
  writeFileSync(file, (await call(world.app, world.adminA, 'GET', `/api/v1/backups/${backup.id}/download`)).rawPayload);
}, 120_000);
afterAll(async () => {
  await world?.app.close();
  rmSync(scratch, { recursive: true, force: true });
});

const freshDataDir = () => mkdtempSync(path.join(scratch, 'data-'));

describe('npm run restore -- FILE', () => {
  it('restores into a new embedded DATA_DIR every row and file, and then refuses to restore over data', async () => {
    const dataDir = freshDataDir();
    const run = await runRestoreCli([file], { DATA_DIR: dataDir, BACKUP_ENCRYPTION_KEY: BACKUP_KEY });
    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/intact\./);
    expect(run.out).toMatch(/Restored \d+ rows in \d+ tables and 2 files into the embedded database/);

    const database = await openDatabase({ databaseUrl: undefined, dataDir, poolMax: 1, statementTimeoutMs: 0 });
    try {
      expect(await tableContents(database)).toEqual(saved);
      expect(await database.pendingMigrations()).toEqual([]);
      const storage = new LocalDiskStorage(path.join(dataDir, 'files'));
      for (const { id, storage_key } of await database.query<{ id: string; storage_key: string }>('SELECT id, storage_key FROM files')) {
        const chunks: Buffer[] = [];
        for await (const chunk of await storage.read(storage_key)) chunks.push(chunk as Buffer);
        expect(Buffer.concat(chunks).equals(files.get(id)!), id).toBe(true);
      }
    } finally {
      await database.close();
    }
    const again = await runRestoreCli([file], { DATA_DIR: dataDir, BACKUP_ENCRYPTION_KEY: BACKUP_KEY });
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/Restore failed: The database already holds data \(\d+ rows\); restore into an empty database/);
  }, 120_000);

  it('refuses a damaged file or a missing key before creating anything, and takes the key from --key-file', async () => {
    const damaged = path.join(scratch, 'damaged.dbk');
    const original = readFileSync(file);
    writeFileSync(damaged, original.subarray(0, original.length - 1));
    const dataDir = freshDataDir();
    const cut = await runRestoreCli([damaged], { DATA_DIR: dataDir, BACKUP_ENCRYPTION_KEY: BACKUP_KEY });
    expect(cut.code).toBe(1);
    expect(cut.out).toMatch(/Restore failed: The backup file is damaged or was modified/);
    expect(existsSync(path.join(dataDir, 'pgdata'))).toBe(false);

    const otherKey = Buffer.alloc(32, 9).toString('base64');
    const keyless = await runRestoreCli([file], { DATA_DIR: dataDir, BACKUP_ENCRYPTION_KEY: otherKey });
    expect(keyless.code).toBe(1);
    expect(keyless.out).toMatch(/Restore failed: The backup was encrypted with key [0-9a-f]{16}, which this server does not have/);
    expect(existsSync(path.join(dataDir, 'pgdata'))).toBe(false);

    const keyFile = path.join(scratch, 'old.key');
    writeFileSync(keyFile, `${BACKUP_KEY}\n`);
    const withKey = await runRestoreCli([file, '--key-file', keyFile], { DATA_DIR: dataDir, BACKUP_ENCRYPTION_KEY: otherKey });
    expect(withKey.code, withKey.out).toBe(0);

    const usage = await runRestoreCli([], { DATA_DIR: dataDir });
    expect(usage).toMatchObject({ code: 2, out: expect.stringContaining('Usage: npm run restore -- FILE') });
  }, 120_000);
});
