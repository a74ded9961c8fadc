import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app';
import { bearer, filesTestModule, listen, request, storedFiles, upload, type TestResponse } from './support';

let app: FastifyInstance;
let base: string;
// 10,000 bytes of a "PDF": its signature, then every byte value over and over.
const CONTENT = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.from(Array.from({ length: 10_000 - 9 }, (_, i) => i % 256))]);
const TEXT = 'ligne,montant\n'.repeat(200);
let pdf: { id: string; sha256: string };
let text: { id: string };

const get = (path: string, headers: Record<string, string> = {}, token: 'alice' | 'bob' | 'reader' = 'alice') =>
  request(`${base}/api/v1${path}`, { headers: { ...bearer(token), ...headers } });
const bytesOf = async (response: TestResponse) => Buffer.from(await response.arrayBuffer());

beforeAll(async () => {
  app = await createTestApp({ modules: [filesTestModule()] });
  base = await listen(app);
  pdf = await (await upload(base, 'alice', 'report.pdf', CONTENT)).json();
  text = await (await upload(base, 'alice', 'ledger.csv', TEXT)).json();
});
afterAll(() => app.close());

describe('download', () => {
  it('streams the whole file with its type, length, checksum ETag and name', async () => {
    const response = await get(`/files/${pdf.id}`);
    expect(response.status).toBe(200);
    expect(Object.fromEntries(['content-type', 'content-length', 'etag', 'accept-ranges', 'content-disposition', 'cache-control'].map((h) => [h, response.headers.get(h)]))).toEqual({
      'content-type': 'application/pdf',
      'content-length': '10000',
      etag: `"${createHash('sha256').update(CONTENT).digest('hex')}"`,
      'accept-ranges': 'bytes',
      'content-disposition': 'attachment; filename="report.pdf"',
      'cache-control': 'private, no-cache',
    });
    expect((await bytesOf(response)).equals(CONTENT)).toBe(true);
  });

  it('serves text with its charset, uncompressed even when the client accepts brotli', async () => {
    const response = await get(`/files/${text.id}`, { 'accept-encoding': 'br, gzip' });
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(await response.text()).toBe(TEXT);
  });

  it.each([
    ['the first bytes', 'bytes=0-9', 0, 9],
    ['a middle slice', 'bytes=4000-4999', 4000, 4999],
    ['the last 100 bytes (suffix)', 'bytes=-100', 9900, 9999],
    ['everything from an offset (open-ended)', 'bytes=9990-', 9990, 9999],
    ['a range running past the end, cut at the end', 'bytes=9995-20000', 9995, 9999],
  ])('answers 206 with %s', async (_name, range, start, end) => {
    const response = await get(`/files/${pdf.id}`, { range });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/10000`);
    expect(response.headers.get('content-length')).toBe(String(end - start + 1));
    expect((await bytesOf(response)).equals(CONTENT.subarray(start, end + 1))).toBe(true);
  });

  it('answers 416 with the size for a range past the end', async () => {
    const response = await get(`/files/${pdf.id}`, { range: 'bytes=10000-' });
    expect(response.status).toBe(416);
    expect(response.headers.get('content-range')).toBe('bytes */10000');
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.headers.get('content-disposition')).toBeNull();
    expect(await response.json()).toMatchObject({ code: 'RANGE_NOT_SATISFIABLE', detail: 'The requested range lies outside the file (10000 bytes).' });
  });

  it('serves the whole file for several ranges, or an If-Range that no longer matches', async () => {
    for (const headers of [{ range: 'bytes=0-1,5-6' }, { range: 'bytes=0-1', 'if-range': '"stale"' }] as Record<string, string>[]) {
      const response = await get(`/files/${pdf.id}`, headers);
      expect(response.status).toBe(200);
      expect((await bytesOf(response)).length).toBe(10_000);
    }
    expect((await get(`/files/${pdf.id}`, { range: 'bytes=0-1', 'if-range': `"${pdf.sha256}"` })).status).toBe(206);
  });

  it('answers 304 when If-None-Match names the ETag', async () => {
    for (const tag of [`"${pdf.sha256}"`, `W/"${pdf.sha256}"`, `"other", "${pdf.sha256}"`]) {
      const response = await get(`/files/${pdf.id}`, { 'if-none-match': tag });
      expect(response.status).toBe(304);
      expect(await response.text()).toBe('');
    }
    expect((await get(`/files/${pdf.id}`, { 'if-none-match': '"other"' })).status).toBe(200);
  });

  it('answers HEAD with the headers alone', async () => {
    const response = await request(`${base}/api/v1/files/${pdf.id}`, { method: 'HEAD', headers: bearer('alice') });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-length')).toBe('10000');
    expect(response.headers.get('etag')).toBe(`"${pdf.sha256}"`);
    expect(await response.text()).toBe('');
  });
});

describe('Content-Disposition', () => {
  it('gives a non-ASCII name as filename* with an ASCII fallback', async () => {
    const name = 'របាយការណ៍ ឆ្នាំ ២០២៤.pdf';
    const file = await (await upload(base, 'alice', name, CONTENT)).json();
    expect(file.filename).toBe(name);
    const header = (await get(`/files/${file.id}`)).headers.get('content-disposition')!;
    expect(header).toMatch(/^attachment; filename="[\x20-\x7e]+"; filename\*=UTF-8''[\x21-\x7e]+$/);
    expect(decodeURIComponent(header.split("filename*=UTF-8''")[1]!)).toBe(name);
  });

  it('never lets a quote in the name end the header value', async () => {
    // Built by hand: FormData would percent-encode the quotes before they reached the server.
    const boundary = 'deskbase-boundary';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="say \\"hi\\"; x=1.pdf"\r\nContent-Type: application/pdf\r\n\r\n${CONTENT.toString('latin1')}\r\n--${boundary}--\r\n`;
    const response = await request(`${base}/api/v1/files`, {
      method: 'POST',
      headers: { ...bearer('alice'), 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: Buffer.from(body, 'latin1'),
    });
    expect(response.status).toBe(201);
    const file = await response.json();
    expect(file.filename).toBe('say "hi"; x=1.pdf');
    const header = (await get(`/files/${file.id}`)).headers.get('content-disposition');
    expect(header).toBe(`attachment; filename="say _hi_; x=1.pdf"; filename*=UTF-8''say%20%22hi%22%3B%20x%3D1.pdf`);
  });
});

describe('organizations and permissions', () => {
  it('answers 404 to another organization, as for a file that does not exist', async () => {
    for (const path of [`/files/${pdf.id}`, `/files/${pdf.id}/metadata`, '/files/fil_01jd6v0v3kf8r9q7w2e5t4y6u8', '/files/not-an-id']) {
      const response = await get(path, {}, 'bob');
      expect(response.status, path).toBe(404);
      expect((await response.json()).code).toBe('FILE_NOT_FOUND');
    }
    const deleted = await request(`${base}/api/v1/files/${pdf.id}`, { method: 'DELETE', headers: bearer('bob') });
    expect(deleted.status).toBe(404);
    expect((await get(`/files/${pdf.id}`)).status).toBe(200);
  });

  it('answers 401 without credentials', async () => {
    for (const path of [`/files/${pdf.id}`, `/files/${pdf.id}/metadata`, '/files']) {
      expect((await request(`${base}/api/v1${path}`)).status).toBe(401);
    }
  });

  it('lists only the organization’s files, newest first, page by page', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/files?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: { items: { id: string }[]; next_cursor: string | null } = await (await get(query)).json();
      seen.push(...page.items.map((f) => f.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toHaveLength(4);
    expect(seen.slice(-2)).toEqual([text.id, pdf.id]);
    expect((await (await get('/files?content_type=text/csv')).json()).items.map((f: { id: string }) => f.id)).toEqual([text.id]);
    expect((await (await get('/files', {}, 'bob')).json()).items).toEqual([]);
  });

  it('gives the metadata with a version ETag', async () => {
    const response = await get(`/files/${pdf.id}/metadata`);
    expect(response.headers.get('etag')).toBe('"v1"');
    expect(await response.json()).toMatchObject({ id: pdf.id, filename: 'report.pdf', size: 10_000, sha256: pdf.sha256 });
    expect((await get(`/files/${pdf.id}/metadata`, { 'if-none-match': '"v1"' })).status).toBe(304);
  });
});

describe('delete', () => {
  it('needs file:delete, then removes the row and the bytes', async () => {
    const file = await (await upload(base, 'alice', 'temp.pdf', CONTENT)).json();
    const remove = (token: 'alice' | 'reader') => request(`${base}/api/v1/files/${file.id}`, { method: 'DELETE', headers: bearer(token) });
    expect((await remove('reader')).status).toBe(403);
    expect(storedFiles(app).some((f) => f.endsWith(file.id))).toBe(true);

    expect((await remove('alice')).status).toBe(204);
    expect(storedFiles(app).some((f) => f.endsWith(file.id))).toBe(false);
    expect((await get(`/files/${file.id}`)).status).toBe(404);
    expect((await remove('alice')).status).toBe(404);
    const audit = await app.kernel.database.query<{ action: string }>('SELECT action FROM audit_logs WHERE resource_id = $1 ORDER BY created_at, id', [file.id]);
    expect(audit.map((a) => a.action)).toEqual(['file.uploaded', 'file.deleted']);
  });
});
