import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes an exclusive lock file holding our pid; a lock left by a dead process is taken over.
 * Returns the release function.
 */
export function acquireDirectoryLock(file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
        } catch {
          // already gone
        }
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(file, 'utf8'));
      if (owner && owner !== process.pid && isAlive(owner)) {
        throw new Error(
          `The embedded database in ${file.replace(/pgdata\.lock$/, '')} is in use by process ${owner}. ` +
            'Stop it first, or set DATABASE_URL to run several instances on PostgreSQL.',
        );
      }
      unlinkSync(file);
    }
  }
  throw new Error(`Could not lock ${file}`);
}
