/**
 * The benchmarked server, run as its own process by bench/run.ts:
 *   PORT=... LOG_LEVEL=warn [DATABASE_URL=...] [BENCH_SEED_ROWS=100000] node --import tsx bench/server.ts
 * Migrates, creates the test-only widgets table, optionally seeds it, then serves the app with the
 * identity, billing, analytics and widgets modules plus one no-op route (GET /bench/bare) as the same-process
 * baseline, and bench-only seeding routes. Prints
 * `BENCH_INFO <json>` and then `READY <port>` on stdout once listening. With WEB_CONCURRENCY
 * above 1, the primary prepares the database and prints those lines once every worker listens,
 * as `npm start` does (src/cli/cluster.ts).
 */
import fp from 'fastify-plugin';
import cluster from 'node:cluster';
import { pino } from 'pino';
import { buildApp, type Module } from '../src/app';
import { loadConfigOrExit, openConfiguredDatabase } from '../src/cli/boot';
import { superviseWorkers } from '../src/cli/cluster';
import type { Config } from '../src/config';
import type { Database } from '../src/kernel/db/database';
import { loggerOptions } from '../src/kernel/observability/logger';
import { emitEvent } from '../src/kernel/events/outbox';
import { analyticsModule } from '../src/modules/analytics/index';
import { billingModule } from '../src/modules/billing/index';
import { identityModule } from '../src/modules/identity/index';
import { widgetsModule } from '../test/support/widgets/index';
import { ensureWidgetsTable, seedInvoices, seedWidgets } from './seed';

/**
 * buildApp() calls app.ready(), after which no route can be added, so the baseline route comes in
 * as a module. fastify-plugin makes Fastify ignore the module's /api/v1 prefix: GET /bench/bare.
 * It goes through every global kernel hook (request id, metrics, request log, helmet, compression)
 * but does no work of its own.
 */
const benchModule: Module = {
  name: 'bench',
  plugin: fp(async (app) => {
    app.get('/bench/bare', async () => ({ ok: true }));
    // Commits `count` events in one transaction, as any API call that changes something does (bench/webhooks.ts).
    app.post<{ Body: { organization_id: string; count: number; data: Record<string, unknown> } }>('/bench/events', async (request) => {
      const { organization_id: organizationId, count, data } = request.body;
      await app.kernel.database.transaction(async (tx) => {
        for (let i = 0; i < count; i++) await emitEvent(tx, { organizationId, type: 'bench.event', data: { ...data, i } });
      });
      return { emitted: count };
    });
    // Seeds invoices for the caller's organization and one of its clients (bench/seed.ts).
    app.post<{ Body: { organization_id: string; client_id: string; count: number } }>('/bench/invoices', async (request) =>
      seedInvoices(app.kernel.database, request.body.organization_id, request.body.client_id, request.body.count),
    );
  }),
};

/** Migrates, creates and seeds the widgets table; answers what BENCH_INFO reports. */
async function prepare(database: Database) {
  await database.migrate();
  await ensureWidgetsTable(database);
  let seeded: { rows: number; ms: number } | null = null;
  const seedRows = process.env.BENCH_SEED_ROWS ? Number(process.env.BENCH_SEED_ROWS) : 0;
  if (seedRows > 0) seeded = await seedWidgets(database, seedRows);
  const [version] = await database.query<{ version: string }>('SELECT version() AS version');
  return { kind: database.kind, dbVersion: version?.version ?? 'unknown', seeded, pid: process.pid };
}

function announce(info: Awaited<ReturnType<typeof prepare>>, port: number) {
  process.stdout.write(`BENCH_INFO ${JSON.stringify(info)}\n`);
  process.stdout.write(`READY ${port}\n`);
}

async function supervise(config: Config) {
  const database = await openConfiguredDatabase(config, { poolMax: 1 });
  const info = await prepare(database).finally(() => database.close());
  const supervisor = superviseWorkers({ workers: config.workers, shutdownTimeoutMs: 5_000, log: pino(loggerOptions(config.logLevel)) });
  supervisor.listening.then((port) => announce(info, port), () => {});
  process.exit(await supervisor.stopped);
}

async function serve(config: Config) {
  const database = await openConfiguredDatabase(config);
  const info = cluster.isWorker ? undefined : await prepare(database);
  const app = await buildApp({ config, database, modules: [identityModule, billingModule, analyticsModule, widgetsModule, benchModule] });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // On stderr, so that a stop the bench did not ask for shows up in its output.
    console.error(`bench server pid ${process.pid}: ${signal}, shutting down`);
    const force = setTimeout(() => process.exit(1), 5_000);
    force.unref();
    await app.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await app.listen({ port: config.port, host: '127.0.0.1' });
  const address = app.server.address();
  if (info) announce(info, typeof address === 'object' && address ? address.port : config.port);
}

async function main() {
  const config = loadConfigOrExit();
  if (config.workers > 1 && cluster.isPrimary) await supervise(config);
  else await serve(config);
}

main().catch((error) => {
  console.error('bench server failed to start:', error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
