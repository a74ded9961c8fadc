import { ConfigError, loadConfig } from '../config';
import { openDatabase } from '../kernel/db/database';

/** `npm run migrate`: applies pending migrations (the server also does this at start). */
try {
  const config = loadConfig();
  const database = await openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: 1,
    statementTimeoutMs: 0,
  });
  try {
    const applied = await database.migrate();
    console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
  } finally {
    await database.close();
  }
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `Migration failed: ${(error as Error).message}`);
  process.exit(1);
}
