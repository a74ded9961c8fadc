import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app';
import { startS3Server } from './s3-server';
import { bearer, EXE, fileRows, filesTestModule, listen, request, storedFiles, upload } from './support';

const MiB = 1024 * 1024;
let s3: Awaited<ReturnType<typeof startS3Server>>;
let app: FastifyInstance;
let base: string;
// 12 MiB: stored through a three-part multipart upload.
const BIG = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(12 * MiB - 9, 7)]);

beforeAll(async () => {
  s3 = await startS3Server();
  app = await createTestApp({ modules: [filesTestModule()], env: { ...s3.env, FILE_MAX_BYTES: String(16 * MiB) } });
  base = await listen(app);
});
afterAll(async () => {
  await app.close();
  await s3.close();
});

describe('files on an S3-compatible store', () => {
  let file: { id: string; sha256: string };

  it('uploads into the bucket, not DATA_DIR', async () => {
    const response = await upload(base, 'alice', 'big.pdf', BIG);
    expect(response.status).toBe(201);
    file = await response.json();
    expect(file).toMatchObject({ content_type: 'application/pdf', size: BIG.length, sha256: createHash('sha256').update(BIG).digest('hex') });
    expect(await s3.keys()).toEqual([`org_a/${file.id.slice(-2)}/${file.id}`]);
    expect(storedFiles(app)).toEqual([]);
  });

  it('downloads it whole, by range, and through a signed link', async () => {
    const whole = await request(`${base}/api/v1/files/${file.id}`, { headers: bearer('alice') });
    expect(whole.headers.get('content-length')).toBe(String(BIG.length));
    expect(Buffer.from(await whole.arrayBuffer()).equals(BIG)).toBe(true);

    const range = await request(`${base}/api/v1/files/${file.id}`, { headers: { ...bearer('alice'), range: 'bytes=-9' } });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toBe(`bytes ${BIG.length - 9}-${BIG.length - 1}/${BIG.length}`);
    expect(Buffer.from(await range.arrayBuffer()).equals(BIG.subarray(-9))).toBe(true);

    const link = await (
      await request(`${base}/api/v1/files/${file.id}/links`, { method: 'POST', headers: { ...bearer('alice'), 'content-type': 'application/json' }, body: '{}' })
    ).json();
    const { pathname, search } = new URL(link.url);
    const shared = await request(`${base}${pathname}${search}`, { headers: { range: 'bytes=0-7' } });
    expect(await shared.text()).toBe('%PDF-1.7');
  });

  it('stores nothing for a refused upload', async () => {
    const [keys, rows] = [await s3.keys(), await fileRows(app)];
    expect((await upload(base, 'alice', 'too-big.pdf', Buffer.concat([BIG, Buffer.alloc(4 * MiB + 1)]))).status).toBe(413);
    expect((await upload(base, 'alice', 'setup.pdf', EXE)).status).toBe(415);
    expect(await s3.keys()).toEqual(keys);
    expect(await fileRows(app)).toEqual(rows);
  });

  it('deletes the object with the file', async () => {
    expect((await request(`${base}/api/v1/files/${file.id}`, { method: 'DELETE', headers: bearer('alice') })).status).toBe(204);
    expect(await s3.keys()).toEqual([]);
    expect((await request(`${base}/api/v1/files/${file.id}`, { headers: bearer('alice') })).status).toBe(404);
  });
});
