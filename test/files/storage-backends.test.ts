import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { StoredObjectMissing, type FileStorage } from '../../src/kernel/files/storage';
import { LocalDiskStorage } from '../../src/kernel/files/storage-local';
import { S3Storage } from '../../src/kernel/files/storage-s3';
import { startS3Server } from './s3-server';

const MiB = 1024 * 1024;

interface Backend {
  storage: FileStorage;
  /** Everything the backend holds, in-progress uploads included where it can tell. */
  keys(): Promise<string[]>;
  close(): Promise<void>;
}

async function localBackend(): Promise<Backend> {
  const root = mkdtempSync(path.join(tmpdir(), 'deskbase-files-'));
  return {
    storage: new LocalDiskStorage(root),
    keys: async () =>
      readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
        .sort(),
    close: async () => rmSync(root, { recursive: true, force: true }),
  };
}

async function s3Backend(): Promise<Backend> {
  const server = await startS3Server();
  // Configured exactly as an operator would, through the environment.
  const storage = new S3Storage(loadConfig(server.env).files.s3!, 16 * MiB);
  return {
    storage,
    keys: () => server.keys(),
    close: async () => {
      storage.close?.();
      await server.close();
    },
  };
}

/** `size` bytes in 64 KB chunks; with failAfter, the stream fails once that many bytes have gone. */
function content(size: number, failAfter?: number) {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) bytes.writeUInt32LE(i, i);
  async function* chunks() {
    for (let offset = 0; offset < size; offset += 64 * 1024) {
      if (failAfter !== undefined && offset >= failAfter) throw new Error('the client went away');
      yield bytes.subarray(offset, offset + 64 * 1024);
    }
  }
  return { bytes, stream: () => Readable.from(chunks(), { objectMode: false }) };
}

const read = async (stream: Readable) => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

// One set of cases, run against each backend.
describe.each([
  ['local disk', localBackend],
  ['S3 (s3rver over HTTP)', s3Backend],
] as const)('%s storage', (_name, open) => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await open();
  });
  afterAll(() => backend.close());

  it('stores a stream and reads it back whole, or one range of it', async () => {
    const { bytes, stream } = content(300 * 1024);
    await backend.storage.write('org_t/ab/fil_small', stream(), 'application/pdf');
    expect((await read(await backend.storage.read('org_t/ab/fil_small'))).equals(bytes)).toBe(true);
    expect((await read(await backend.storage.read('org_t/ab/fil_small', { start: 1000, end: 1999 }))).equals(bytes.subarray(1000, 2000))).toBe(true);
    expect(await backend.keys()).toEqual(['org_t/ab/fil_small']);
  });

  it('stores a file larger than one part (12 MiB: three multipart parts on S3)', async () => {
    const { bytes, stream } = content(12 * MiB);
    await backend.storage.write('org_t/cd/fil_large', stream(), 'application/octet-stream');
    const back = await read(await backend.storage.read('org_t/cd/fil_large'));
    expect(back.length).toBe(bytes.length);
    expect(back.equals(bytes)).toBe(true);
    const tail = await read(await backend.storage.read('org_t/cd/fil_large', { start: 12 * MiB - 10, end: 12 * MiB - 1 }));
    expect(tail.equals(bytes.subarray(-10))).toBe(true);
  });

  it('keeps nothing of a stream that fails midway, and reports the stream’s own error', async () => {
    const before = await backend.keys();
    for (const failAfter of [100 * 1024, 6 * MiB]) {
      const { stream } = content(12 * MiB, failAfter);
      await expect(backend.storage.write('org_t/ef/fil_broken', stream(), 'application/pdf')).rejects.toThrow('the client went away');
    }
    expect(await backend.keys()).toEqual(before);
    await expect(backend.storage.read('org_t/ef/fil_broken')).rejects.toBeInstanceOf(StoredObjectMissing);
  });

  it('removes an object, and removing a missing one is no error', async () => {
    await backend.storage.remove('org_t/ab/fil_small');
    await expect(backend.storage.read('org_t/ab/fil_small')).rejects.toBeInstanceOf(StoredObjectMissing);
    await backend.storage.remove('org_t/ab/fil_small');
    await backend.storage.remove('org_t/cd/fil_large');
    expect(await backend.keys()).toEqual([]);
  });
});

describe('local disk', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'deskbase-files-'));
  const storage = new LocalDiskStorage(root);
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it.each(['../outside', '/etc/passwd', 'org_t//x', 'org_t/./x', 'org_t/x.pdf', ''])('refuses the key %j', async (key) => {
    await expect(storage.read(key)).rejects.toThrow('Invalid storage key');
    await expect(storage.write(key, Readable.from([Buffer.from('x')]))).rejects.toThrow('Invalid storage key');
  });

  it('removes partial files a crash left behind, but not uploads in progress', async () => {
    const partial = path.join(root, '.partial');
    mkdirSync(partial, { recursive: true });
    writeFileSync(path.join(partial, 'abandoned'), 'x');
    writeFileSync(path.join(partial, 'in-progress'), 'x');
    const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
    utimesSync(path.join(partial, 'abandoned'), twoDaysAgo, twoDaysAgo);
    expect(await storage.removeAbandonedUploads(new Date(Date.now() - 86_400_000))).toBe(1);
    expect(readdirSync(partial)).toEqual(['in-progress']);
  });
});
