import { buildApp } from './app';
import { loadConfigOrExit, openConfiguredDatabase } from './cli/boot';

async function main() {
  const config = loadConfigOrExit();
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
  app.log.info(
    { url: config.publicUrl, database: database.kind === 'embedded' ? `embedded (${config.dataDir})` : 'postgres' },
    `Deskbase is up: ${config.publicUrl} (API reference at ${config.publicUrl}/docs)`,
  );
}

main().catch((error) => {
  console.error('Deskbase failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
