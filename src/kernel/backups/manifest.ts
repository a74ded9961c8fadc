import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import type { Migration } from '../db/migrations';
import { corrupt } from './sealed-stream';

/** One member of the archive, as the manifest records it. */
export interface ArchiveEntry {
  name: string;
  bytes: number;
  sha256: string;
}

export interface TableDump {
  name: string;
  /** The columns in each line of its entries (generated columns are not stored: they are recomputed). */
  columns: string[];
  rows: number;
  /** COPY text, in parts of a bounded size. */
  entries: ArchiveEntry[];
}

/** The last member of every backup archive: what it holds and how to check it. */
export interface Manifest {
  format: 1;
  app_version: string;
  created_at: string;
  /** The database it was taken from: a backup restores into either kind. */
  database: 'embedded' | 'postgres';
  /** Applied schema migrations, in order: the schema level of the data. */
  migrations: { tag: string; checksum: string }[];
  tables: TableDump[];
  /** Tables of the schema that Deskbase's migrations do not create, left out with their rows. */
  skipped_tables: string[];
  sequences: { name: string; last_value: string | null }[];
  files: (ArchiveEntry & { id: string; storage_key: string })[];
}

export const MANIFEST_ENTRY = 'manifest.json';

/** Notified (with an empty payload) when a restore commits: caches of the old rows must go, on every instance. */
export const DATA_REPLACED_CHANNEL = 'deskbase_data_replaced';

/** Tables a backup leaves out and a restore leaves as they are: the job queue's records and the backup catalog. */
export const UNSAVED_TABLES = ['deskbase_migrations', 'job_runs', 'backups', 'backup_schedules'];

/** What Deskbase's migrations create in the public schema: a backup saves, and a restore replaces, these alone. */
export interface ProductSchema {
  tables: Set<string>;
  functions: Set<string>;
}

/** Deskbase made this table: a migration, or the migrations' own ledger. */
export const ownsTable = (product: ProductSchema, name: string) => product.tables.has(name) || name === 'deskbase_migrations';

/**
 * Read from the migrations' SQL (drizzle-kit writes `CREATE TABLE "name"`): tables that someone
 * else added to the schema are neither saved nor dropped, and a backup lists them as skipped.
 */
export function productSchemaOf(migrations: Migration[]): ProductSchema {
  const tables = new Set<string>();
  const functions = new Set<string>();
  for (const statement of migrations.flatMap((m) => m.statements)) {
    for (const [, name] of statement.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?"?(\w+)"?/gi)) tables.add(name!);
    for (const [, name] of statement.matchAll(/DROP TABLE (?:IF EXISTS )?"?(\w+)"?/gi)) tables.delete(name!);
    for (const [, from, to] of statement.matchAll(/ALTER TABLE "?(\w+)"? RENAME TO "?(\w+)"?/gi)) {
      tables.delete(from!);
      tables.add(to!);
    }
    for (const [, name] of statement.matchAll(/CREATE (?:OR REPLACE )?FUNCTION "?(\w+)"?/gi)) functions.add(name!);
  }
  return { tables, functions };
}

export const tableEntryName = (table: string, part: number) => `tables/${table}/${String(part).padStart(6, '0')}.tsv`;
export const fileEntryName = (fileId: string) => `files/${fileId}`;

/** Passes bytes through while counting and hashing them; with `expected`, fails at the end on a mismatch. */
export class Measure extends Transform {
  private readonly hash = createHash('sha256');
  private sha256: string | undefined;
  bytes = 0;

  constructor(private readonly expected?: ArchiveEntry) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: () => void) {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.push(chunk);
    callback();
  }

  override _flush(callback: (error?: Error) => void) {
    const { expected } = this;
    callback(expected && (this.bytes !== expected.bytes || this.digest() !== expected.sha256) ? corrupt(`${expected.name} does not match its checksum`) : undefined);
  }

  digest(): string {
    return (this.sha256 ??= this.hash.digest('hex'));
  }
}

export class BackupRefused extends Error {
  constructor(
    readonly code: 'BACKUP_SCHEMA_NEWER' | 'BACKUP_SCHEMA_UNKNOWN' | 'RESTORE_TARGET_NOT_EMPTY',
    message: string,
  ) {
    super(message);
    this.name = 'BackupRefused';
  }
}

/** Parses the manifest member, refusing anything not shaped like one. */
export function parseManifest(text: string): Manifest {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch {
    throw corrupt('unreadable manifest');
  }
  if (manifest?.format !== 1 || !Array.isArray(manifest.tables) || !Array.isArray(manifest.files) || !Array.isArray(manifest.migrations) || !Array.isArray(manifest.sequences)) {
    throw corrupt('unknown manifest format');
  }
  return manifest;
}

/** Every member the manifest lists, by name. */
export function entriesOf(manifest: Manifest): Map<string, ArchiveEntry> {
  return new Map([...manifest.tables.flatMap((table) => table.entries), ...manifest.files].map((entry) => [entry.name, entry]));
}

/**
 * How many of this code's migrations the backup's schema had. Refuses a backup from a newer
 * schema (a migration this code does not know) or from a schema this code never had.
 */
export function schemaLevelOf(manifest: Manifest, migrations: Migration[]): number {
  manifest.migrations.forEach((applied, index) => {
    const known = migrations[index];
    if (!known) {
      throw new BackupRefused('BACKUP_SCHEMA_NEWER', `The backup comes from a newer version of Deskbase (schema ${applied.tag}); upgrade this server first`);
    }
    if (known.tag !== applied.tag || known.checksum !== applied.checksum) {
      throw new BackupRefused('BACKUP_SCHEMA_UNKNOWN', `The backup's schema migration ${applied.tag} is not this version's ${known.tag}`);
    }
  });
  return manifest.migrations.length;
}

/** Compares what an archive held with what its manifest says it holds. */
export function checkEntries(manifest: Manifest, seen: Map<string, ArchiveEntry>): void {
  const expected = entriesOf(manifest);
  for (const [name, entry] of expected) {
    const actual = seen.get(name);
    if (!actual) throw corrupt(`${name} is missing`);
    if (actual.bytes !== entry.bytes || actual.sha256 !== entry.sha256) throw corrupt(`${name} does not match its checksum`);
  }
  for (const name of seen.keys()) if (!expected.has(name)) throw corrupt(`${name} is not in the manifest`);
}
