import type { FastifyInstance } from 'fastify';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { expect } from 'vitest';
import { savedTables, sealedArchive, quoteIdent } from '../../src/kernel/backups/dump';
import { keyIdOf } from '../../src/kernel/backups/keys';
import { productSchemaOf } from '../../src/kernel/backups/manifest';
import { readMigrations } from '../../src/kernel/db/migrations';
import type { FileStorage } from '../../src/kernel/files/storage';
import type { Database } from '../../src/kernel/db/database';
import { call, createBillingWorld, uploadFile, type BillingWorld } from '../billing/harness';
import { waitFor } from '../jobs/harness';
import type { TestAppOptions } from '../support/app';

/** Same key on every test server, so that a backup made by one opens on another. */
export const BACKUP_KEY = Buffer.alloc(32, 7).toString('base64');

export const backupWorld = (options: TestAppOptions = {}) =>
  createBillingWorld({ ...options, env: { BACKUP_ENCRYPTION_KEY: BACKUP_KEY, ...options.env }, jobs: { pollIntervalMs: 50, ...options.jobs } });

/** Every byte value, and some text: a file whose round trip proves nothing is re-encoded. */
export const binaryContent = Buffer.concat([Buffer.from('%PDF-1.4\n'), Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 256))]);

/**
 * Identity (two organizations, people), billing (clients, issued and paid invoices, a credit note)
 * and stored files, through the API as a user makes them.
 */
export async function fillWorld(world: BillingWorld): Promise<{ fileIds: string[] }> {
  const { app, adminA, adminB } = world;
  const post = async (token: string, url: string, body: object) => {
    const response = await call(app, token, 'POST', `/api/v1${url}`, body);
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response.json();
  };
  for (const [token, name] of [[adminA, 'Ангкор Trading «Ltd»\ttab'], [adminB, "O'Brien & Co\nline"]] as const) {
    const client = await post(token, '/clients', { name, email: 'buyer@example.com', currency: 'USD', billing_address: { line1: '1 Road', city: 'Phnom Penh', country: 'KH' } });
    for (const amount of ['100.10', '2500.555', '1.00']) {
      const draft = await post(token, '/invoices', { client_id: client.id, issue_date: '2026-03-01', due_date: '2026-03-31', lines: [{ description: `Work — ${amount} ✓`, quantity: 3, unit_price: amount }] });
      const invoice = await post(token, `/invoices/${draft.id}/finalize`, {});
      await post(token, '/payments', { client_id: client.id, amount: '0.50', currency: 'USD', method: 'bank_transfer', date: '2026-03-10', allocations: [{ invoice_id: invoice.id, amount: '0.50' }] });
    }
  }
  const fileIds = [await uploadFile(app, adminA, 'contract.pdf', binaryContent), await uploadFile(app, adminB, 'notes.txt', Buffer.from('ភាសាខ្មែរ\r\nline two\n'))];
  // The dispatcher marks events dispatched in the background (up to 20 ms after their commit):
  // done now, before tests compare what a backup saw with the database.
  await app.webhooks.runOnce();
  return { fileIds };
}

/** What this version's migrations create: the tables a backup saves. */
export const product = productSchemaOf(readMigrations());

/** Each saved table's rows as COPY text in a fixed order: two databases with the same rows give the same bytes. */
export async function tableContents(database: Database): Promise<Map<string, string>> {
  return database.bulk({ readOnly: true }, async (conn) => {
    const contents = new Map<string, string>();
    for (const table of await savedTables(conn, product)) {
      const data = await conn.copyOut(`COPY (SELECT * FROM ${quoteIdent(table.name)} t ORDER BY t::text COLLATE "C")`);
      contents.set(table.name, data.toString('utf8'));
    }
    return contents;
  });
}

/** The bytes of every stored file, by id. */
export async function storedFiles(app: FastifyInstance): Promise<Map<string, Buffer>> {
  const rows = await app.kernel.database.query<{ id: string; storage_key: string }>('SELECT id, storage_key FROM files ORDER BY id');
  const files = new Map<string, Buffer>();
  for (const row of rows) {
    const chunks: Buffer[] = [];
    for await (const chunk of await app.files.backend.read(row.storage_key)) chunks.push(chunk as Buffer);
    files.set(row.id, Buffer.concat(chunks));
  }
  return files;
}

/** Starts a backup as `token` and waits for it to finish; answers the backup as GET shows it. */
export async function backUp(app: FastifyInstance, token: string) {
  const started = await call(app, token, 'POST', '/api/v1/backups', {});
  expect(started.statusCode, started.body).toBe(202);
  const id = started.json().id as string;
  return waitFor(async () => {
    const backup = (await call(app, token, 'GET', `/api/v1/backups/${id}`)).json();
    return backup.status === 'completed' || backup.status === 'failed' ? backup : null;
  }, 30_000, `backup ${id}`);
}

/** The finished job (completed, failed or cancelled). */
export const finishedJob = (app: FastifyInstance, token: string, jobId: string) =>
  waitFor(async () => {
    const job = (await call(app, token, 'GET', `/api/v1/jobs/${jobId}`)).json();
    return ['completed', 'failed', 'cancelled'].includes(job.status) ? job : null;
  }, 60_000, `job ${jobId}`);

/** A backup file of `database` made directly (no server), sealed under `key`. */
export async function sealedBackupOf(database: Database, storage: FileStorage, key: Buffer): Promise<Buffer> {
  const archive = sealedArchive({ database, product, storage, appVersion: 'test', now: () => new Date() }, { id: keyIdOf(key), key });
  const chunks: Buffer[] = [];
  for await (const chunk of archive.stream) chunks.push(chunk as Buffer);
  await archive.manifest;
  return Buffer.concat(chunks);
}

/** Runs `npm run restore -- …args` as the operator would; DATABASE_URL only when given. */
export async function runRestoreCli(args: string[], env: Record<string, string>): Promise<{ code: number; out: string }> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/restore.ts', ...args], { env: { ...inherited, LOG_LEVEL: 'silent', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  return { code, out };
}
