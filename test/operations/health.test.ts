import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app';

let app: FastifyInstance;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(() => app.close());

const identity = { timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/), environment: 'test', service: 'deskbase', version: expect.any(String) };

describe('health endpoints of seed 003 §7', () => {
  it('GET /health/ reports liveness', async () => {
    const response = await app.inject({ url: '/api/v1/health/' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'healthy', ...identity });
  });

  it('GET /health/ready is ready once migrated', async () => {
    const response = await app.inject({ url: '/api/v1/health/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ready', ...identity });
  });

  it('GET /health/detailed lists every check', async () => {
    const body = (await app.inject({ url: '/api/v1/health/detailed' })).json();
    expect(body).toMatchObject({ status: expect.stringMatching(/healthy|degraded/), ...identity, uptime_seconds: expect.any(Number) });
    expect(Object.keys(body.checks)).toEqual(['api', 'database', 'memory', 'cpu', 'disk', 'configuration']);
    expect(body.checks.database).toMatchObject({ status: 'healthy', message: 'Database connection available' });
    expect(body.checks.memory).toMatchObject({ usage_percent: expect.any(Number), available_mb: expect.any(Number) });
    expect(body.checks.cpu.usage_percent).toBeGreaterThanOrEqual(0);
    expect(body.checks.configuration.checks.map((c: { name: string }) => c.name)).toContain('smtp');
    expect(JSON.stringify(body)).not.toMatch(/postgres:\/\/|secret\.key/);
  });

  it('GET /health/db measures a database round trip', async () => {
    const body = (await app.inject({ url: '/api/v1/health/db' })).json();
    expect(body).toMatchObject({ status: 'healthy', connected: true, database_type: expect.stringMatching(/PostgreSQL|PGlite/) });
    expect(body.response_time_ms).toBeGreaterThanOrEqual(0);
  });

  it('GET /health/system reports cpu, memory and disk', async () => {
    const body = (await app.inject({ url: '/api/v1/health/system' })).json();
    expect(body).toMatchObject({
      status: expect.any(String),
      cpu_usage_percent: expect.any(Number),
      memory_usage_percent: expect.any(Number),
      disk_usage_percent: expect.any(Number),
      available_memory_mb: expect.any(Number),
    });
    expect(body.memory_usage_percent).toBeGreaterThan(0);
    expect(body.memory_usage_percent).toBeLessThan(100);
  });

  it('readiness fails with 503 problem+json while a migration is pending, and recovers', async () => {
    const [row] = await app.kernel.database.query<{ tag: string; checksum: string }>(
      'DELETE FROM deskbase_migrations WHERE tag = (SELECT max(tag) FROM deskbase_migrations) RETURNING tag, checksum',
    );
    try {
      const response = await app.inject({ url: '/api/v1/health/ready' });
      expect(response.statusCode).toBe(503);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ code: 'SERVICE_UNAVAILABLE', health_status: 'not_ready', reasons: ['1 pending migration(s)'] });
      expect(response.headers['retry-after']).toBe('5');
    } finally {
      await app.kernel.database.query('INSERT INTO deskbase_migrations (tag, checksum) VALUES ($1, $2)', [row!.tag, row!.checksum]);
    }
    expect((await app.inject({ url: '/api/v1/health/ready' })).statusCode).toBe(200);
  });
});
