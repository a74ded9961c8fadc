import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../support/app';

let app: FastifyInstance;
let now = Date.parse('2026-03-01T10:00:00.000Z');

beforeAll(async () => {
  app = await createTestApp({ now: () => new Date(now) });
});
afterAll(() => app.close());

const create = (key: string | undefined, payload: object, org = 'org_test') =>
  app.inject({
    method: 'POST',
    url: '/api/v1/widgets',
    payload,
    headers: { ...(key === undefined ? {} : { 'idempotency-key': key }), 'x-test-org': org },
  });
const total = async (org = 'org_test') =>
  (await app.inject({ url: '/api/v1/widgets?include_total=true', headers: { 'x-test-org': org } })).json().total;

describe('Idempotency-Key on POST', () => {
  it('replays the first response for the same key and body, creating one resource', async () => {
    const before = await total();
    const first = await create('order-1', { name: 'once' });
    const second = await create('order-1', { name: 'once' });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(second.headers.location).toBe(first.headers.location);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(second.headers['idempotent-replayed']).toBe('true');
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    expect(await total()).toBe(before + 1);
  });

  it('refuses the same key with a different body (422) and changes nothing', async () => {
    await create('order-2', { name: 'first' });
    const before = await total();
    const response = await create('order-2', { name: 'second' });
    expect(response.statusCode).toBe(422);
    expect(response.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await total()).toBe(before);
  });

  it('stores and replays a 4xx answer of an executed request', async () => {
    const first = await app.inject({ method: 'POST', url: '/api/v1/widgets-faults/echo', payload: { text: 'hi' }, headers: { 'idempotency-key': 'echo-1' } });
    expect(first.statusCode).toBe(200);
    const replay = await app.inject({ method: 'POST', url: '/api/v1/widgets-faults/echo', payload: { text: 'hi' }, headers: { 'idempotency-key': 'echo-1' } });
    expect(replay.json()).toEqual({ length: 2, text: 'hi' });
    expect(replay.headers['idempotent-replayed']).toBe('true');
  });

  it('does not consume the key when validation fails, so a corrected retry succeeds', async () => {
    const bad = await create('order-3', { name: '' });
    expect(bad.statusCode).toBe(422);
    const good = await create('order-3', { name: 'fixed' });
    expect(good.statusCode).toBe(201);
  });

  it('scopes keys per caller: another organization may use the same key', async () => {
    const mine = await create('shared-key', { name: 'mine' });
    const theirs = await create('shared-key', { name: 'mine' }, 'org_other');
    expect(theirs.statusCode).toBe(201);
    expect(theirs.json().id).not.toBe(mine.json().id);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
  });

  it('forgets keys after 24 hours', async () => {
    const first = await create('order-4', { name: 'day one' });
    now += 24 * 3600 * 1000 + 1000;
    const later = await create('order-4', { name: 'day one' });
    expect(later.statusCode).toBe(201);
    expect(later.json().id).not.toBe(first.json().id);
  });

  it('answers 409 while the first request with the key is still being processed', async () => {
    await app.kernel.database.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, state, created_at) VALUES ('org_test:usr_tester', 'in-flight', 'x', 'processing', $1)`,
      [new Date(now)],
    );
    const response = await create('in-flight', { name: 'racing' });
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('CONFLICT');
    expect(response.headers['retry-after']).toBe('1');
  });

  it('rejects a malformed key with 400 before doing anything', async () => {
    const before = await total();
    for (const key of ['x'.repeat(256), 'has space', 'ключ']) {
      const response = await create(key, { name: 'nope' });
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('INVALID_IDEMPOTENCY_KEY');
    }
    expect(await total()).toBe(before);
  });

  it('leaves requests without a key alone', async () => {
    const a = await create(undefined, { name: 'same' });
    const b = await create(undefined, { name: 'same' });
    expect(a.json().id).not.toBe(b.json().id);
  });
});
