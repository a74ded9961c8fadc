import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';
import { withTierMultipliers } from './index';
import { policiesFrom } from './policies';
import { buildRateLimitTestApp } from './test-app';

const call = (app: FastifyInstance, ip: string, options: InjectOptions & { user?: string } = {}) => {
  const { user, ...rest } = options;
  return app.inject({ method: 'GET', ...rest, remoteAddress: ip, headers: user ? { authorization: `Bearer ${user}` } : {} });
};
const signIn = (app: FastifyInstance, ip: string) => call(app, ip, { method: 'POST', url: '/api/v1/test/sign-in' });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('rate limits, counted in memory', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildRateLimitTestApp({ env: { RATE_LIMIT_PROFILE_PER_MINUTE: '3', RATE_LIMIT_DEFAULT_PER_MINUTE: '4' } });
  });
  afterAll(() => app.close());

  it('sends RateLimit-Limit, -Remaining (counting down) and -Reset on every limited response', async () => {
    const responses = [];
    for (let i = 0; i < 3; i++) responses.push(await call(app, '10.0.1.1', { url: '/api/v1/test/anything' }));
    expect(responses.map((r) => r.statusCode)).toEqual([200, 200, 200]);
    expect(responses.map((r) => r.headers['ratelimit-limit'])).toEqual(['4', '4', '4']);
    expect(responses.map((r) => r.headers['ratelimit-remaining'])).toEqual(['3', '2', '1']);
    for (const response of responses) expect(Number(response.headers['ratelimit-reset'])).toSatisfy((s: number) => s >= 1 && s <= 60);
    // An unknown /api/v1 path is counted too (scanners get no free pass), and so is its 404.
    const missing = await call(app, '10.0.1.1', { url: '/api/v1/no-such-thing' });
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['ratelimit-remaining']).toBe('0');
  });

  it('answers the 6th sign-in within a minute from one IP with 429, Retry-After and problem+json; another IP goes on', async () => {
    for (let i = 1; i <= 5; i++) {
      const response = await signIn(app, '10.0.2.1');
      expect(response.statusCode).toBe(200);
      expect(response.headers['ratelimit-remaining']).toBe(String(5 - i));
    }
    const refused = await signIn(app, '10.0.2.1');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers['ratelimit-limit']).toBe('5');
    expect(refused.headers['ratelimit-remaining']).toBe('0');
    expect(refused.headers['ratelimit-reset']).toBe(String(retryAfter));
    expect(refused.json()).toMatchObject({ status: 429, code: 'RATE_LIMITED', detail: `Rate limit exceeded; retry after ${retryAfter} seconds.` });

    const otherIp = await signIn(app, '10.0.2.2');
    expect(otherIp.statusCode).toBe(200);
    expect(otherIp.headers['ratelimit-remaining']).toBe('4');
  });

  it('counts profile requests per user, whatever address they come from', async () => {
    for (const ip of ['10.0.3.1', '10.0.3.2', '10.0.3.3']) {
      expect((await call(app, ip, { url: '/api/v1/test/profile', user: 'usr_alice' })).statusCode).toBe(200);
    }
    expect((await call(app, '10.0.3.4', { url: '/api/v1/test/profile', user: 'usr_alice' })).statusCode).toBe(429);
    const bob = await call(app, '10.0.3.1', { url: '/api/v1/test/profile', user: 'usr_bob' });
    expect(bob.statusCode).toBe(200);
    expect(bob.headers['ratelimit-remaining']).toBe('2');
    // Each policy has its own key space: Alice's admin budget is untouched.
    const admin = await call(app, '10.0.3.1', { url: '/api/v1/test/admin', user: 'usr_alice' });
    expect(admin.statusCode).toBe(200);
    expect(admin.headers['ratelimit-limit']).toBe('60');
    expect(admin.headers['ratelimit-remaining']).toBe('59');
  });

  it('counts the bulk policy per hour', async () => {
    const response = await call(app, '10.0.4.1', { method: 'POST', url: '/api/v1/test/bulk', user: 'usr_carol' });
    expect(response.headers['ratelimit-limit']).toBe('10');
    expect(Number(response.headers['ratelimit-reset'])).toBeGreaterThan(3500);
  });

  it('never limits health checks, /metrics, /openapi.json, /docs, nor routes that opt out', async () => {
    for (const url of ['/api/v1/health/', '/api/v1/health', '/metrics', '/openapi.json', '/docs', '/api/v1/test/unlimited']) {
      for (let i = 0; i < 6; i++) {
        const response = await call(app, '10.0.5.1', { url });
        expect(response.statusCode, url).toBeLessThan(400);
        expect(response.headers['ratelimit-limit'], url).toBeUndefined();
      }
    }
  });
});

describe('rate limit windows and tiers', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    // rate-limiter-flexible keeps real time: a one-second window keeps the test short.
    app = await buildRateLimitTestApp({ env: { RATE_LIMIT_PROFILE_PER_MINUTE: '3' }, policies: { auth: { durationSeconds: 1 } } });
  });
  afterAll(() => app.close());

  it('starts a fresh budget once the window is over', async () => {
    for (let i = 0; i < 5; i++) await signIn(app, '10.1.0.1');
    const refused = await signIn(app, '10.1.0.1');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    await sleep(1100);
    const again = await signIn(app, '10.1.0.1');
    expect(again.statusCode).toBe(200);
    expect(again.headers['ratelimit-remaining']).toBe('4');
  });

  it("multiplies per-user budgets by the organization's tier, never the per-IP sign-in budget", async () => {
    app.rateLimits.useLimitFor(
      withTierMultipliers({ standard: 1, premium: 5, enterprise: 20 }, (actor) => (actor.organizationId === 'org_premium' ? 'premium' : undefined)),
    );
    const premium = await call(app, '10.1.1.1', { url: '/api/v1/test/profile', user: 'usr_dave.org_premium' });
    expect(premium.headers['ratelimit-limit']).toBe('15');
    expect(premium.headers['ratelimit-remaining']).toBe('14');
    const standard = await call(app, '10.1.1.1', { url: '/api/v1/test/profile', user: 'usr_erin' });
    expect(standard.headers['ratelimit-limit']).toBe('3');
    expect((await signIn(app, '10.1.1.1')).headers['ratelimit-limit']).toBe('5');
  });
});

describe('RATE_LIMIT_ENABLED=false', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildRateLimitTestApp({ env: { RATE_LIMIT_ENABLED: 'false' } });
  });
  afterAll(() => app.close());

  it('limits nothing and sends no RateLimit headers', async () => {
    for (let i = 0; i < 8; i++) {
      const response = await signIn(app, '10.2.0.1');
      expect(response.statusCode).toBe(200);
      expect(response.headers['ratelimit-limit']).toBeUndefined();
    }
  });
});

describe('rate limit configuration', () => {
  it('defaults to seed 003 §10.1, seed 004’s 20 uploads an hour and a default policy of 600 per minute', () => {
    const limits = Object.values(policiesFrom(loadConfig({}).rateLimit)).map(({ name, limit, durationSeconds, keyBy }) => [name, limit, durationSeconds, keyBy]);
    expect(limits).toEqual([
      ['auth', 5, 60, 'ip'],
      ['profile', 30, 60, 'actor'],
      ['admin', 60, 60, 'actor'],
      ['bulk', 10, 3600, 'actor'],
      ['upload', 20, 3600, 'actor'],
      ['default', 600, 60, 'actor'],
    ]);
    expect(loadConfig({}).rateLimit.enabled).toBe(true);
  });

  it('refuses limits that are not positive whole numbers', () => {
    let error: ConfigError | undefined;
    try {
      loadConfig({ RATE_LIMIT_AUTH_PER_MINUTE: '0', RATE_LIMIT_BULK_PER_HOUR: 'ten', RATE_LIMIT_ENABLED: 'maybe' });
    } catch (caught) {
      error = caught as ConfigError;
    }
    expect(error?.problems).toEqual([
      expect.stringContaining('RATE_LIMIT_ENABLED'),
      expect.stringContaining('RATE_LIMIT_AUTH_PER_MINUTE'),
      expect.stringContaining('RATE_LIMIT_BULK_PER_HOUR'),
    ]);
  });
});
