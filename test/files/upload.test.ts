import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app';
import { bearer, EXE, fileRows, filesTestModule, listen, PDF, PNG, request, storedFiles, upload, type TestResponse } from './support';

const LIMIT = 1024 * 1024;
let app: FastifyInstance;
let base: string;

beforeAll(async () => {
  app = await createTestApp({ modules: [filesTestModule()], env: { FILE_MAX_BYTES: String(LIMIT) } });
  base = await listen(app);
});
afterAll(() => app.close());

const sha256 = (data: Uint8Array | string) => createHash('sha256').update(data).digest('hex');

/** Runs an upload that must be refused, and checks that it left no row and no byte behind. */
async function refused(send: () => Promise<TestResponse>) {
  const [filesBefore, rowsBefore] = [storedFiles(app), await fileRows(app)];
  const response = await send();
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(storedFiles(app)).toEqual(filesBefore);
  expect(await fileRows(app)).toEqual(rowsBefore);
  return { status: response.status, body: await response.json() };
}

describe('upload', () => {
  it('stores the file and answers 201 with its metadata, checksum and Location', async () => {
    const response = await upload(base, 'alice', 'contract.pdf', PDF);
    expect(response.status).toBe(201);
    const file = await response.json();
    expect(file).toEqual({
      id: expect.stringMatching(/^fil_[0-9a-z]{26}$/),
      filename: 'contract.pdf',
      content_type: 'application/pdf',
      size: PDF.length,
      sha256: sha256(PDF),
      created_by: 'usr_alice',
      version: 1,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updated_at: file.created_at,
    });
    expect(response.headers.get('location')).toBe(`/api/v1/files/${file.id}`);
    // Id-addressed under the organization, private to the server's user.
    const stored = storedFiles(app).find((f) => f.endsWith(file.id))!;
    expect(stored).toBe(`org_a/${file.id.slice(-2)}/${file.id}`);
    const root = path.join(app.kernel.config.dataDir, 'files');
    expect(statSync(path.join(root, stored)).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(root, 'org_a')).mode & 0o777).toBe(0o700);
    const [audit] = await app.kernel.database.query<{ action: string; actor_id: string; metadata: { sha256: string } }>('SELECT action, actor_id, metadata FROM audit_logs WHERE resource_id = $1', [file.id]);
    expect(audit).toMatchObject({ action: 'file.uploaded', actor_id: 'usr_alice', metadata: { sha256: sha256(PDF) } });
    const events = await app.kernel.database.query<{ type: string }>("SELECT type FROM outbox_events WHERE data->>'id' = $1", [file.id]);
    expect(events.map((e) => e.type)).toEqual(['file.created']);
  });

  it('takes the type from the content: a PNG named x.pdf is an image/png', async () => {
    const response = await upload(base, 'alice', 'x.pdf', PNG);
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ filename: 'x.pdf', content_type: 'image/png', sha256: sha256(PNG) });
  });

  it('refuses a type that is not allowed, whatever its name: an EXE renamed .pdf is 415 and nothing is stored', async () => {
    const { status, body } = await refused(() => upload(base, 'alice', 'invoice.pdf', EXE));
    expect(status).toBe(415);
    expect(body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE', detail: expect.stringContaining('application/x-msdownload') });
  });

  it('calls UTF-8 text text/plain, or text/csv when named .csv', async () => {
    const csv = 'name,amount\nសុខ,12.50\nAnn,3\n';
    const asCsv = await (await upload(base, 'alice', 'ledger.csv', csv)).json();
    expect(asCsv).toMatchObject({ content_type: 'text/csv', size: Buffer.byteLength(csv), sha256: sha256(csv) });
    expect((await (await upload(base, 'alice', 'ledger.txt', csv)).json()).content_type).toBe('text/plain');
  });

  it('refuses bytes that are neither a known format nor UTF-8 text', async () => {
    const { status } = await refused(() => upload(base, 'alice', 'notes.txt', Buffer.from([0xff, 0xfe, 0x41, 0x00, 0x42, 0x00])));
    expect(status).toBe(415);
  });

  it('checks the text rule over the whole file: a NUL after the first 64 KB is refused and the partial file removed', async () => {
    const content = Buffer.concat([Buffer.alloc(200 * 1024, 'a'), Buffer.from([0]), Buffer.from('tail')]);
    const { status, body } = await refused(() => upload(base, 'alice', 'big.txt', content));
    expect(status).toBe(415);
    expect(body.detail).toContain('not valid UTF-8 text');
  });

  it('accepts a file of exactly the limit', async () => {
    const response = await upload(base, 'alice', 'full.csv', Buffer.alloc(LIMIT, 'x'));
    expect(response.status).toBe(201);
    expect((await response.json()).size).toBe(LIMIT);
  });

  it.each([
    ['one byte over the limit', LIMIT + 1],
    ['twice the limit', 2 * LIMIT],
  ])('answers 413 %s, leaving no partial file and no row', async (_name, size) => {
    const { status, body } = await refused(() => upload(base, 'alice', 'huge.csv', Buffer.alloc(size, 'x')));
    expect(status).toBe(413);
    expect(body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', detail: `The file exceeds the limit of ${LIMIT} bytes.` });
  });

  it('refuses an empty file (422)', async () => {
    const { status, body } = await refused(() => upload(base, 'alice', 'empty.pdf', ''));
    expect(status).toBe(422);
    expect(body.code).toBe('FILE_EMPTY');
  });

  it('keeps only the last part of a path as the name, without control characters', async () => {
    for (const [given, kept] of [
      ['../../etc/passwd.csv', 'passwd.csv'],
      ['C:\\Users\\ann\\report.csv', 'report.csv'],
      ['report\u202Evsc.exe.csv', 'reportvsc.exe.csv'],
    ]) {
      expect((await (await upload(base, 'alice', given!, 'a,b\n')).json()).filename).toBe(kept);
    }
  });

  it('replays the first answer for a repeated Idempotency-Key instead of storing the file twice', async () => {
    const send = () => {
      const form = new FormData();
      form.append('file', new Blob([PDF]), 'once.pdf');
      return request(`${base}/api/v1/files`, { method: 'POST', headers: { ...bearer('alice'), 'idempotency-key': 'upload-once' }, body: form });
    };
    const first = await (await send()).json();
    const again = await send();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await again.json()).id).toBe(first.id);
    expect((await fileRows(app)).filter((id) => id === first.id)).toHaveLength(1);
  });
});

describe('malformed uploads', () => {
  it('answers 422 when there is no field named "file"', async () => {
    const { status, body } = await refused(() => upload(base, 'alice', 'a.pdf', PDF, 'document'));
    expect(status).toBe(422);
    expect(body.errors).toEqual([{ field: 'file', message: 'is required' }]);
  });

  it.each([
    ['JSON', { 'content-type': 'application/json' }, '{"file":"x"}'],
    ['plain text', { 'content-type': 'text/plain' }, 'hello'],
    ['no body at all', {}, undefined],
  ])('answers 415 to %s, pointing at multipart/form-data', async (_name, headers, body) => {
    const response = await refused(() => request(`${base}/api/v1/files`, { method: 'POST', headers: { ...bearer('alice'), ...headers }, body }));
    expect(response.status).toBe(415);
    expect(response.body.detail).toContain('multipart/form-data');
  });

  it('still accepts only JSON on the other routes', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/files/fil_01jd6v0v3kf8r9q7w2e5t4y6u8/links',
      headers: { ...bearer('alice'), 'content-type': 'multipart/form-data; boundary=x' },
      payload: '--x--',
    });
    expect(response.statusCode).toBe(415);
    expect(response.json().detail).toContain('send application/json');
  });
});

describe('access', () => {
  it('answers 401 without credentials and 403 without file:create', async () => {
    const anonymous = await refused(() => request(`${base}/api/v1/files`, { method: 'POST', body: new FormData() }));
    expect(anonymous.status).toBe(401);
    const reader = await refused(() => upload(base, 'reader', 'a.pdf', PDF));
    expect(reader).toMatchObject({ status: 403, body: { code: 'INSUFFICIENT_PERMISSIONS' } });
  });

  it('counts uploads by outcome in the metrics', async () => {
    const metrics = await (await request(`${base}/metrics`)).text();
    expect(metrics).toMatch(/file_uploads_total\{outcome="stored"\} \d+/);
    expect(metrics).toMatch(/file_uploads_total\{outcome="PAYLOAD_TOO_LARGE"\} 2/);
    expect(metrics).toMatch(/file_stored_bytes_total \d+/);
  });
});

describe('upload budget', () => {
  it('counts uploads per user under their own policy (429 past it)', async () => {
    const limited = await createTestApp({
      modules: [filesTestModule()],
      env: { RATE_LIMIT_ENABLED: 'true' },
      rateLimit: { keyPrefix: `files-${process.pid}-${Date.now()}`, policies: { upload: { limit: 2 } } },
    });
    try {
      const url = await listen(limited);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await upload(url, 'alice', 'a.pdf', PDF)).status);
      expect(statuses).toEqual([201, 201, 429]);
      // Other routes keep their own budget.
      expect((await request(`${url}/api/v1/files`, { headers: bearer('alice') })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});
