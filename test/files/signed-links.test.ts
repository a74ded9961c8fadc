import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions } from '../../src/kernel/observability/logger';
import { createTestApp } from '../support/app';
import { bearer, filesTestModule, listen, PDF, request, upload } from './support';

let app: FastifyInstance;
let base: string;
let now = Date.parse('2026-03-01T10:00:00.000Z');
let fileId: string;

beforeAll(async () => {
  app = await createTestApp({ modules: [filesTestModule()], now: () => new Date(now), env: { FILE_LINK_MAX_SECONDS: '86400' } });
  base = await listen(app);
  fileId = (await (await upload(base, 'alice', 'contract.pdf', PDF)).json()).id;
});
afterAll(() => app.close());

const createLink = (id: string, body: object = {}, token: 'alice' | 'bob' | 'reader' = 'alice') =>
  request(`${base}/api/v1/files/${id}/links`, { method: 'POST', headers: { ...bearer(token), 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The link's path and query, fetched from this test server without any credentials. */
const open = (url: string, init?: RequestInit) => {
  const link = new URL(url);
  return request(`${base}${link.pathname}${link.search}`, init);
};

describe('signed links', () => {
  it('downloads the file without credentials until the link expires', async () => {
    const response = await createLink(fileId, { expires_in: 600 });
    expect(response.status).toBe(201);
    const link = await response.json();
    expect(link).toEqual({
      url: expect.stringMatching(new RegExp(`^http://localhost:3000/api/v1/files/${fileId}/download\\?expires=\\d+&signature=[\\w-]{43}$`)),
      expires_at: '2026-03-01T10:10:00.000Z',
    });

    const [audit] = await app.kernel.database.query<{ action: string; actor_id: string; metadata: object }>(
      "SELECT action, actor_id, metadata FROM audit_logs WHERE resource_id = $1 AND action = 'file.shared'",
      [fileId],
    );
    expect(audit).toEqual({ action: 'file.shared', actor_id: 'usr_alice', metadata: { filename: 'contract.pdf', expires_at: '2026-03-01T10:10:00.000Z' } });

    const download = await open(link.url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename="contract.pdf"');
    expect(Buffer.from(await download.arrayBuffer()).equals(PDF)).toBe(true);
    expect((await open(link.url, { headers: { range: 'bytes=0-3' } })).status).toBe(206);

    now += 600_000;
    const expired = await open(link.url);
    expect(expired.status).toBe(403);
    expect(await expired.json()).toMatchObject({ code: 'FILE_LINK_EXPIRED' });
  });

  it('refuses a link whose id, expiry or signature was altered', async () => {
    const { url } = await (await createLink(fileId)).json();
    const other = (await (await upload(base, 'alice', 'other.pdf', PDF)).json()).id;
    const expires = Number(new URL(url).searchParams.get('expires'));
    const tampered = [
      url.replace(/signature=./, (s: string) => s.slice(0, -1) + (s.endsWith('A') ? 'B' : 'A')),
      url.replace(`expires=${expires}`, `expires=${expires + 86_400}`),
      url.replace(fileId, other),
      url.replace(/&signature=.*/, '&signature=short'),
    ];
    for (const link of tampered) {
      const response = await open(link);
      expect(response.status, link).toBe(403);
      expect((await response.json()).code).toBe('FILE_LINK_INVALID');
    }
    expect((await open(url.replace(/&signature=.*/, ''))).status).toBe(422);
  });

  it('stops working once the file is deleted', async () => {
    const id = (await (await upload(base, 'alice', 'short-lived.pdf', PDF)).json()).id;
    const { url } = await (await createLink(id)).json();
    expect((await open(url)).status).toBe(200);
    await request(`${base}/api/v1/files/${id}`, { method: 'DELETE', headers: bearer('alice') });
    expect((await open(url)).status).toBe(404);
  });

  it('defaults to one hour and refuses more than FILE_LINK_MAX_SECONDS', async () => {
    const link = await (await createLink(fileId)).json();
    expect(Date.parse(link.expires_at) - now).toBe(3_600_000);
    const tooLong = await createLink(fileId, { expires_in: 86_401 });
    expect(tooLong.status).toBe(422);
    expect(await tooLong.json()).toMatchObject({ code: 'VALIDATION_ERROR', detail: 'A link may stay valid for at most 86400 seconds.' });
    expect((await createLink(fileId, { expires_in: 86_400 })).status).toBe(201);
  });

  it('needs file:share, and only for the caller’s own organization’s files', async () => {
    expect((await createLink(fileId, {}, 'reader')).status).toBe(403);
    const foreign = await createLink(fileId, {}, 'bob');
    expect(foreign.status).toBe(404);
    expect((await foreign.json()).code).toBe('FILE_NOT_FOUND');
  });

  it('keeps the signature out of the request log', async () => {
    const lines: string[] = [];
    const logged = await createTestApp({
      modules: [filesTestModule()],
      logger: { ...loggerOptions('info'), stream: new Writable({ write: (chunk, _encoding, done) => done(void lines.push(String(chunk))) }) },
    });
    try {
      const form = new FormData();
      form.append('file', new Blob([PDF]), 'a.pdf');
      const stored = new Request('http://x/', { method: 'POST', body: form });
      const id = (
        await logged.inject({ method: 'POST', url: '/api/v1/files', headers: { ...bearer('alice'), 'content-type': stored.headers.get('content-type')! }, payload: Buffer.from(await stored.arrayBuffer()) })
      ).json().id;
      const link = (await logged.inject({ method: 'POST', url: `/api/v1/files/${id}/links`, headers: bearer('alice'), payload: {} })).json();
      const { pathname, search, searchParams } = new URL(link.url);
      expect((await logged.inject({ url: `${pathname}${search}` })).statusCode).toBe(200);
      expect(lines.some((line) => line.includes('/download?'))).toBe(true);
      expect(lines.join('\n')).not.toContain(searchParams.get('signature'));
    } finally {
      await logged.close();
    }
  });
});
