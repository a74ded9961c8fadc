import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeUser, bearer, createIdentityApp, login, ROOT } from '../support/identity';

let app: FastifyInstance;
let now = Date.parse('2026-08-01T00:00:00.000Z');
let adminToken: string;

beforeAll(async () => {
  app = await createIdentityApp({ now: () => new Date(now) });
  const root = (await login(app, ROOT.email, ROOT.password)).access_token;
  adminToken = (await activeUser(app, root, 'keys-admin@example.com', 'admin')).token;
});
afterAll(() => app.close());

const createKey = (token: string, payload: object) => app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(token), payload });

describe('API keys', () => {
  it('shows the secret once, stores only its hash, and authenticates X-API-Key within its scope', async () => {
    const created = await createKey(adminToken, { name: 'reporting service', permissions: ['user:read'] });
    expect(created.statusCode).toBe(201);
    const key = created.json();
    expect(key.key).toMatch(/^dk_[\w-]{43}$/);
    expect(key.display).toBe(`${key.key.slice(0, 10)}…`);
    const [row] = await app.kernel.database.query<{ key_hash: string }>('SELECT key_hash FROM api_keys WHERE id = $1', [key.id]);
    expect(row!.key_hash).not.toContain(key.key);

    const list = (await app.inject({ url: '/api/v1/api-keys', headers: bearer(adminToken) })).json();
    expect(JSON.stringify(list)).not.toContain(key.key);
    expect(list.items[0]).toMatchObject({ id: key.id, status: 'active', last_used_at: null });

    expect((await app.inject({ url: '/api/v1/admin/users', headers: { 'x-api-key': key.key } })).statusCode).toBe(200);
    const outside = await app.inject({ method: 'POST', url: '/api/v1/admin/users', headers: { 'x-api-key': key.key }, payload: { email: 'k@example.com', first_name: 'Ka', last_name: 'Ey' } });
    expect(outside.statusCode).toBe(403);
    const used = (await app.inject({ url: '/api/v1/api-keys', headers: bearer(adminToken) })).json().items.find((k: { id: string }) => k.id === key.id);
    expect(used.last_used_at).toBe(new Date(now).toISOString());
  });

  it('never grants more than its creator holds', async () => {
    const root = (await login(app, ROOT.email, ROOT.password)).access_token;
    const user = await activeUser(app, root, 'keyuser@example.com');
    const tooMuch = await createKey(user.token, { name: 'escalate', permissions: ['user:read'] });
    expect(tooMuch.statusCode).toBe(422);
    expect(tooMuch.json().errors[0]).toEqual({ field: 'permissions', message: 'exceeds your own permissions: user:read' });
    expect((await createKey(user.token, { name: 'mine', permissions: ['profile:read'] })).statusCode).toBe(201);
    expect((await createKey(adminToken, { name: 'bad', permissions: ['not a permission'] })).statusCode).toBe(422);
  });

  it('stops working once revoked or expired, and is never read from the URL', async () => {
    const revoked = (await createKey(adminToken, { name: 'short-lived', permissions: ['user:read'] })).json();
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${revoked.id}`, headers: bearer(adminToken) })).statusCode).toBe(204);
    expect((await app.inject({ url: '/api/v1/admin/users', headers: { 'x-api-key': revoked.key } })).statusCode).toBe(401);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/api-keys/${revoked.id}`, headers: bearer(adminToken) })).statusCode).toBe(404);

    const expiring = (await createKey(adminToken, { name: 'expiring', permissions: ['user:read'], expires_at: new Date(now + 3600_000).toISOString() })).json();
    expect((await app.inject({ url: '/api/v1/admin/users', headers: { 'x-api-key': expiring.key } })).statusCode).toBe(200);
    now += 3600_000 + 5000;
    expect((await app.inject({ url: '/api/v1/admin/users', headers: { 'x-api-key': expiring.key } })).statusCode).toBe(401);

    const live = (await createKey(adminToken, { name: 'url', permissions: ['user:read'] })).json();
    const inUrl = await app.inject({ url: `/api/v1/admin/users?api_key=${live.key}` });
    expect([400, 401]).toContain(inUrl.statusCode);
    expect((await app.inject({ url: '/api/v1/admin/users', headers: { 'x-api-key': 'dk_guess' } })).statusCode).toBe(401);
  });
});
