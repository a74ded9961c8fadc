import { buildApp } from './app';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './kernel/db/database';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: config.dbPoolMax,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    onPoolError: (error) => console.error(JSON.stringify({ level: 'warn', msg: 'database connection lost', reason: error.message })),
  });
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
  app.log.info(
    { url: config.publicUrl, database: database.kind === 'embedded' ? `embedded (${config.dataDir})` : 'postgres' },
    `Deskbase is up: ${config.publicUrl} (API reference at ${config.publicUrl}/docs)`,
  );
}

main().catch((error) => {
  console.error('Deskbase failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
