import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/kernel/db/database';
import { readMigrations } from '../../src/kernel/db/migrations';
import { adminQuery, postgresUrl } from '../support/database';

const name = `deskbase_test_race_${randomBytes(4).toString('hex')}`;
afterAll(() => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));

describe('instances starting together', () => {
  it('apply each migration exactly once, and all of them start', async () => {
    await adminQuery(`CREATE DATABASE ${name}`);
    const instances = await Promise.all(
      [1, 2, 3].map(() => openDatabase({ databaseUrl: postgresUrl(name), dataDir: '', poolMax: 2, statementTimeoutMs: 0 })),
    );
    try {
      const applied = await Promise.all(instances.map((db) => db.migrate()));
      const all = readMigrations().map((m) => m.tag);
      // One instance applied everything; the others found nothing left to do.
      expect(applied.flat().sort()).toEqual(all.sort());
      expect(applied.filter((tags) => tags.length > 0)).toHaveLength(1);
      const rows = await instances[0]!.query<{ tag: string; n: number }>('SELECT tag, count(*)::int AS n FROM deskbase_migrations GROUP BY tag');
      expect(rows.every((r) => r.n === 1)).toBe(true);
      for (const db of instances) expect(await db.pendingMigrations()).toEqual([]);
    } finally {
      await Promise.all(instances.map((db) => db.close()));
    }
  });
});
