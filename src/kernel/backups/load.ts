import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import type { BulkConnection, Database } from '../db/database';
import { applyMigration, CREATE_LEDGER, MIGRATION_LOCK_KEY, type Migration, type SqlConnection } from '../db/migrations';
import type { FileStorage } from '../files/storage';
import { columnList, publicTables, quoteIdent, savedOf, savedTables, type TableColumns } from './dump';
import { BackupRefused, checkEntries, DATA_REPLACED_CHANNEL, entriesOf, Measure, MANIFEST_ENTRY, ownsTable, parseManifest, productSchemaOf, schemaLevelOf, UNSAVED_TABLES, type ArchiveEntry, type Manifest, type ProductSchema } from './manifest';
import { sha256Hex } from '../digest';
import { BackupUnreadable, corrupt, openStream } from './sealed-stream';

/** Opens the backup file from its start (it is read twice: once to verify, once to load). */
export type OpenBackup = () => Promise<Readable>;
export type KeyLookup = (keyId: string) => Buffer | undefined;

async function collect(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Decrypts, decompresses and walks the archive, handing each member to visit (which must read
 * it whole). Damage anywhere surfaces as BackupUnreadable, a failure of visit as itself.
 */
async function readArchive(open: OpenBackup, keyFor: KeyLookup, visit: (name: string, body: Readable) => Promise<void>): Promise<void> {
  const extract = tarExtract();
  const feeding = pipeline(await open(), openStream(keyFor), createGunzip(), extract);
  feeding.catch(() => {});
  let visitError: unknown;
  try {
    for await (const entry of extract) {
      try {
        await visit(entry.header.name, entry as unknown as Readable);
      } catch (error) {
        visitError = error;
        throw error;
      }
    }
  } catch (error) {
    extract.destroy();
    const feedError = await feeding.then(() => undefined, (failure: unknown) => failure);
    if (visitError) throw visitError;
    throw feedError instanceof BackupUnreadable ? feedError : error instanceof BackupUnreadable ? error : corrupt('unreadable archive');
  }
  await feeding.catch((error: unknown) => {
    throw error instanceof BackupUnreadable ? error : corrupt('unreadable archive');
  });
}

/**
 * Reads the whole backup once and checks it: the key, every chunk's authentication, every
 * member's checksum against the manifest, and the schema level. Answers the manifest; nothing
 * is written anywhere.
 */
export async function verifyBackup(open: OpenBackup, keyFor: KeyLookup, migrations: Migration[]): Promise<Manifest> {
  const seen = new Map<string, ArchiveEntry>();
  let manifest: Manifest | undefined;
  await readArchive(open, keyFor, async (name, body) => {
    if (manifest) throw corrupt('members after the manifest');
    if (name === MANIFEST_ENTRY) {
      manifest = parseManifest((await collect(body)).toString('utf8'));
      return;
    }
    const measure = new Measure();
    await pipeline(body, measure, async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) void chunk;
    });
    seen.set(name, { name, bytes: measure.bytes, sha256: measure.digest() });
  });
  if (!manifest) throw corrupt('no manifest');
  checkEntries(manifest, seen);
  schemaLevelOf(manifest, migrations);
  return manifest;
}

export interface LoadOptions {
  /** The command-line restore: refuse a database that already holds data. */
  requireEmpty: boolean;
  progress?: (percent: number, step: string) => void;
}

export interface LoadTarget {
  database: Database;
  storage: FileStorage;
  migrations: Migration[];
}

async function rowsIn(conn: BulkConnection, tables: string[]): Promise<number> {
  if (tables.length === 0) return 0;
  const [row] = await conn.query<{ n: number }>(`SELECT (${tables.map((t) => `(SELECT count(*) FROM ${quoteIdent(t)})`).join(' + ')})::int AS n`);
  return row!.n;
}

/** Foreign keys are dropped while rows load in any order, and put back (and checked) at the end. */
async function takeForeignKeys(conn: BulkConnection): Promise<{ table: string; name: string; definition: string }[]> {
  const keys = await conn.query<{ table: string; name: string; definition: string }>(
    `SELECT c.conrelid::regclass::text AS table, c.conname::text AS name, pg_get_constraintdef(c.oid) AS definition
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE c.contype = 'f' AND n.nspname = 'public'`,
  );
  for (const key of keys) await conn.query(`ALTER TABLE ${key.table} DROP CONSTRAINT ${quoteIdent(key.name)}`);
  return keys;
}

/**
 * Everything the migrations made (tables with their indexes, triggers and sequences; functions),
 * and nothing else. A function that something outside Deskbase still uses once the product's
 * tables are gone (a generated column of another table calling `deskbase_json_string`, say) is
 * kept, not dropped with what uses it: the migrations then replace its body (`CREATE OR
 * REPLACE`); one they create with a plain `CREATE FUNCTION` fails the restore, which rolls back.
 */
async function dropSchemaObjects(conn: BulkConnection, present: TableColumns[], product: ProductSchema): Promise<void> {
  const tables = present.filter((t) => ownsTable(product, t.name));
  if (tables.length) await conn.query(`DROP TABLE ${tables.map((t) => quoteIdent(t.name)).join(', ')} CASCADE`);
  const functions = await conn.query<{ signature: string; used: boolean }>(
    `SELECT p.oid::regprocedure::text AS signature,
            EXISTS (SELECT 1 FROM pg_depend d WHERE d.refclassid = 'pg_proc'::regclass AND d.refobjid = p.oid AND d.deptype = 'n') AS used
       FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.proname = ANY($1::text[])`,
    [[...product.functions]],
  );
  for (const fn of functions) if (!fn.used) await conn.query(`DROP FUNCTION ${fn.signature}`);
}

/**
 * Replaces the database's content with the backup's, in one transaction: a failure at any step
 * (a damaged member, a constraint, a crash) leaves the database as it was. The schema is rebuilt
 * at the backup's migration level, the rows loaded, then the later migrations run over them, as
 * they would have on the original server. The job queue's records and the backup catalog stay.
 */
export async function loadBackup(target: LoadTarget, open: OpenBackup, keyFor: KeyLookup, manifest: Manifest, options: LoadOptions): Promise<{ tables: number; rows: number; files: number }> {
  const { database, storage, migrations } = target;
  const level = schemaLevelOf(manifest, migrations);
  const product = productSchemaOf(migrations);
  const expected = entriesOf(manifest);
  const tables = new Map(manifest.tables.flatMap((table) => table.entries.map((entry) => [entry.name, table] as const)));
  const files = new Map(manifest.files.map((file) => [file.name, file]));
  const totalEntries = expected.size || 1;

  return database.bulk({ readOnly: false }, async (conn) => {
    await conn.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    const present = await publicTables(conn);
    const existing = savedOf(present, product);
    if (options.requireEmpty) {
      const rows = await rowsIn(conn, existing.map((t) => t.name));
      if (rows > 0) throw new BackupRefused('RESTORE_TARGET_NOT_EMPTY', `The database already holds data (${rows} rows); restore into an empty database`);
    }
    const keptTables = present.filter((t) => t.name !== 'deskbase_migrations' && UNSAVED_TABLES.includes(t.name));
    // Every table at once, the product's first: in-flight transactions finish, later ones wait for
    // the commit, and one that holds a product table while it enqueues a job cannot deadlock with us.
    const locked = [...existing, ...keptTables].map((t) => quoteIdent(t.name));
    if (locked.length) await conn.query(`LOCK TABLE ${locked.join(', ')} IN ACCESS EXCLUSIVE MODE`);
    const kept: { table: TableColumns; data: Buffer }[] = [];
    for (const table of keptTables) kept.push({ table, data: await conn.copyOut(`COPY ${quoteIdent(table.name)} (${columnList(table.columns)})`) });

    options.progress?.(5, 'Rebuilding the schema');
    await dropSchemaObjects(conn, present, product);
    await conn.query(CREATE_LEDGER);
    const ledger: SqlConnection = { query: async (text, params) => ({ rows: await conn.query(text, params) }) };
    for (const migration of migrations.slice(0, level)) await applyMigration(ledger, migration);
    const foreignKeys = await takeForeignKeys(conn);
    // A table of the backup that its schema level does not create was not made by Deskbase.
    const created = new Set((await savedTables(conn, product)).map((table) => table.name));
    const foreign = manifest.tables.find((table) => table.rows > 0 && !created.has(table.name));
    if (foreign) throw new BackupRefused('BACKUP_SCHEMA_UNKNOWN', `The backup holds rows of table ${foreign.name}, which Deskbase's schema does not have`);

    let done = 0;
    await readArchive(open, keyFor, async (name, body) => {
      if (name === MANIFEST_ENTRY) {
        await collect(body);
        return;
      }
      const entry = expected.get(name);
      if (!entry) throw corrupt(`${name} is not in the manifest`);
      const table = tables.get(name);
      if (table) {
        const data = await collect(body);
        if (data.length !== entry.bytes || sha256Hex(data) !== entry.sha256) throw corrupt(`${name} does not match its checksum`);
        await conn.copyIn(`COPY ${quoteIdent(table.name)} (${columnList(table.columns)})`, data);
      } else {
        await storage.write(files.get(name)!.storage_key, body.pipe(new Measure(entry)), 'application/octet-stream');
      }
      done++;
      if (done % 20 === 0) options.progress?.(10 + Math.round((done / totalEntries) * 75), table ? `Loading table ${table.name}` : 'Restoring stored files');
    });
    if (done !== expected.size) throw corrupt('members are missing');

    options.progress?.(88, 'Checking references');
    for (const sequence of manifest.sequences) {
      await conn.query('SELECT setval($1::regclass, $2::bigint, $3)', [quoteIdent(sequence.name), sequence.last_value ?? '1', sequence.last_value !== null]);
    }
    for (const key of foreignKeys) await conn.query(`ALTER TABLE ${key.table} ADD CONSTRAINT ${quoteIdent(key.name)} ${key.definition}`);
    options.progress?.(92, 'Upgrading the schema');
    for (const migration of migrations.slice(level)) await applyMigration(ledger, migration);
    for (const { table, data } of kept) await conn.copyIn(`COPY ${quoteIdent(table.name)} (${columnList(table.columns)})`, data);
    // Fresh tables have no planner statistics; the embedded database has no autovacuum to gather them.
    options.progress?.(96, 'Gathering statistics');
    for (const table of manifest.tables) if (table.rows > 0) await conn.query(`ANALYZE ${quoteIdent(table.name)}`);
    await conn.query(`SELECT pg_notify($1, '')`, [DATA_REPLACED_CHANNEL]);
    return { tables: manifest.tables.length, rows: manifest.tables.reduce((sum, table) => sum + table.rows, 0), files: manifest.files.length };
  });
}
