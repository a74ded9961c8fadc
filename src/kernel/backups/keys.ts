import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface BackupKey {
  id: string;
  key: Buffer;
}

/** A key's public name: 16 hex digits of an HMAC under it, which tells keys apart and reveals nothing. */
export const keyIdOf = (key: Buffer) => createHmac('sha256', key).update('deskbase backup key id').digest('hex').slice(0, 16);

const named = (key: Buffer): BackupKey => ({ id: keyIdOf(key), key });

/** Thrown when a rotation is asked of a key the operator set (they rotate it in the environment). */
export class KeyFromEnvironment extends Error {}

/**
 * The keys backups are sealed with. The current key is BACKUP_ENCRYPTION_KEY, or one generated
 * once into DATA_DIR/backup.key (0600). Earlier keys stay usable for reading: those named in
 * BACKUP_PREVIOUS_KEYS and the generated keys a rotation retired into DATA_DIR/backup-keys/.
 * Files are read on every use, so a rotation by one process is seen by every process on the machine.
 */
export class BackupKeyring {
  private readonly currentFile: string;
  private readonly retiredDir: string;

  constructor(
    private readonly options: { dataDir: string; encryptionKey: Buffer | undefined; previousKeys: Buffer[] },
  ) {
    this.currentFile = path.join(options.dataDir, 'backup.key');
    this.retiredDir = path.join(options.dataDir, 'backup-keys');
  }

  get source(): 'environment' | 'generated' {
    return this.options.encryptionKey ? 'environment' : 'generated';
  }

  /** The key new backups are sealed with (generated on first use when none is configured). */
  current(): BackupKey {
    if (this.options.encryptionKey) return named(this.options.encryptionKey);
    const existing = this.readKey(this.currentFile);
    if (existing) return named(existing);
    mkdirSync(this.options.dataDir, { recursive: true });
    try {
      writeFileSync(this.currentFile, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it meanwhile: theirs is the key.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    return named(this.readKey(this.currentFile)!);
  }

  /** Every key that may open a backup: the current one first. */
  all(): BackupKey[] {
    const keys = [this.current(), ...this.options.previousKeys.map(named)];
    const retired = (existsSync(this.retiredDir) ? readdirSync(this.retiredDir, { withFileTypes: true }) : []).filter((entry) => entry.isFile() && entry.name.endsWith('.key'));
    for (const entry of retired) {
      const key = this.readKey(path.join(this.retiredDir, entry.name));
      if (key) keys.push(named(key));
    }
    return keys;
  }

  find(id: string): Buffer | undefined {
    return this.all().find((key) => key.id === id)?.key;
  }

  /** Retires the generated key (kept for reading) and generates the next one. */
  rotate(): { current: BackupKey; retired: BackupKey } {
    if (this.options.encryptionKey) throw new KeyFromEnvironment('The backup key comes from BACKUP_ENCRYPTION_KEY');
    const retired = this.current();
    mkdirSync(this.retiredDir, { recursive: true, mode: 0o700 });
    writeFileSync(path.join(this.retiredDir, `${retired.id}.key`), retired.key.toString('base64') + '\n', { mode: 0o600 });
    const next = path.join(this.options.dataDir, `backup.key.${randomBytes(6).toString('hex')}`);
    writeFileSync(next, randomBytes(32).toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    renameSync(next, this.currentFile);
    return { current: this.current(), retired };
  }

  private readKey(file: string): Buffer | undefined {
    try {
      const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
      if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
      return key;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
