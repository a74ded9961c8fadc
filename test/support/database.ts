import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Database } from '../../src/kernel/db/database';
import type { SqlConnection } from '../../src/kernel/db/migrations';

export const onPostgres = Boolean(process.env.DATABASE_URL);

/** URL of a database on the test server (the admin database when name is omitted). */
export function postgresUrl(name?: string): string {
  const url = new URL(process.env.DATABASE_URL!);
  if (name) url.pathname = `/${name}`;
  return url.toString();
}

export async function adminQuery(text: string, params?: unknown[]) {
  const client = new pg.Client({ connectionString: postgresUrl() });
  await client.connect();
  try {
    return await client.query(text, params);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database for one test file, on whichever engine this run targets. */
export async function openTestDatabase(options: { databaseUrl?: string } = {}): Promise<Database> {
  if (onPostgres) {
    const name = `${inject('pgTemplate')}_${randomBytes(4).toString('hex')}`;
    await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${inject('pgTemplate')}`);
    const database = await openDatabase({
      databaseUrl: options.databaseUrl ?? postgresUrl(name),
      dataDir: '',
      poolMax: 5,
      statementTimeoutMs: 10_000,
      onPoolError: () => {},
    });
    const close = database.close;
    return Object.assign(database, {
      close: async () => {
        await close();
        await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      },
      testDatabaseName: name,
    });
  }
  const dump = new Blob([readFileSync(inject('pgliteDump'))]);
  return openDatabase({ databaseUrl: undefined, dataDir: '', poolMax: 1, statementTimeoutMs: 10_000, memory: true, loadDump: dump });
}

/** One dedicated connection to a test database (migrations need BEGIN/COMMIT on one session). */
export async function rawConnection(database: Database): Promise<SqlConnection & { end(): Promise<void> }> {
  const name = (database as Database & { testDatabaseName?: string }).testDatabaseName;
  if (name) {
    const client = new pg.Client({ connectionString: postgresUrl(name) });
    await client.connect();
    return client;
  }
  // PGlite is a single connection already.
  return { query: async (text, params) => ({ rows: await database.query(text, params) }), end: async () => {} };
}
