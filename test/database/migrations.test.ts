import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, pendingMigrations, readMigrations, type Migration } from '../../src/kernel/db/migrations';
import { rawConnection } from '../support/database';
import { createTestApp } from '../support/app';

let app: FastifyInstance;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

describe('migrations', () => {
  it('are read in journal order from plain SQL files', () => {
    const migrations = readMigrations();
    expect(migrations[0]?.tag).toBe('0000_kernel');
    expect(migrations[0]?.statements[0]).toContain('CREATE TABLE "idempotency_keys"');
    expect(migrations[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('apply nothing twice: a migrated database has nothing pending', async () => {
    expect(await app.kernel.database.pendingMigrations()).toEqual([]);
    expect(await app.kernel.database.migrate()).toEqual([]);
  });

  it('refuse to start when an applied migration file was edited', async () => {
    const { database } = app.kernel;
    const original = await database.query<{ checksum: string }>(`SELECT checksum FROM deskbase_migrations WHERE tag = '0000_kernel'`);
    await database.query(`UPDATE deskbase_migrations SET checksum = 'edited' WHERE tag = '0000_kernel'`);
    try {
      await expect(database.migrate()).rejects.toThrow('Migration 0000_kernel was edited after it was applied');
    } finally {
      await database.query(`UPDATE deskbase_migrations SET checksum = $1 WHERE tag = '0000_kernel'`, [original[0]!.checksum]);
    }
  });

  it('roll a failing migration back completely and leave it pending', async () => {
    const conn = await rawConnection(app.kernel.database);
    const withBroken: Migration[] = [
      ...readMigrations(),
      { tag: '9999_broken', checksum: 'x', statements: ['CREATE TABLE half_done (id int)', 'SELECT * FROM no_such_table'] },
    ];
    try {
      await expect(migrate(conn, withBroken)).rejects.toThrow('Migration 9999_broken failed');
      const { rows } = await conn.query(`SELECT to_regclass('half_done') IS NOT NULL AS present`);
      expect(rows).toEqual([{ present: false }]);
      expect(await pendingMigrations(conn, withBroken)).toEqual(['9999_broken']);
      // The advisory lock was released: a later migration run is not blocked.
      expect(await migrate(conn)).toEqual([]);
    } finally {
      await conn.end();
    }
  });
});
