import { ConfigError, loadConfig, type Config } from '../config';
import { openDatabase, type Database } from '../kernel/db/database';

/** The configuration, or an exit with one line per bad setting (the only sensible start-up failure). */
export function loadConfigOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

/** The database the configuration names; overrides let a one-shot command use a smaller pool. */
export function openConfiguredDatabase(config: Config, overrides: { poolMax?: number; statementTimeoutMs?: number } = {}): Promise<Database> {
  return openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.dataDir,
    poolMax: overrides.poolMax ?? config.dbPoolMax,
    statementTimeoutMs: overrides.statementTimeoutMs ?? config.dbStatementTimeoutMs,
    // The pool replaces a lost connection by itself; say so without the URL (it may hold a password).
    onPoolError: (error) => console.error(JSON.stringify({ level: 'warn', msg: 'database connection lost', reason: error.message })),
  });
}
