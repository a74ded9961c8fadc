/**
 * Rate limits shared through a real Redis (REDIS_TEST_URL, default redis://127.0.0.1:6379).
 * Needs a running Redis server, hence its own folder.
 */
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRateLimitTestApp } from '../../src/kernel/ratelimit/test-app';

const REDIS_URL = process.env.REDIS_TEST_URL ?? 'redis://127.0.0.1:6379';
// A key space of our own, so parallel runs on one Redis never count each other's requests.
const keyPrefix = `deskbase-test:${randomUUID()}`;

const signIn = (app: FastifyInstance, ip: string) => app.inject({ method: 'POST', url: '/api/v1/test/sign-in', remoteAddress: ip });
const profile = (app: FastifyInstance, user: string, ip = '10.8.0.1') =>
  app.inject({ url: '/api/v1/test/profile', remoteAddress: ip, headers: { authorization: `Bearer ${user}` } });

let redis: Redis;
beforeAll(() => {
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  const keys = await redis.keys(`${keyPrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
});

/**
 * Waits until the instance counts in Redis rather than in its memory insurance: on a loaded
 * machine its first connection may still be on its way when the app is built (it waits at most
 * 2 s for it). Each try signs in from an address of its own under `subnet`, so nothing the
 * tests count is touched.
 */
async function countsInRedis(app: FastifyInstance, subnet: string): Promise<void> {
  for (let i = 1; i <= 100; i++) {
    const ip = `${subnet}.${i}`;
    expect((await signIn(app, ip)).statusCode).toBe(200);
    if ((await redis.exists(`${keyPrefix}:auth:ip:${ip}`)) === 1) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the instance still counts in memory after 100 tries (${subnet}.x)`);
}

describe('two instances on one Redis', () => {
  let first: FastifyInstance;
  let second: FastifyInstance;
  beforeAll(async () => {
    const options = { keyPrefix, env: { REDIS_URL, RATE_LIMIT_PROFILE_PER_MINUTE: '3' } };
    [first, second] = await Promise.all([buildRateLimitTestApp(options), buildRateLimitTestApp(options)]);
    await Promise.all([countsInRedis(first, '10.7.1'), countsInRedis(second, '10.7.2')]);
  });
  afterAll(() => Promise.all([first.close(), second.close()]));

  it('count sign-ins together: the 6th from one IP is refused, whichever instance gets it', async () => {
    const remaining = [];
    for (let i = 0; i < 5; i++) {
      const response = await signIn(i % 2 === 0 ? first : second, '10.9.0.1');
      expect(response.statusCode).toBe(200);
      remaining.push(response.headers['ratelimit-remaining']);
    }
    expect(remaining).toEqual(['4', '3', '2', '1', '0']);
    const refused = await signIn(second, '10.9.0.1');
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await signIn(first, '10.9.0.2')).statusCode).toBe(200);
    // The counter really lives in Redis, under this run's prefix.
    expect(Number(await redis.get(`${keyPrefix}:auth:ip:10.9.0.1`))).toBe(6);
  });

  it('count a user together across instances and addresses', async () => {
    expect((await profile(first, 'usr_alice', '10.9.1.1')).statusCode).toBe(200);
    expect((await profile(second, 'usr_alice', '10.9.1.2')).statusCode).toBe(200);
    expect((await profile(first, 'usr_alice', '10.9.1.3')).statusCode).toBe(200);
    expect((await profile(second, 'usr_alice', '10.9.1.4')).statusCode).toBe(429);
    expect((await profile(second, 'usr_bob', '10.9.1.4')).statusCode).toBe(200);
  });
});

it('closes its Redis connection when the app closes', async () => {
  const ownPrefix = `${keyPrefix}:close`;
  const app = await buildRateLimitTestApp({ keyPrefix: ownPrefix, env: { REDIS_URL } });
  const connected = async () => String(await redis.call('CLIENT', 'LIST')).includes(`name=${ownPrefix} `);
  expect(await connected()).toBe(true);
  await app.close();
  let stillConnected = true;
  for (let i = 0; i < 20 && stillConnected; i++) {
    stillConnected = await connected();
    if (stillConnected) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  expect(stillConnected).toBe(false);
});

describe('Redis unreachable', () => {
  let app: FastifyInstance;
  const logs: string[] = [];
  beforeAll(async () => {
    app = await buildRateLimitTestApp({
      keyPrefix,
      env: { REDIS_URL: 'redis://:s3cret-pass@127.0.0.1:1' },
      logger: { level: 'info', stream: { write: (line: string) => logs.push(line) } },
    });
  });
  afterAll(() => app.close());

  it('counts in memory instead, without failing or slowing requests', async () => {
    const started = Date.now();
    for (let i = 0; i < 5; i++) {
      const response = await signIn(app, '10.9.2.1');
      expect(response.statusCode).toBe(200);
      expect(response.headers['ratelimit-remaining']).toBe(String(4 - i));
    }
    expect((await signIn(app, '10.9.2.1')).statusCode).toBe(429);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('logs one warning, without the URL or its password', () => {
    const warnings = logs.filter((line) => line.includes('Redis unreachable'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!).level).toBe(40);
    expect(logs.join('\n')).not.toContain('s3cret-pass');
    expect(logs.join('\n')).not.toContain('redis://');
  });
});
