import { createReadStream, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { backupKeyringOf } from '../kernel/backups/index';
import { keyIdOf } from '../kernel/backups/keys';
import { loadBackup, verifyBackup } from '../kernel/backups/load';
import { BackupRefused } from '../kernel/backups/manifest';
import { BackupUnreadable } from '../kernel/backups/sealed-stream';
import { readMigrations } from '../kernel/db/migrations';
import { storageFor } from '../kernel/files/index';
import { loadConfigOrExit, openConfiguredDatabase } from './boot';

const USAGE = 'Usage: npm run restore -- FILE [--key-file KEY_FILE]';

/**
 * `npm run restore -- FILE`: restores a backup file into the configured database, which must be
 * empty (a new DATA_DIR, or a new PostgreSQL database), and its files into the configured
 * storage. Stop the server first. The file is checked whole before anything is written.
 */
async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { 'key-file': { type: 'string' } } });
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const [file, ...extra] = parsed.positionals;
  if (!file || extra.length) {
    console.error(USAGE);
    return 2;
  }
  const config = loadConfigOrExit();
  const keyring = backupKeyringOf(config);
  const extraKey = parsed.values['key-file'] ? Buffer.from(readFileSync(parsed.values['key-file'], 'utf8').trim(), 'base64') : undefined;
  const keyFor = (id: string) => (extraKey && keyIdOf(extraKey) === id ? extraKey : keyring.find(id));
  const open = async () => createReadStream(file);
  const migrations = readMigrations();

  console.log(`Checking ${file} …`);
  const manifest = await verifyBackup(open, keyFor, migrations);
  const rows = manifest.tables.reduce((sum, table) => sum + table.rows, 0);
  console.log(`Backup of ${manifest.created_at} (Deskbase ${manifest.app_version}, ${manifest.database} database): ${rows} rows in ${manifest.tables.length} tables, ${manifest.files.length} files; intact.`);

  const database = await openConfiguredDatabase(config, { poolMax: 1, statementTimeoutMs: 0 });
  const storage = await storageFor(config);
  try {
    let shown = -1;
    const loaded = await loadBackup({ database, storage, migrations }, open, keyFor, manifest, {
      requireEmpty: true,
      progress: (percent, step) => {
        if (percent - shown >= 10) console.log(`${String(percent).padStart(3)}% ${step}`);
        shown = percent - shown >= 10 ? percent : shown;
      },
    });
    console.log(`Restored ${loaded.rows} rows in ${loaded.tables} tables and ${loaded.files} files into the ${database.kind === 'embedded' ? `embedded database in ${config.dataDir}` : 'PostgreSQL database'}.`);
    console.log('Start the server with the same SECRET_KEY (or DATA_DIR/secret.key) as the backed-up one: webhook signing secrets are stored sealed with it.');
    return 0;
  } finally {
    storage.close?.();
    await database.close();
  }
}

try {
  process.exitCode = await main();
} catch (error) {
  // Our refusals say what is wrong; anything else is shown as its message alone.
  const known = error instanceof BackupUnreadable || error instanceof BackupRefused;
  console.error(`Restore failed: ${(error as Error).message}${known ? '' : ' (nothing was changed)'}`);
  process.exitCode = 1;
}
