import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { createPgConfig } from '@electric-sql/pglite/node-postgres';
import { drizzle as drizzlePg, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { acquireDirectoryLock } from './directory-lock';
import { PostgresListener, type NotificationHandler } from './listener';
import { migrate, pendingMigrations, withMigrationLock } from './migrations';

/**
 * The Drizzle handle: node-postgres' on both engines (a PostgreSQL pool, or a pool of PGlite's
 * one connection through its wire-protocol adapter).
 */
export type Db = NodePgDatabase<Record<string, never>>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
/** What services accept: the database or an open transaction. */
export type Executor = Db | Tx;

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

/** One connection inside one transaction, with COPY in both directions (backups and restores). */
export interface BulkConnection {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** `COPY (…) TO STDOUT` / `COPY t TO STDOUT` given without its `TO` clause; answers the text. */
  copyOut(copy: string): Promise<Buffer>;
  /** `COPY t (cols) FROM STDIN` given without its `FROM` clause, fed `data`. */
  copyIn(copy: string, data: Buffer): Promise<void>;
}

export interface BulkOptions {
  /** true: a read-only snapshot (REPEATABLE READ) that sees one instant of every table. */
  readOnly: boolean;
}

/**
 * Settings that make COPY's text the same on every server, whatever the session defaults:
 * instants in UTC, ISO dates, shortest exact floats, hex bytea. No statement timeout: a backup
 * or restore of a large database runs for minutes, as one statement per table.
 */
const BULK_SETTINGS = [
  "SET LOCAL TimeZone = 'UTC'",
  "SET LOCAL DateStyle = 'ISO, YMD'",
  "SET LOCAL IntervalStyle = 'postgres'",
  'SET LOCAL extra_float_digits = 1',
  "SET LOCAL bytea_output = 'hex'",
  'SET LOCAL statement_timeout = 0',
];

const beginOf = (options: BulkOptions) => (options.readOnly ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');

export interface Database {
  readonly kind: 'embedded' | 'postgres';
  readonly db: Db;
  /** Runs fn in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Raw SQL for the few places the query builder does not fit. */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /**
   * SQL exactly as a library wrote it (pg-boss): without parameters the text may hold several
   * statements, including its own BEGIN … COMMIT; a failed script is rolled back rather than
   * leaving its connection inside an aborted transaction. Answers the last statement's result.
   */
  execute(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
  /** Round-trip time of `SELECT 1` in milliseconds; throws when the database is unreachable. */
  ping(): Promise<number>;
  migrate(): Promise<string[]>;
  pendingMigrations(): Promise<string[]>;
  /**
   * Runs fn under the migration lock, for a library that changes the schema itself (pg-boss):
   * instances starting together then do it one after the other, and never during our migrations.
   */
  exclusive<T>(fn: () => Promise<T>): Promise<T>;
  poolStats(): PoolStats;
  /** Runs fn on one connection in one transaction, committed if it resolves (backups, restores). */
  bulk<T>(options: BulkOptions, fn: (conn: BulkConnection) => Promise<T>): Promise<T>;
  /**
   * Calls handler with the payload of every `pg_notify(channel, payload)` committed by any
   * instance (null after a reconnect: messages may have been missed).
   */
  listen(channel: string, handler: NotificationHandler): Promise<void>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  poolMax: number;
  statementTimeoutMs: number;
  /**
   * Embedded only: how long a query waits for the one connection (30 s when unset) before it
   * fails as unavailable (503), e.g. a query made outside a transaction that holds it.
   */
  connectionWaitMs?: number;
  /** Embedded only: keep the database in memory, or load it from a dump (tests). */
  memory?: boolean;
  loadDump?: Blob;
  onPoolError?: (error: Error) => void;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options) : openEmbedded(options);
}

async function timed(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return Math.round((performance.now() - start) * 100) / 100;
}

/**
 * What both databases do through a pg pool: PostgreSQL's, or the embedded database's pool of
 * its one connection (node-postgres speaking the wire protocol to PGlite in-process).
 */
function overPool(pool: pg.Pool, options: { poolMax: number; onPoolError?: (error: Error) => void }) {
  // An idle client whose backend was terminated emits 'error'; without a listener the process
  // would crash. The pool drops that client and opens a fresh one on the next checkout.
  pool.on('error', (error) => options.onPoolError?.(error));
  // A checked-out client (a transaction, a session lock) whose connection drops emits 'error'
  // itself: without a listener that would crash the process. Its query fails and the pool drops it.
  pool.on('connect', (client) => client.on('error', (error) => options.onPoolError?.(error)));
  const db = drizzlePg(pool) as Db;
  const withClient = async <T>(fn: (conn: pg.PoolClient) => Promise<T>) => {
    const client = await pool.connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  };
  return {
    withClient,
    shared: {
      db,
      transaction: <T>(fn: (tx: Tx) => Promise<T>) => db.transaction(fn),
      query: async <Row>(text: string, params?: unknown[]) => (await pool.query(text, params)).rows as Row[],
      execute: async (text: string, params?: unknown[]) => {
        if (params?.length) return pool.query(text, params);
        return withClient(async (client) => {
          try {
            const result = (await client.query(text)) as { rows: unknown[] } | { rows: unknown[] }[];
            return Array.isArray(result) ? (result.at(-1) ?? { rows: [] }) : result;
          } catch (error) {
            await client.query('ROLLBACK').catch(() => {});
            throw error;
          }
        });
      },
      ping: () => timed(() => pool.query('SELECT 1')),
      migrate: () => withClient((conn) => migrate(conn)),
      pendingMigrations: () => withClient((conn) => pendingMigrations(conn)),
      poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: options.poolMax }),
    },
  };
}

async function openPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs || undefined,
    application_name: 'deskbase',
  });
  const listener = new PostgresListener(url);
  const { shared } = overPool(pool, options);

  return {
    kind: 'postgres',
    ...shared,
    exclusive: async (fn) => {
      // Its own connection: fn may need every pooled one.
      const conn = new pg.Client({ connectionString: url, application_name: 'deskbase-lock' });
      conn.on('error', (error) => options.onPoolError?.(error));
      await conn.connect();
      try {
        return await withMigrationLock(conn, fn);
      } finally {
        await conn.end();
      }
    },
    bulk: async (bulkOptions, fn) => {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query(beginOf(bulkOptions));
        for (const setting of BULK_SETTINGS) await client.query(setting);
        const result = await fn({
          query: async (text, params) => (await client.query(text, params)).rows,
          copyOut: async (copy) => {
            const chunks: Buffer[] = [];
            for await (const chunk of client.query(copyTo(`${copy} TO STDOUT`))) chunks.push(chunk as Buffer);
            return Buffer.concat(chunks);
          },
          copyIn: (copy, data) => pipeline(Readable.from([data]), client.query(copyFrom(`${copy} FROM STDIN`))),
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        // A connection that could not roll back is not handed to the next caller.
        client.release(broken);
      }
    },
    listen: (channel, handler) => listener.listen(channel, handler),
    close: async () => {
      await listener.close();
      await pool.end();
    },
  };
}

/**
 * PGlite's node-postgres adapter. node-postgres hands a query's own type parsers (Drizzle sets
 * them on every query) to Parse as `types`, where its own serializer reads only an array of
 * parameter type OIDs and ignores anything else; the adapter's serializer calls forEach on it and
 * throws inside node-postgres' queue, which then never answers. Only an array goes through.
 */
function pgConfigOver(client: PGlite) {
  const config = createPgConfig(client);
  const { connection } = config;
  const parse = connection.parse.bind(connection);
  connection.parse = (query: { types?: unknown }) => parse({ ...query, types: Array.isArray(query.types) ? query.types : undefined });
  return config;
}

async function openEmbedded(options: DatabaseOptions): Promise<Database> {
  let release = () => {};
  let dataDir: string | undefined;
  if (!options.memory) {
    dataDir = path.join(options.dataDir, 'pgdata');
    mkdirSync(options.dataDir, { recursive: true });
    // Two processes on one PGlite directory would corrupt it: refuse to start instead.
    release = acquireDirectoryLock(path.join(options.dataDir, 'pgdata.lock'));
  }
  let client: PGlite;
  try {
    client = await PGlite.create({ dataDir, loadDataDir: options.loadDump });
    if (options.statementTimeoutMs) await client.query(`SET statement_timeout = ${Number(options.statementTimeoutMs)}`);
  } catch (error) {
    release();
    throw error;
  }
  // node-postgres over PGlite's wire protocol, as on PostgreSQL: the same driver and type parsing,
  // and named statements, which PGlite parses and plans once (its own query() does both for every
  // call). A pool of one: a transaction holds the one connection, other queries wait for it.
  // Never closed when idle: the adapter's end() would reach a client made after it. A query
  // waits for the connection a bounded time: one made outside a transaction, from inside it,
  // would otherwise wait for ever.
  const pool = new pg.Pool({ ...pgConfigOver(client), max: 1, idleTimeoutMillis: 0, connectionTimeoutMillis: options.connectionWaitMs ?? 30_000 });
  const { shared, withClient } = overPool(pool, { ...options, poolMax: 1 });
  return {
    kind: 'embedded',
    ...shared,
    // One process owns an embedded database: there is nobody to wait for.
    exclusive: (fn) => fn(),
    // PGlite's own API (COPY through its /dev/blob, LISTEN) while the pool's one connection is
    // held, so that no pooled query interleaves with it.
    // PGlite's transaction is its one connection: BEGIN's isolation level changes nothing there.
    bulk: (_bulkOptions, fn) =>
      withClient(() =>
        client.transaction(async (tx) => {
          for (const setting of BULK_SETTINGS) await tx.query(setting);
          return fn({
            query: async (text, params) => (await tx.query(text, params)).rows as never[],
            copyOut: async (copy) => {
              const { blob } = await tx.query(`${copy} TO '/dev/blob'`);
              return blob ? Buffer.from(await blob.arrayBuffer()) : Buffer.alloc(0);
            },
            copyIn: async (copy, data) => {
              await tx.query(`${copy} FROM '/dev/blob'`, [], { blob: new Blob([data]) });
            },
          });
        }),
      ),
    listen: async (channel, handler) => {
      await withClient(() => client.listen(channel, handler));
    },
    close: async () => {
      try {
        await pool.end();
        if (!client.closed) await client.close();
      } finally {
        release();
      }
    },
  };
}
