import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { drizzle as drizzlePg, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { acquireDirectoryLock } from './directory-lock';
import { PostgresListener, type NotificationHandler } from './listener';
import { migrate, pendingMigrations, type SqlConnection } from './migrations';

/**
 * Drizzle handle shared by both drivers. PGlite's and node-postgres' Drizzle databases expose
 * the same query builder; typing both as the node-postgres one keeps services driver-agnostic.
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

export interface Database {
  readonly kind: 'embedded' | 'postgres';
  readonly db: Db;
  /** Runs fn in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Raw SQL for the few places the query builder does not fit. */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /** Round-trip time of `SELECT 1` in milliseconds; throws when the database is unreachable. */
  ping(): Promise<number>;
  migrate(): Promise<string[]>;
  pendingMigrations(): Promise<string[]>;
  poolStats(): PoolStats;
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

async function openPostgres(url: string, options: DatabaseOptions): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMs || undefined,
    application_name: 'deskbase',
  });
  // An idle client whose backend was terminated emits 'error'; without a listener the process
  // would crash. The pool drops that client and opens a fresh one on the next checkout.
  pool.on('error', (error) => options.onPoolError?.(error));
  const db = drizzlePg(pool) as Db;
  const listener = new PostgresListener(url);

  const withClient = async <T>(fn: (conn: SqlConnection) => Promise<T>) => {
    const client = await pool.connect();
    try {
      return await fn(client);
    } finally {
      client.release();
    }
  };

  return {
    kind: 'postgres',
    db,
    transaction: (fn) => db.transaction(fn),
    query: async (text, params) => (await pool.query(text, params)).rows,
    ping: () => timed(() => pool.query('SELECT 1')),
    migrate: () => withClient((conn) => migrate(conn)),
    pendingMigrations: () => withClient((conn) => pendingMigrations(conn)),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max: options.poolMax }),
    listen: (channel, handler) => listener.listen(channel, handler),
    close: async () => {
      await listener.close();
      await pool.end();
    },
  };
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
  const db = drizzlePglite(client) as unknown as Db;
  const conn: SqlConnection = client;
  return {
    kind: 'embedded',
    db,
    transaction: (fn) => db.transaction(fn),
    query: async (text, params) => (await client.query(text, params)).rows as never[],
    ping: () => timed(() => client.query('SELECT 1')),
    migrate: () => migrate(conn),
    pendingMigrations: () => pendingMigrations(conn),
    // PGlite is a single in-process connection.
    poolStats: () => ({ total: 1, idle: 1, waiting: 0, max: 1 }),
    listen: async (channel, handler) => {
      await client.listen(channel, handler);
    },
    close: async () => {
      try {
        if (!client.closed) await client.close();
      } finally {
        release();
      }
    },
  };
}
