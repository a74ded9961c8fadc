/**
 * Job queue throughput, outside `npm run bench`:
 *   node --import tsx bench/jobs.ts                      # embedded database (a fresh DATA_DIR)
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres node --import tsx bench/jobs.ts
 * Enqueues BENCH_JOBS no-op jobs (500 per transaction), then times one instance running them with
 * BENCH_CONCURRENCY workers, from the first commit to the last completion.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fp from 'fastify-plugin';
import pg from 'pg';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { openDatabase } from '../src/kernel/db/database';

const JOBS = Number(process.env.BENCH_JOBS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 10);
const BATCH = 500;
const adminUrl = process.env.BENCH_DATABASE_URL?.trim();

async function main() {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'deskbase-bench-jobs-'));
  const name = `deskbase_bench_jobs_${randomBytes(4).toString('hex')}`;
  let databaseUrl: string | undefined;
  if (adminUrl) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
  }
  const config = loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...(databaseUrl && { DATABASE_URL: databaseUrl }) });
  const database = await openDatabase({ databaseUrl, dataDir, poolMax: 20, statementTimeoutMs: 0 });
  await database.migrate();

  let done = 0;
  let finished: () => void = () => {};
  const allDone = new Promise<void>((resolve) => (finished = resolve));
  const noop = fp(async (app) =>
    app.jobs.work('bench.noop', { concurrency: CONCURRENCY }, async () => {
      if (++done === JOBS) finished();
      return null;
    }),
  );
  const app = await buildApp({ config, database, logger: false, modules: [{ name: 'bench-jobs', plugin: noop }] });

  const start = performance.now();
  for (let sent = 0; sent < JOBS; sent += BATCH) {
    await database.transaction(async (tx) => {
      for (let n = sent; n < Math.min(JOBS, sent + BATCH); n++) await app.jobs.enqueue(tx, 'bench.noop', { n }, { organizationId: 'org_bench' });
    });
  }
  const enqueuedMs = performance.now() - start;
  await allDone;
  const totalMs = performance.now() - start;
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (adminUrl) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
  const rate = (count: number, ms: number) => Math.round((count / ms) * 1000);
  console.log(
    JSON.stringify({
      database: database.kind,
      jobs: JOBS,
      concurrency: CONCURRENCY,
      enqueue_per_second: rate(JOBS, enqueuedMs),
      // Workers start as soon as the first batch commits, so this overlaps with the enqueueing.
      end_to_end_per_second: rate(JOBS, totalMs),
      total_ms: Math.round(totalMs),
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
