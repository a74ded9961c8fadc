import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app';

let app: FastifyInstance;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

describe('Prometheus metrics', () => {
  it('counts requests and their duration by route template and status', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/widgets', payload: { name: 'measured' } });
    const id = created.json().id;
    await app.inject({ url: `/api/v1/widgets/${id}` });
    await app.inject({ url: `/api/v1/widgets/${id}` });
    await app.inject({ url: '/api/v1/widgets/wdg_01jd6v0v3kf8r9q7w2e5t4y6u8' });

    const response = await app.inject({ url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    const text = response.body;
    expect(text).toContain('http_requests_total{method="GET",route="/api/v1/widgets/:id",status="200"} 2');
    expect(text).toContain('http_requests_total{method="GET",route="/api/v1/widgets/:id",status="404"} 1');
    expect(text).toContain('http_requests_total{method="POST",route="/api/v1/widgets",status="201"} 1');
    // Every request lands in the +Inf bucket and the count; which finite bucket depends on the machine's load.
    expect(text).toMatch(/http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/api\/v1\/widgets\/:id",status="200"\} 2/);
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/widgets\/:id",status="200"\} 2/);
    expect(text).not.toContain(id);
  });

  it('labels unknown URLs as unmatched, so arbitrary paths cannot flood the label set', async () => {
    await app.inject({ url: '/random/path/123' });
    const text = (await app.inject({ url: '/metrics' })).body;
    expect(text).toContain('route="unmatched",status="404"');
    expect(text).not.toContain('/random/path/123');
  });

  it('reports the database pool and the process', async () => {
    const text = (await app.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/db_pool_connections\{state="max"\} \d+/);
    expect(text).toMatch(/db_pool_connections\{state="waiting"\} 0/);
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });
});

describe('metrics protected by METRICS_TOKEN', () => {
  it('answers only a scraper that presents the token', async () => {
    const guarded = await createTestApp({ env: { METRICS_TOKEN: 'scrape-me-please' } });
    try {
      const anonymous = await guarded.inject({ url: '/metrics' });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json().code).toBe('UNAUTHORIZED');
      expect((await guarded.inject({ url: '/metrics', headers: { authorization: 'Bearer wrong' } })).statusCode).toBe(401);
      const scraper = await guarded.inject({ url: '/metrics', headers: { authorization: 'Bearer scrape-me-please' } });
      expect(scraper.statusCode).toBe(200);
      expect(scraper.body).toContain('http_requests_total');
    } finally {
      await guarded.close();
    }
  });
});
