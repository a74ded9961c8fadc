import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBackup, verifyBackup } from '../../src/kernel/backups/load';
import { readMigrations } from '../../src/kernel/db/migrations';
import { LocalDiskStorage } from '../../src/kernel/files/storage-local';
import { call, type BillingWorld } from '../billing/harness';
import { openTestDatabase } from '../support/database';
import { BACKUP_KEY, backUp, backupWorld, binaryContent, fillWorld, storedFiles, tableContents } from './harness';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

let world: BillingWorld;
let fileIds: string[];

beforeAll(async () => {
  world = await backupWorld();
  ({ fileIds } = await fillWorld(world));
}, 120_000);
afterAll(async () => world?.app.close());

const key = Buffer.from(BACKUP_KEY, 'base64');

async function download(id: string): Promise<Buffer> {
  const response = await call(world.app, world.adminA, 'GET', `/api/v1/backups/${id}/download`);
  expect(response.statusCode, response.body).toBe(200);
  return response.rawPayload;
}

describe('a backup restored into a fresh database', () => {
  it('holds every table row and every stored file byte for byte', async () => {
    const backup = await backUp(world.app, world.adminA);
    expect(backup).toMatchObject({ status: 'completed', trigger: 'manual', files: 2, error: null, database: world.app.kernel.database.kind });
    expect(backup.rows).toBeGreaterThan(30);
    // The database as the backup saw it (the download below adds an audit entry).
    const before = await tableContents(world.app.kernel.database);
    const file = await download(backup.id);
    expect(file.length).toBe(backup.size_bytes);
    // Encrypted: no table text and no file content shows through.
    expect(file.includes(Buffer.from('Trading'))).toBe(false);
    expect(file.includes(binaryContent.subarray(0, 64))).toBe(false);

    const files = await storedFiles(world.app);
    expect(files.get(fileIds[0]!)).toEqual(binaryContent);

    const target = await openTestDatabase();
    const filesDir = mkdtempSync(path.join(tmpdir(), 'deskbase-restore-'));
    try {
      const open = async () => Readable.from([file]);
      const keyFor = (id: string) => (id === backup.key_id ? key : undefined);
      const migrations = readMigrations();
      const manifest = await verifyBackup(open, keyFor, migrations);
      const storage = new LocalDiskStorage(filesDir);
      const loaded = await loadBackup({ database: target, storage, migrations }, open, keyFor, manifest, { requireEmpty: true });
      expect(loaded).toEqual({ tables: manifest.tables.length, rows: backup.rows, files: 2 });

      const after = await tableContents(target);
      expect([...after.keys()]).toEqual([...before.keys()]);
      for (const [table, rows] of before) expect(after.get(table), table).toBe(rows);
      const keys = await target.query<{ id: string; storage_key: string }>('SELECT id, storage_key FROM files');
      expect(keys.map((row) => row.id).sort()).toEqual([...files.keys()].sort());
      for (const { id, storage_key } of keys) {
        const chunks: Buffer[] = [];
        for await (const chunk of await storage.read(storage_key)) chunks.push(chunk as Buffer);
        expect(Buffer.concat(chunks).equals(files.get(id)!), id).toBe(true);
      }
    } finally {
      await target.close();
      rmSync(filesDir, { recursive: true, force: true });
    }
  }, 120_000);
});
