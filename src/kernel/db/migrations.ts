import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256Hex } from '../digest';

/** The minimal connection a migration needs: pg's Client and PGlite both satisfy it. */
export interface SqlConnection {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}

export interface Migration {
  tag: string;
  checksum: string;
  statements: string[];
}

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../migrations');

// Any constant works as long as every instance uses the same one; this is "deskbase" in ASCII.
export const MIGRATION_LOCK_KEY = 0x6465736b;

/** Reads drizzle-kit's journal and its SQL files, in order. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  const journal = JSON.parse(readFileSync(path.join(dir, 'meta/_journal.json'), 'utf8')) as {
    entries: { idx: number; tag: string }[];
  };
  return journal.entries
    .sort((a, b) => a.idx - b.idx)
    .map(({ tag }) => {
      const sql = readFileSync(path.join(dir, `${tag}.sql`), 'utf8');
      return {
        tag,
        checksum: sha256Hex(sql),
        statements: sql.split('--> statement-breakpoint').map((s) => s.trim()).filter(Boolean),
      };
    });
}

export const CREATE_LEDGER = `CREATE TABLE IF NOT EXISTS deskbase_migrations (
  tag text PRIMARY KEY,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

async function appliedTags(conn: SqlConnection): Promise<Map<string, string>> {
  const exists = await conn.query(`SELECT to_regclass('deskbase_migrations') IS NOT NULL AS present`);
  if (!(exists.rows[0] as { present: boolean }).present) return new Map();
  const { rows } = await conn.query('SELECT tag, checksum FROM deskbase_migrations');
  return new Map((rows as { tag: string; checksum: string }[]).map((r) => [r.tag, r.checksum]));
}

/** Tags of migrations not yet applied (readiness fails while this is non-empty). */
export async function pendingMigrations(conn: SqlConnection, migrations = readMigrations()): Promise<string[]> {
  const applied = await appliedTags(conn);
  return migrations.filter((m) => !applied.has(m.tag)).map((m) => m.tag);
}

/**
 * Runs fn while this session holds the migration lock (a PostgreSQL advisory lock): schema
 * changes of every instance, ours and a library's (pg-boss installs its own), happen one at a time.
 */
export async function withMigrationLock<T>(conn: SqlConnection, fn: () => Promise<T>): Promise<T> {
  await conn.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
  try {
    return await fn();
  } finally {
    await conn.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
  }
}

/** Runs one migration's statements and records it, inside the caller's transaction. */
export async function applyMigration(conn: SqlConnection, migration: Migration): Promise<void> {
  for (const statement of migration.statements) await conn.query(statement);
  await conn.query('INSERT INTO deskbase_migrations (tag, checksum) VALUES ($1, $2)', [migration.tag, migration.checksum]);
}

/**
 * Applies pending migrations, each in its own transaction, under the migration lock so that
 * instances starting together apply each migration exactly once. A migration file edited after
 * it was applied stops the start: released migrations are never edited.
 */
export async function migrate(conn: SqlConnection, migrations = readMigrations()): Promise<string[]> {
  return withMigrationLock(conn, async () => {
    await conn.query(CREATE_LEDGER);
    const applied = await appliedTags(conn);
    const done: string[] = [];
    for (const migration of migrations) {
      const checksum = applied.get(migration.tag);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new Error(`Migration ${migration.tag} was edited after it was applied; restore the original file`);
        }
        continue;
      }
      await conn.query('BEGIN');
      try {
        await applyMigration(conn, migration);
        await conn.query('COMMIT');
      } catch (error) {
        await conn.query('ROLLBACK');
        throw new Error(`Migration ${migration.tag} failed: ${(error as Error).message}`, { cause: error });
      }
      done.push(migration.tag);
    }
    return done;
  });
}
