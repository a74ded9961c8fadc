import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rm, rename, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StoredObjectMissing, type ByteRange, type FileStorage } from './storage';

// Letters, digits and underscores between single slashes: no `..`, no absolute path, no empty segment.
const KEY = /^\w+(?:\/\w+)*$/;
const TEMP_DIR = '.partial';

/**
 * Files on the local disk under `root` (DATA_DIR/files): directories 0700, files 0600. A file is
 * written to `root/.partial/` first and renamed into place once complete (same file system, so
 * the rename is atomic): a reader never sees half a file, and a failed upload leaves nothing.
 */
export class LocalDiskStorage implements FileStorage {
  readonly kind = 'local' as const;

  constructor(readonly root: string) {}

  private pathOf(key: string): string {
    if (!KEY.test(key)) throw new Error(`Invalid storage key ${JSON.stringify(key)}`);
    return path.join(this.root, ...key.split('/'));
  }

  async write(key: string, body: Readable): Promise<void> {
    const target = this.pathOf(key);
    const tempDir = path.join(this.root, TEMP_DIR);
    await mkdir(tempDir, { recursive: true, mode: 0o700 });
    const temp = path.join(tempDir, randomBytes(12).toString('hex'));
    try {
      // flush: fsync before close, so what is renamed into place is on disk.
      await pipeline(body, createWriteStream(temp, { flags: 'wx', mode: 0o600, flush: true }));
      await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async read(key: string, range?: ByteRange): Promise<Readable> {
    // Opened before any header is sent, so a missing file is a clean error rather than a cut response.
    const handle = await open(this.pathOf(key), 'r').catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'ENOENT' ? new StoredObjectMissing(key) : error;
    });
    return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  /** Deletes partial files a crash left behind; only old ones, so uploads in progress are spared. */
  async removeAbandonedUploads(olderThan: Date): Promise<number> {
    const tempDir = path.join(this.root, TEMP_DIR);
    const names = await readdir(tempDir).catch(() => [] as string[]);
    let removed = 0;
    for (const name of names) {
      const file = path.join(tempDir, name);
      const stats = await stat(file).catch(() => undefined);
      if (stats && stats.mtime < olderThan) {
        await rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }
}
