import bcrypt from 'bcryptjs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeUser, auditActions, bearer, createIdentityApp, login, mailedToken, mailTypes, ROOT, STRONG_PASSWORD } from '../support/identity';

let app: FastifyInstance;
let now = Date.parse('2026-07-01T12:00:00.000Z');

beforeAll(async () => {
  app = await createIdentityApp({ now: () => new Date(now) });
});
afterAll(() => app.close());

// Tests move the clock: sign the super_admin in afresh whenever a token is needed.
const root = async () => (await login(app, ROOT.email, ROOT.password)).access_token;

const attempt = (email: string, password: string) => app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });

describe('lockout (seed 002)', () => {
  it('locks after 5 failures for 10 minutes, even against the right password, then lets the owner in', async () => {
    const user = await activeUser(app, await root(), 'locked@example.com');
    for (let i = 1; i <= 4; i++) expect((await attempt('locked@example.com', `Wrong-${i}-Pass!`)).statusCode).toBe(401);
    const fifth = await attempt('locked@example.com', 'Wrong-5-Pass!');
    expect(fifth.statusCode).toBe(423);
    expect(fifth.json().code).toBe('ACCOUNT_LOCKED');
    expect(fifth.headers['retry-after']).toBe('600');

    now += 60_000;
    const right = await attempt('locked@example.com', STRONG_PASSWORD);
    expect(right.statusCode).toBe(423);
    expect(right.headers['retry-after']).toBe('540');

    now += 9 * 60_000 + 1000;
    expect((await attempt('locked@example.com', STRONG_PASSWORD)).statusCode).toBe(200);
    const detail = (await app.inject({ url: `/api/v1/admin/users/${user.id}`, headers: bearer(await root()) })).json();
    expect(detail).toMatchObject({ is_locked: false, failed_login_attempts: 0 });
    expect(await auditActions(app, user.id)).toContain('security.failed_login');
  });

  it('is cleared by an administrator', async () => {
    const user = await activeUser(app, await root(), 'unlock@example.com');
    for (let i = 0; i < 5; i++) await attempt('unlock@example.com', 'Wrong-Pass-00!');
    expect((await attempt('unlock@example.com', STRONG_PASSWORD)).statusCode).toBe(423);
    const reset = await app.inject({ method: 'POST', url: `/api/v1/admin/users/${user.id}/reset-login-attempts`, headers: bearer(await root()) });
    expect(reset.statusCode).toBe(200);
    expect(reset.json()).toMatchObject({ is_locked: false, failed_login_attempts: 0 });
    expect((await attempt('unlock@example.com', STRONG_PASSWORD)).statusCode).toBe(200);
  });

  it('follows LOCKOUT_MAX_ATTEMPTS and LOCKOUT_MINUTES', async () => {
    const custom = await createIdentityApp({ env: { LOCKOUT_MAX_ATTEMPTS: '2', LOCKOUT_MINUTES: '1' } });
    try {
      const root = (await login(custom, ROOT.email, ROOT.password)).access_token;
      await activeUser(custom, root, 'two@example.com');
      expect((await custom.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'two@example.com', password: 'Nope-Nope-1!' } })).statusCode).toBe(401);
      const second = await custom.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'two@example.com', password: 'Nope-Nope-1!' } });
      expect(second.statusCode).toBe(423);
      expect(Number(second.headers['retry-after'])).toBeLessThanOrEqual(60);
    } finally {
      await custom.close();
    }
  });

  it('answers an unknown email exactly like a wrong password, and never locks it', async () => {
    for (let i = 0; i < 6; i++) {
      const response = await attempt('ghost@example.com', 'Whatever-123!');
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 'INVALID_CREDENTIALS', detail: 'Invalid email or password.' });
    }
  });
});

describe('password reset (seed 003 §1.7-1.8)', () => {
  it('answers the same whether or not the email exists, and mails only real accounts', async () => {
    await activeUser(app, await root(), 'forgetful@example.com');
    const known = await app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'Forgetful@example.com' } });
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'nobody@example.com' } });
    expect(known.statusCode).toBe(200);
    expect(unknown.statusCode).toBe(200);
    expect({ ...known.json(), email: '' }).toEqual({ ...unknown.json(), email: '' });
    expect(await mailTypes(app, 'forgetful@example.com')).toEqual(['password_reset']);
    expect(await mailTypes(app, 'nobody@example.com')).toEqual([]);
  });

  it('sets the new password once, unlocks the account and signs every session out', async () => {
    const user = await activeUser(app, await root(), 'resetme@example.com');
    for (let i = 0; i < 5; i++) await attempt('resetme@example.com', 'Wrong-Pass-00!');
    await app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'resetme@example.com' } });
    const token = await mailedToken(app, 'resetme@example.com', 'reset-password');
    expect(token).toMatch(/^rst_/);

    const weak = await app.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { token, new_password: 'weak' } });
    expect(weak.statusCode).toBe(422);
    const done = await app.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { token, new_password: 'Fresh-Start-2026!' } });
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ message: 'Password reset successfully' });
    expect((await app.inject({ url: '/api/v1/profile/me', headers: bearer(user.token) })).statusCode).toBe(401);
    expect((await attempt('resetme@example.com', 'Fresh-Start-2026!')).statusCode).toBe(200);
    const reused = await app.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { token, new_password: 'Another-One-2026!' } });
    expect(reused.statusCode).toBe(400);
    expect(reused.json().code).toBe('INVALID_TOKEN');
  });

  it('expires reset links after an hour', async () => {
    await activeUser(app, await root(), 'slow@example.com');
    await app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'slow@example.com' } });
    const token = await mailedToken(app, 'slow@example.com', 'reset-password');
    now += 3600_000 + 1000;
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { token, new_password: 'Too-Late-2026!' } })).statusCode).toBe(400);
  });
});

describe('imported bcrypt hashes', () => {
  it('verify, and are replaced by Argon2id at the next sign-in', async () => {
    const user = await activeUser(app, await root(), 'legacy@example.com');
    const legacy = await bcrypt.hash('Legacy-Pass-12!', 12);
    await app.kernel.database.query('UPDATE users SET password_hash = $1 WHERE id = $2', [legacy, user.id]);
    expect((await attempt('legacy@example.com', 'Wrong-Pass-12!')).statusCode).toBe(401);
    expect((await attempt('legacy@example.com', 'Legacy-Pass-12!')).statusCode).toBe(200);
    const [row] = await app.kernel.database.query<{ password_hash: string }>('SELECT password_hash FROM users WHERE id = $1', [user.id]);
    expect(row!.password_hash).toMatch(/^\$argon2id\$/);
    expect((await attempt('legacy@example.com', 'Legacy-Pass-12!')).statusCode).toBe(200);
  });
});

describe('brute force by rate limit (seed 003 §10.1)', () => {
  it('refuses the 6th authentication request a minute from one address with 429, whatever the account', async () => {
    const limited = await createIdentityApp({ env: { RATE_LIMIT_ENABLED: 'true' }, rateLimit: { keyPrefix: `login-${Date.now()}` } });
    try {
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 6; i++) {
        last = await limited.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: `victim${i}@example.com`, password: 'Guess-123456!' } });
        statuses.push(last.statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
      expect(last!.json().code).toBe('RATE_LIMITED');
      expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
      expect(last!.headers['ratelimit-limit']).toBe('5');
      // Another address still gets through.
      const other = await limited.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: '10.9.8.7', payload: { email: 'x@example.com', password: 'Guess-123456!' } });
      expect(other.statusCode).toBe(401);
    } finally {
      await limited.close();
    }
  });
});
