import type { FastifyInstance } from 'fastify';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app';

let app: FastifyInstance;
beforeAll(async () => {
  app = await createTestApp({ env: { CORS_ORIGINS: 'https://console.example.com,https://admin.example.com' } });
});
afterAll(() => app.close());

describe('security headers', () => {
  it('sends a locked-down policy on API answers, errors included', async () => {
    for (const url of ['/api/v1/health/', '/api/v1/missing']) {
      const { headers } = await app.inject({ url });
      expect(headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none'");
      expect(headers['x-content-type-options']).toBe('nosniff');
      expect(headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(headers['referrer-policy']).toBe('no-referrer');
      expect(headers['strict-transport-security']).toContain('max-age=');
      expect(headers['x-powered-by']).toBeUndefined();
    }
  });

  it('never lets an error be cached', async () => {
    expect((await app.inject({ url: '/api/v1/missing' })).headers['cache-control']).toBe('no-store');
  });
});

describe('CORS', () => {
  it('allows a configured origin, with credentials and the API headers exposed', async () => {
    const response = await app.inject({ url: '/api/v1/health/', headers: { origin: 'https://console.example.com' } });
    expect(response.headers['access-control-allow-origin']).toBe('https://console.example.com');
    expect(response.headers['access-control-allow-credentials']).toBe('true');
    expect(response.headers['access-control-expose-headers']).toContain('X-Request-ID');
    expect(response.headers['access-control-expose-headers']).toContain('ETag');
  });

  it('answers a preflight for a configured origin', async () => {
    const response = await app.inject({
      method: 'OPTIONS',
      url: '/api/v1/widgets',
      headers: { origin: 'https://admin.example.com', 'access-control-request-method': 'PATCH', 'access-control-request-headers': 'if-match,idempotency-key' },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-methods']).toContain('PATCH');
    expect(String(response.headers['access-control-allow-headers']).toLowerCase()).toContain('idempotency-key');
  });

  it('gives an unknown origin no CORS grant', async () => {
    const response = await app.inject({ url: '/api/v1/health/', headers: { origin: 'https://evil.example.net' } });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('sends no CORS headers at all when CORS_ORIGINS is unset', async () => {
    const plain = await createTestApp();
    try {
      const response = await plain.inject({ url: '/api/v1/health/', headers: { origin: 'https://console.example.com' } });
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await plain.close();
    }
  });
});

describe('compression', () => {
  beforeAll(async () => {
    for (let i = 0; i < 30; i++) {
      await app.inject({ method: 'POST', url: '/api/v1/widgets', payload: { name: `a fairly long widget name number ${i}` } });
    }
  });

  it('compresses a large answer with brotli or gzip, as the client asks', async () => {
    const identity = await app.inject({ url: '/api/v1/widgets?limit=30' });
    const br = await app.inject({ url: '/api/v1/widgets?limit=30', headers: { 'accept-encoding': 'br' } });
    const gzip = await app.inject({ url: '/api/v1/widgets?limit=30', headers: { 'accept-encoding': 'gzip' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(br.rawPayload.length).toBeLessThan(identity.rawPayload.length / 2);
    expect(JSON.parse(brotliDecompressSync(br.rawPayload).toString())).toEqual(identity.json());
    expect(JSON.parse(gunzipSync(gzip.rawPayload).toString())).toEqual(identity.json());
  });

  it('leaves small answers uncompressed', async () => {
    const response = await app.inject({ url: '/api/v1/health/', headers: { 'accept-encoding': 'gzip, br' } });
    expect(response.headers['content-encoding']).toBeUndefined();
  });
});
