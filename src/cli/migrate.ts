import { loadConfigOrExit, openConfiguredDatabase } from './boot';

/** `npm run migrate`: applies pending migrations (the server also does this at start). */
const config = loadConfigOrExit();
try {
  const database = await openConfiguredDatabase(config, { poolMax: 1, statementTimeoutMs: 0 });
  try {
    const applied = await database.migrate();
    console.log(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
  } finally {
    await database.close();
  }
} catch (error) {
  console.error(`Migration failed: ${(error as Error).message}`);
  process.exit(1);
}
