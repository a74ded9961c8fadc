import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/kernel/db/database';
import { openTestDatabase, postgresUrl } from '../support/database';
import { activeUser, bearer, createIdentityApp, login, ROOT } from '../support/identity';

// Two instances of one deployment: same database, same SECRET_KEY.
const env = { SECRET_KEY: 'a-shared-secret-for-both-instances-0123456789' };
let a: FastifyInstance;
let b: FastifyInstance;

beforeAll(async () => {
  const database = await openTestDatabase();
  a = await createIdentityApp({ env, database });
  const name = (database as unknown as { testDatabaseName: string }).testDatabaseName;
  const second = await openDatabase({ databaseUrl: postgresUrl(name), dataDir: '', poolMax: 3, statementTimeoutMs: 5000, onPoolError: () => {} });
  b = await createIdentityApp({ env, database: second });
});
afterAll(async () => {
  await b.close();
  await a.close();
});

/** Polls `probe` until it gives `want` (the NOTIFY travels asynchronously), for at most a second: under the caches' 2 s TTL. */
async function eventually<T>(probe: () => Promise<T>, want: T): Promise<T> {
  const deadline = Date.now() + 1000;
  let last = await probe();
  while (last !== want && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    last = await probe();
  }
  return last;
}
const statusOf = (app: FastifyInstance, token: string, url: string) => async () => (await app.inject({ url, headers: bearer(token) })).statusCode;

describe('revocation on another instance', () => {
  it('takes effect on every instance without waiting for caches to expire', async () => {
    const root = (await login(a, ROOT.email, ROOT.password)).access_token;
    const user = await activeUser(a, root, 'roaming@example.com', 'manager');
    // Instance B caches the live session and the role.
    expect((await b.inject({ url: '/api/v1/admin/users', headers: bearer(user.token) })).statusCode).toBe(200);

    await a.inject({ method: 'PATCH', url: `/api/v1/admin/users/${user.id}`, headers: bearer(root), payload: { role: 'user' } });
    expect(await eventually(statusOf(b, user.token, '/api/v1/admin/users'), 403)).toBe(403);

    // B caches the profile with the session; a rename on A reaches it without waiting for the TTL.
    expect((await b.inject({ url: '/api/v1/profile/me', headers: bearer(user.token) })).json().first_name).toBe('Test');
    await a.inject({ method: 'PUT', url: '/api/v1/profile/me', headers: bearer(user.token), payload: { first_name: 'Moved', last_name: 'Person' } });
    const firstName = async () => (await b.inject({ url: '/api/v1/profile/me', headers: bearer(user.token) })).json().first_name;
    expect(await eventually(firstName, 'Moved')).toBe('Moved');

    await a.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(user.token) });
    expect(await eventually(statusOf(b, user.token, '/api/v1/profile/me'), 401)).toBe(401);
  });
});
