import { createHash } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app';
import { bearer, filesTestModule, listen, request, storedFiles } from './support';

const MiB = 1024 * 1024;
const SIZE = 50 * MiB;
const CHUNK = 64 * 1024;
/**
 * The process's resident memory may grow by less than the file: holding it would add all of it.
 * The bound is no tighter because RSS also moves with the allocator and the JIT (a CI run on a
 * loaded machine saw 41 MiB while buffers stayed under 16); the buffer bound is the close one.
 */
const RSS_BOUND_MIB = SIZE / MiB;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  app = await createTestApp({ modules: [filesTestModule()], env: { FILE_MAX_BYTES: String(100 * MiB) } });
  base = await listen(app);
});
afterAll(() => app.close());

/** Generates a "PDF" of `size` bytes chunk by chunk, hashing it on the way: the test never holds it either. */
function generatedPdf(size: number) {
  const hash = createHash('sha256');
  let sent = 0;
  let counter = 0;
  async function* chunks() {
    while (sent < size) {
      const chunk = Buffer.alloc(Math.min(CHUNK, size - sent), counter++ % 251);
      if (sent === 0) chunk.write('%PDF-1.7\n');
      sent += chunk.length;
      hash.update(chunk);
      yield chunk;
    }
  }
  return { chunks, sha256: () => hash.digest('hex') };
}

/**
 * POSTs a multipart/form-data body streamed by hand through node:http, which honours backpressure
 * (fetch reads a streamed body as fast as it can, holding what the server has not taken yet).
 */
function uploadStream(filename: string, content: AsyncIterable<Buffer>): Promise<{ status: number; body: any }> {
  const boundary = `----deskbase${Date.now()}`;
  async function* body() {
    yield Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/pdf\r\n\r\n`);
    yield* content;
    yield Buffer.from(`\r\n--${boundary}--\r\n`);
  }
  return new Promise((resolve, reject) => {
    const outgoing = http.request(`${base}/api/v1/files`, {
      method: 'POST',
      headers: { ...bearer('alice'), 'content-type': `multipart/form-data; boundary=${boundary}` },
    });
    outgoing.on('response', async (response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk);
      resolve({ status: response.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) });
    });
    outgoing.on('error', reject);
    pipeline(Readable.from(body()), outgoing).catch(reject);
  });
}

// Collections before each sample, so that what is measured is memory in use, not garbage: 64 KB
// chunks are allocated all the time, V8 lets tens of MB of them wait for a GC, and frees their
// bytes on a background thread afterwards (the second collection waits for that).
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const collectGarbage = () => {
  gc();
  gc();
};

/** Runs work while sampling the process's memory; returns its growth over the starting point, in MiB. */
async function memoryGrowth<T>(work: () => Promise<T>) {
  collectGarbage();
  const start = process.memoryUsage();
  let rss = 0;
  let arrayBuffers = 0;
  const sample = () => {
    collectGarbage();
    const now = process.memoryUsage();
    rss = Math.max(rss, now.rss - start.rss);
    arrayBuffers = Math.max(arrayBuffers, now.arrayBuffers - start.arrayBuffers);
  };
  // Not too often: each sample is a full collection.
  const timer = setInterval(sample, 200);
  try {
    const result = await work();
    sample();
    return { result, rssMiB: rss / MiB, arrayBuffersMiB: arrayBuffers / MiB };
  } finally {
    clearInterval(timer);
  }
}

describe('a 50 MB upload with a 100 MB limit', { timeout: 120_000 }, () => {
  let file: { id: string; size: number; sha256: string };
  let expectedSha256: string;

  it('is streamed to disk: memory grows by a fraction of the file size', async () => {
    const content = generatedPdf(SIZE);
    const upload = await memoryGrowth(() => uploadStream('big.pdf', content.chunks()));
    expect(upload.result.status).toBe(201);
    file = upload.result.body;
    expectedSha256 = content.sha256();
    expect(file).toMatchObject({ size: SIZE, content_type: 'application/pdf', sha256: expectedSha256 });
    // Holding the file would add at least 50 MB of buffers; streaming holds a few chunks at a time.
    expect(upload.arrayBuffersMiB).toBeLessThan(16);
    expect(upload.rssMiB).toBeLessThan(RSS_BOUND_MIB);
  });

  it('is streamed back the same way, byte for byte', async () => {
    const download = await memoryGrowth(async () => {
      const response = await request(`${base}/api/v1/files/${file.id}`, { headers: bearer('alice') });
      expect(response.headers.get('content-length')).toBe(String(SIZE));
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of response.body!) {
        hash.update(chunk);
        size += chunk.length;
      }
      return { size, sha256: hash.digest('hex') };
    });
    expect(download.result).toEqual({ size: SIZE, sha256: expectedSha256 });
    expect(download.arrayBuffersMiB).toBeLessThan(16);
    expect(download.rssMiB).toBeLessThan(RSS_BOUND_MIB);
  });

  it('leaves no bytes behind once deleted', async () => {
    expect((await request(`${base}/api/v1/files/${file.id}`, { method: 'DELETE', headers: bearer('alice') })).status).toBe(204);
    expect(storedFiles(app)).toEqual([]);
  });
});
