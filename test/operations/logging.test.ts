import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loggerOptions, redactUrl } from '../../src/kernel/observability/logger';
import { createTestApp } from '../support/app';

const lines: Record<string, any>[] = [];
const stream = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
    done();
  },
});

let app: FastifyInstance;
beforeAll(async () => {
  app = await createTestApp({ logger: { ...loggerOptions('info'), stream } });
});
afterAll(() => app.close());

describe('structured request logs', () => {
  it('writes one JSON line per request with id, method, route, status and duration', async () => {
    const response = await app.inject({ url: '/api/v1/widgets/wdg_01jd6v0v3kf8r9q7w2e5t4y6u8', headers: { 'x-request-id': 'trace-me-1' } });
    expect(response.statusCode).toBe(404);
    const entries = lines.filter((l) => l.request_id === 'trace-me-1' && l.msg === 'request completed');
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      level: 'warn',
      method: 'GET',
      route: '/api/v1/widgets/:id',
      status: 404,
      duration_ms: expect.any(Number),
      service: 'deskbase',
    });
  });

  it('logs a server error with its cause for the operator, not for the client', async () => {
    await app.inject({ url: '/api/v1/widgets-faults/crash', headers: { 'x-request-id': 'trace-me-2' } });
    const failure = lines.find((l) => l.request_id === 'trace-me-2' && l.msg === 'request failed');
    expect(failure?.err?.message).toContain('secret internals');
    expect(failure?.level).toBe('error');
  });
});

describe('redaction', () => {
  it('censors passwords, tokens and keys at any of the first three levels', () => {
    app.log.info({ password: 'hunter2', user: { token: 'tok-1', profile: { refresh_token: 'tok-2' } }, api_key: 'key-3' }, 'sensitive');
    const entry = lines.find((l) => l.msg === 'sensitive');
    expect(JSON.stringify(entry)).not.toMatch(/hunter2|tok-1|tok-2|key-3/);
    expect(entry?.password).toBe('[REDACTED]');
    expect(entry?.user.profile.refresh_token).toBe('[REDACTED]');
  });

  it('censors the Authorization header and cookies of a logged request', () => {
    app.log.info({ req: { headers: { authorization: 'Bearer abc.def.ghi', cookie: 'sid=xyz', 'x-api-key': 'dk_live_1' } } }, 'with headers');
    const entry = lines.find((l) => l.msg === 'with headers');
    expect(JSON.stringify(entry)).not.toMatch(/abc\.def\.ghi|sid=xyz|dk_live_1/);
  });

  it('censors secrets in logged query strings', async () => {
    expect(redactUrl('/verify-email?token=abc123&lang=km')).toBe('/verify-email?token=[REDACTED]&lang=km');
    expect(redactUrl('/x?a=1&password=p&api_key=k')).toBe('/x?a=1&password=[REDACTED]&api_key=[REDACTED]');
    await app.inject({ url: '/api/v1/health/?token=leaky-secret' });
    expect(JSON.stringify(lines)).not.toContain('leaky-secret');
  });
});

describe('redaction of configuration-shaped objects', () => {
  it('censors secrets whatever their spelling, including in the configuration', () => {
    app.log.info({ config: { smtpUrl: 'smtp://u:pw-1@mail', databaseUrl: 'postgres://u:pw-2@db/x', SECRET_KEY: 'pw-3' } }, 'config dump');
    const entry = lines.find((l) => l.msg === 'config dump');
    expect(JSON.stringify(entry)).not.toMatch(/pw-1|pw-2|pw-3/);
    expect(entry?.config.smtpUrl).toBe('[REDACTED]');
  });
});
