import cluster from 'node:cluster';
import { pino } from 'pino';
import { buildApp } from './app';
import { loadConfigOrExit, openConfiguredDatabase } from './cli/boot';
import { superviseWorkers } from './cli/cluster';
import type { Config } from './config';
import { loggerOptions } from './kernel/observability/logger';

async function main() {
  const config = loadConfigOrExit();
  if (config.workers > 1 && cluster.isPrimary) return supervise(config);
  await serve(config);
}

/** WEB_CONCURRENCY above 1: migrate once here, then fork the workers that serve (src/cli/cluster.ts). */
async function supervise(config: Config) {
  const log = pino(loggerOptions(config.logLevel));
  const database = await openConfiguredDatabase(config, { poolMax: 1 });
  const applied = await database.migrate().finally(() => database.close());
  if (applied.length > 0) log.info({ migrations: applied }, 'database migrated');
  const supervisor = superviseWorkers({ workers: config.workers, shutdownTimeoutMs: config.shutdownTimeoutMs, log });
  supervisor.listening.then(
    () => log.info({ url: config.publicUrl, workers: config.workers }, `Deskbase is up: ${config.publicUrl} with ${config.workers} workers`),
    () => {},
  );
  const code = await supervisor.stopped;
  log.info({ code }, code === 0 ? 'shut down cleanly' : 'shut down after a failure');
  process.exit(code);
}

/** One server process: the whole server alone, or one worker of several. */
async function serve(config: Config) {
  const database = await openConfiguredDatabase(config);
  const applied = await database.migrate();
  const app = await buildApp({ config, database });
  if (applied.length > 0) app.log.info({ migrations: applied }, 'database migrated');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'shutting down: draining in-flight requests');
    const force = setTimeout(() => {
      app.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    await app.close();
    app.log.info('shut down cleanly');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
  if (cluster.isWorker) return;
  app.log.info(
    { url: config.publicUrl, database: database.kind === 'embedded' ? `embedded (${config.dataDir})` : 'postgres' },
    `Deskbase is up: ${config.publicUrl} (API reference at ${config.publicUrl}/docs)`,
  );
}

main().catch((error) => {
  console.error('Deskbase failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
