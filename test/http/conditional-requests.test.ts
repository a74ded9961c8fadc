import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app';

let app: FastifyInstance;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

async function newWidget() {
  const response = await app.inject({ method: 'POST', url: '/api/v1/widgets', payload: { name: 'versioned', quantity: 1 } });
  return { id: response.json().id as string, etag: response.headers.etag as string };
}

describe('ETag and If-None-Match', () => {
  it('tags a resource with its version and answers 304 when the tag still matches', async () => {
    const { id, etag } = await newWidget();
    expect(etag).toBe('"v1"');
    const get = await app.inject({ url: `/api/v1/widgets/${id}` });
    expect(get.headers.etag).toBe('"v1"');
    const cached = await app.inject({ url: `/api/v1/widgets/${id}`, headers: { 'if-none-match': '"v1"' } });
    expect(cached.statusCode).toBe(304);
    expect(cached.body).toBe('');
    const weak = await app.inject({ url: `/api/v1/widgets/${id}`, headers: { 'if-none-match': 'W/"v0", W/"v1"' } });
    expect(weak.statusCode).toBe(304);
  });

  it('answers 200 with the new representation once the resource changed', async () => {
    const { id } = await newWidget();
    await app.inject({ method: 'PATCH', url: `/api/v1/widgets/${id}`, payload: { quantity: 2 } });
    const response = await app.inject({ url: `/api/v1/widgets/${id}`, headers: { 'if-none-match': '"v1"' } });
    expect(response.statusCode).toBe(200);
    expect(response.headers.etag).toBe('"v2"');
    expect(response.json()).toMatchObject({ quantity: 2, version: 2 });
  });
});

describe('If-Match with the version column', () => {
  it('applies a PATCH whose If-Match names the current version', async () => {
    const { id } = await newWidget();
    const response = await app.inject({ method: 'PATCH', url: `/api/v1/widgets/${id}`, payload: { name: 'renamed' }, headers: { 'if-match': '"v1"' } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ name: 'renamed', version: 2 });
    expect(response.headers.etag).toBe('"v2"');
  });

  it('refuses a stale PATCH with 412 and changes nothing', async () => {
    const { id } = await newWidget();
    await app.inject({ method: 'PATCH', url: `/api/v1/widgets/${id}`, payload: { quantity: 5 } });
    const stale = await app.inject({ method: 'PATCH', url: `/api/v1/widgets/${id}`, payload: { quantity: 9 }, headers: { 'if-match': '"v1"' } });
    expect(stale.statusCode).toBe(412);
    expect(stale.json()).toMatchObject({ code: 'PRECONDITION_FAILED' });
    expect(stale.headers.etag).toBeUndefined();
    expect((await app.inject({ url: `/api/v1/widgets/${id}` })).json()).toMatchObject({ quantity: 5, version: 2 });
  });

  it('treats an If-Match that names no version as a failed precondition', async () => {
    const { id } = await newWidget();
    const response = await app.inject({ method: 'PATCH', url: `/api/v1/widgets/${id}`, payload: { quantity: 3 }, headers: { 'if-match': 'bogus' } });
    expect(response.statusCode).toBe(412);
    expect((await app.inject({ url: `/api/v1/widgets/${id}` })).json().quantity).toBe(1);
  });

  it('refuses a stale DELETE with 412 and deletes with the right version', async () => {
    const { id } = await newWidget();
    await app.inject({ method: 'PATCH', url: `/api/v1/widgets/${id}`, payload: { quantity: 7 } });
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/widgets/${id}`, headers: { 'if-match': '"v1"' } })).statusCode).toBe(412);
    expect((await app.inject({ url: `/api/v1/widgets/${id}` })).statusCode).toBe(200);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/widgets/${id}`, headers: { 'if-match': '"v2"' } })).statusCode).toBe(204);
    expect((await app.inject({ url: `/api/v1/widgets/${id}` })).statusCode).toBe(404);
  });

  it('lets exactly one of two concurrent writers with the same If-Match win', async () => {
    const { id } = await newWidget();
    const attempt = (quantity: number) =>
      app.inject({ method: 'PATCH', url: `/api/v1/widgets/${id}`, payload: { quantity }, headers: { 'if-match': '"v1"' } });
    const statuses = (await Promise.all([attempt(10), attempt(20)])).map((r) => r.statusCode).sort();
    expect(statuses).toEqual([200, 412]);
    expect((await app.inject({ url: `/api/v1/widgets/${id}` })).json().version).toBe(2);
  });
});
