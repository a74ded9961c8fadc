import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { pack as tarPack, type Pack } from 'tar-stream';
import type { BulkConnection, Database } from '../db/database';
import type { FileStorage } from '../files/storage';
import type { BackupKey } from './keys';
import { sealStream } from './sealed-stream';
import { fileEntryName, Measure, MANIFEST_ENTRY, ownsTable, tableEntryName, UNSAVED_TABLES, type ArchiveEntry, type Manifest, type ProductSchema, type TableDump } from './manifest';
import { sha256Hex } from '../digest';

/** Heap pages per COPY (8 KiB each): about 16 MiB of table per archive member, whatever the table's size. */
const PAGES_PER_PART = 2048;

export interface DumpSource {
  database: Database;
  /** What the running version's migrations create (manifest.ts productSchemaOf). */
  product: ProductSchema;
  storage: FileStorage;
  appVersion: string;
  now: () => Date;
  signal?: AbortSignal;
  progress?: (percent: number, step: string) => void;
}

export interface TableColumns {
  name: string;
  columns: string[];
}

/** Every table of the public schema with its stored columns (generated ones are recomputed on restore). */
export function publicTables(conn: Pick<BulkConnection, 'query'>): Promise<TableColumns[]> {
  return conn.query<TableColumns>(
    `SELECT c.relname::text AS name, array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
      WHERE n.nspname = 'public' AND c.relkind = 'r'
      GROUP BY c.relname ORDER BY c.relname`,
  );
}

/** The product's tables a backup saves, among `tables`. */
export const savedOf = (tables: TableColumns[], product: ProductSchema) => tables.filter((table) => product.tables.has(table.name) && !UNSAVED_TABLES.includes(table.name));

export const savedTables = async (conn: Pick<BulkConnection, 'query'>, product: ProductSchema) => savedOf(await publicTables(conn), product);

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
export const columnList = (columns: string[]) => columns.map(quoteIdent).join(', ');

function addEntry(pack: Pack, name: string, size: number, body: Readable | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const sink = pack.entry({ name, size, mode: 0o600 }, (error) => (error ? reject(error) : resolve()));
    if (Buffer.isBuffer(body)) sink.end(body);
    else {
      body.on('error', (error) => sink.destroy(error));
      body.pipe(sink);
    }
  });
}

/** A table read in parts by ranges of heap pages: bounded memory on both databases, no key needed. */
async function dumpTable(conn: BulkConnection, pack: Pack, table: { name: string; columns: string[] }): Promise<TableDump> {
  const [size] = await conn.query<{ pages: number }>(`SELECT (pg_relation_size($1::regclass) / current_setting('block_size')::int)::int AS pages`, [quoteIdent(table.name)]);
  const dump: TableDump = { ...table, rows: 0, entries: [] };
  for (let first = 0; first < size!.pages; first += PAGES_PER_PART) {
    const range = `ctid >= '(${first},0)'::tid AND ctid < '(${first + PAGES_PER_PART},0)'::tid`;
    const data = await conn.copyOut(`COPY (SELECT ${columnList(table.columns)} FROM ${quoteIdent(table.name)} WHERE ${range})`);
    if (data.length === 0) continue;
    const entry: ArchiveEntry = { name: tableEntryName(table.name, dump.entries.length + 1), bytes: data.length, sha256: sha256Hex(data) };
    // COPY text escapes newlines inside values: one line per row.
    for (let at = data.indexOf(10); at !== -1; at = data.indexOf(10, at + 1)) dump.rows++;
    await addEntry(pack, entry.name, data.length, data);
    dump.entries.push(entry);
  }
  return dump;
}

/**
 * Writes a backup archive (tar): every saved table as COPY text from one consistent snapshot,
 * then the bytes of every stored file, then the manifest. Answers the archive stream at once
 * and the manifest once the archive is complete; a failure destroys the stream with the error.
 */
export function dumpArchive(source: DumpSource): { stream: Readable; manifest: Promise<Manifest> } {
  const pack = tarPack();
  const manifest = (async () => {
    const { database } = source;
    const snapshot = await database.bulk({ readOnly: true }, async (conn) => {
      const all = await publicTables(conn);
      const tables = savedOf(all, source.product);
      // Not the product's (another application's, a test's): left out, and named in the manifest.
      const skipped = all.map((table) => table.name).filter((name) => !ownsTable(source.product, name));
      const dumps: TableDump[] = [];
      for (const [index, table] of tables.entries()) {
        source.signal?.throwIfAborted();
        source.progress?.(Math.round((index / tables.length) * 60), `Saving table ${table.name}`);
        dumps.push(await dumpTable(conn, pack, table));
      }
      const migrations = await conn.query<{ tag: string; checksum: string }>('SELECT tag, checksum FROM deskbase_migrations ORDER BY tag');
      // The sequences owned by the product's columns (bigserial or identity).
      const owned = await conn.query<{ name: string; owner: string; last_value: string | null }>(
        `SELECT s.sequencename::text AS name, t.relname::text AS owner, s.last_value::text AS last_value
           FROM pg_sequences s
           JOIN pg_class c ON c.relname = s.sequencename AND c.relnamespace = 'public'::regnamespace
           JOIN pg_depend d ON d.objid = c.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
           JOIN pg_class t ON t.oid = d.refobjid
          WHERE s.schemaname = 'public' ORDER BY 1`,
      );
      const sequences = owned.filter((sequence) => source.product.tables.has(sequence.owner)).map(({ name, last_value }) => ({ name, last_value }));
      const files = await conn.query<{ id: string; storage_key: string; size: string | number; sha256: string }>('SELECT id, storage_key, size, sha256 FROM files ORDER BY id');
      return { dumps, skipped, migrations, sequences, files };
    });
    // Files never change once stored, so they are read after the snapshot's transaction ends
    // (on the embedded database that transaction holds its only connection).
    const files: Manifest['files'] = [];
    for (const [index, file] of snapshot.files.entries()) {
      source.signal?.throwIfAborted();
      if (index % 50 === 0) source.progress?.(60 + Math.round((index / snapshot.files.length) * 35), 'Saving stored files');
      const bytes = Number(file.size);
      const measure = new Measure();
      const body = (await source.storage.read(file.storage_key)).pipe(measure);
      const name = fileEntryName(file.id);
      await addEntry(pack, name, bytes, body);
      const sha256 = measure.digest();
      if (measure.bytes !== bytes || sha256 !== file.sha256) throw new Error(`The stored bytes of file ${file.id} do not match its record`);
      files.push({ id: file.id, storage_key: file.storage_key, name, bytes, sha256 });
    }
    const result: Manifest = {
      format: 1,
      app_version: source.appVersion,
      created_at: source.now().toISOString(),
      database: database.kind,
      migrations: snapshot.migrations,
      tables: snapshot.dumps,
      skipped_tables: snapshot.skipped,
      sequences: snapshot.sequences,
      files,
    };
    const text = Buffer.from(JSON.stringify(result), 'utf8');
    await addEntry(pack, MANIFEST_ENTRY, text.length, text);
    pack.finalize();
    return result;
  })();
  manifest.catch((error: Error) => pack.destroy(error));
  return { stream: pack as unknown as Readable, manifest };
}

/**
 * The backup file: the archive compressed and sealed under `key`. The manifest resolves once the
 * whole file has been produced; any failure destroys the stream and rejects it.
 */
export function sealedArchive(source: DumpSource, key: BackupKey): { stream: Readable; manifest: Promise<Manifest> } {
  const archive = dumpArchive(source);
  const sealed = new PassThrough();
  const produced = pipeline(archive.stream, createGzip(), sealStream(key.key, key.id), sealed, { signal: source.signal });
  return { stream: sealed, manifest: Promise.all([archive.manifest, produced]).then(([manifest]) => manifest) };
}
