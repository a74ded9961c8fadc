import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/kernel/db/database';
import { isDatabaseUnavailable } from '../../src/kernel/db/errors';

/**
 * The embedded engine whatever engine this run targets: node-postgres over PGlite's wire
 * protocol adapter, with a pool of its one connection.
 */
let database: Database;
beforeAll(async () => {
  // A new in-memory database (no migrations: the tests make their own table), on either run.
  database = await openDatabase({ databaseUrl: undefined, dataDir: '', poolMax: 1, statementTimeoutMs: 10_000, connectionWaitMs: 300, memory: true });
  await database.query('CREATE TABLE embedded_notes (id int PRIMARY KEY, body text NOT NULL)');
});
afterAll(() => database.close());

const count = async () => Number((await database.query<{ n: number }>('SELECT count(*)::int AS n FROM embedded_notes'))[0]!.n);

describe('the embedded database connection', () => {
  it('answers parameterized Drizzle queries inside a transaction (they carry their own type parsers)', async () => {
    const rows = await database.transaction(async (tx) => (await tx.execute<{ n: number; at: Date }>(sql`SELECT ${5}::int + 1 AS n, ${'2026-01-02T03:04:05.678Z'}::timestamptz AS at`)).rows);
    expect(rows).toEqual([{ n: 6, at: expect.any(String) }]);
    expect(new Date(String(rows[0]!.at)).toISOString()).toBe('2026-01-02T03:04:05.678Z');
  });

  it('keeps a query outside a transaction waiting until it commits, then shows it the committed row', async () => {
    let commit!: () => void;
    const held = new Promise<void>((resolve) => (commit = resolve));
    const transaction = database.transaction(async (tx) => {
      await tx.execute(sql`INSERT INTO embedded_notes (id, body) VALUES (${1}, ${'first'})`);
      await held;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    let seen: number | undefined;
    const outside = count().then((n) => (seen = n));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toBeUndefined();
    commit();
    await transaction;
    await outside;
    expect(seen).toBe(1);
  });

  it('rolls back a transaction whose statement fails, and the connection serves the next query', async () => {
    const before = await count();
    await expect(
      database.transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO embedded_notes (id, body) VALUES (${2}, ${'second'})`);
        await tx.execute(sql`INSERT INTO embedded_notes (id, body) VALUES (${2}, ${'duplicate'})`);
      }),
    ).rejects.toMatchObject({ cause: { code: '23505' } });
    expect(await count()).toBe(before);
    expect(await database.query('SELECT body FROM embedded_notes ORDER BY id')).toEqual([{ body: 'first' }]);
  });

  it('fails a query made outside a transaction from inside it as unavailable, instead of waiting for ever', async () => {
    const before = await count();
    const outcome = await database
      .transaction(async (tx) => {
        await tx.execute(sql`INSERT INTO embedded_notes (id, body) VALUES (${5}, ${'inside'})`);
        await count(); // needs the connection the transaction holds
      })
      .then(
        () => 'committed',
        (error: unknown) => (isDatabaseUnavailable(error) ? 'unavailable' : error),
      );
    expect(outcome).toBe('unavailable');
    expect(await count()).toBe(before);
  });

  it('runs a raw script with its own BEGIN … COMMIT, and rolls a failed one back', async () => {
    await database.execute("BEGIN; INSERT INTO embedded_notes VALUES (3, 'third'); COMMIT;");
    await expect(database.execute("BEGIN; INSERT INTO embedded_notes VALUES (4, 'fourth'); INSERT INTO embedded_notes VALUES (3, 'again'); COMMIT;")).rejects.toMatchObject({ code: '23505' });
    expect(await database.query('SELECT id FROM embedded_notes ORDER BY id')).toEqual([{ id: 1 }, { id: 3 }]);
  });
});
