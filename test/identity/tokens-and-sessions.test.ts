import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenService } from '../../src/modules/identity/tokens';
import { activeUser, auditActions, bearer, createIdentityApp, eventTypes, login, ROOT, STRONG_PASSWORD } from '../support/identity';

let app: FastifyInstance;
let now = Date.parse('2026-06-01T09:00:00.000Z');

beforeAll(async () => {
  app = await createIdentityApp({ now: () => new Date(now) });
});
afterAll(() => app.close());

// Tests move the clock: sign the super_admin in afresh whenever a token is needed.
const root = async () => (await login(app, ROOT.email, ROOT.password)).access_token;

const me = (token: string) => app.inject({ url: '/api/v1/profile/me', headers: bearer(token) });
const refresh = (token: string) => app.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers: bearer(token) });
const decode = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString());

describe('access tokens', () => {
  it('carry the claims of the API contract and open the profile', async () => {
    const user = await activeUser(app, await root(), 'claims@example.com');
    const claims = decode(user.token);
    expect(claims).toMatchObject({ sub: user.id, org: expect.stringMatching(/^org_/), role: 'user', type: 'access', sid: expect.stringMatching(/^ses_/), aud: 'deskbase-api' });
    expect(claims.exp - claims.iat).toBe(900);
    expect(JSON.parse(Buffer.from(user.token.split('.')[0]!, 'base64url').toString()).alg).toBe('EdDSA');
    const profile = await me(user.token);
    expect(profile.statusCode).toBe(200);
    expect(profile.json()).toMatchObject({ user_id: user.id, email: 'claims@example.com', role: 'user', status: 'active' });
  });

  it('are refused without credentials, tampered, unsigned, with another algorithm, or for another audience', async () => {
    const user = await activeUser(app, await root(), 'forged@example.com');
    const [header, payload, signature] = user.token.split('.');
    const elevated = Buffer.from(JSON.stringify({ ...decode(user.token), role: 'super_admin' })).toString('base64url');
    const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    const hs256 = await new SignJWT(decode(user.token)).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('guessable-secret-guessable-secret'));
    const otherAudience = new TokenService(app.kernel.secrets, { issuer: app.kernel.config.publicUrl, audience: 'another-api', accessTtlSeconds: 900, refreshTtlSeconds: 3600 });
    const wrongAud = (await otherAudience.issuePair({ id: user.id, organizationId: decode(user.token).org, role: 'user' }, decode(user.token).sid, new Date(now), new Date(now + 3600_000))).accessToken;
    const otherIssuer = new TokenService(app.kernel.secrets, { issuer: 'https://evil.example', audience: 'deskbase-api', accessTtlSeconds: 900, refreshTtlSeconds: 3600 });
    const wrongIss = (await otherIssuer.issuePair({ id: user.id, organizationId: decode(user.token).org, role: 'user' }, decode(user.token).sid, new Date(now), new Date(now + 3600_000))).accessToken;

    const anonymous = await app.inject({ url: '/api/v1/profile/me' });
    expect(anonymous.statusCode).toBe(401);
    // Refusals carry the same security headers and request id as any answer.
    expect(anonymous.headers['content-security-policy']).toContain("default-src 'none'");
    expect(anonymous.headers['x-request-id']).toMatch(/^req_/);
    for (const token of [`${header}.${elevated}.${signature}`, none, hs256, wrongAud, wrongIss, user.refresh, 'garbage']) {
      const response = await me(token);
      expect(response.statusCode, token.slice(0, 20)).toBe(401);
      expect(response.json().code).toBe('UNAUTHORIZED');
      expect(response.headers['www-authenticate']).toContain('Bearer');
    }
  });

  it('expire after 15 minutes with TOKEN_EXPIRED', async () => {
    const user = await activeUser(app, await root(), 'expiry@example.com');
    now += 15 * 60_000 + 1000;
    try {
      const response = await me(user.token);
      expect(response.statusCode).toBe(401);
      expect(response.json().code).toBe('TOKEN_EXPIRED');
    } finally {
      now -= 15 * 60_000 + 1000;
    }
  });
});

describe('refresh tokens', () => {
  it('rotate on every use (seed 003 §1.3, header or body)', async () => {
    const user = await activeUser(app, await root(), 'rotate@example.com');
    const first = await refresh(user.refresh);
    expect(first.statusCode).toBe(200);
    const pair = first.json();
    expect(pair).toMatchObject({ message: 'Token refreshed successfully', user_id: user.id, token_type: 'bearer', expires_in: 900 });
    expect(pair.refresh_token).not.toBe(user.refresh);
    expect((await me(pair.access_token)).statusCode).toBe(200);
    now += 11_000;
    const second = await app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refresh_token: pair.refresh_token } });
    expect(second.statusCode).toBe(200);
  });

  it('give two tabs refreshing at once the same new pair within the grace window', async () => {
    const user = await activeUser(app, await root(), 'tabs@example.com');
    const [a, b] = await Promise.all([refresh(user.refresh), refresh(user.refresh)]);
    expect(a.statusCode).toBe(200);
    expect(b.statusCode).toBe(200);
    expect(b.json().refresh_token).toBe(a.json().refresh_token);
    expect((await me(a.json().access_token)).statusCode).toBe(200);
  });

  it('revoke the whole family when a spent token comes back after the grace window', async () => {
    const user = await activeUser(app, await root(), 'thief@example.com');
    const rotated = (await refresh(user.refresh)).json();
    now += 11_000;
    const replay = await refresh(user.refresh);
    expect(replay.statusCode).toBe(401);
    // The legitimate holder's newer tokens die with the family.
    expect((await refresh(rotated.refresh_token)).statusCode).toBe(401);
    expect((await me(rotated.access_token)).statusCode).toBe(401);
    expect(await auditActions(app, user.id)).toContain('security.suspicious_activity');
    expect(await eventTypes(app)).toContain('security.suspicious_activity');
  });

  it('detect reuse at once when the grace window is 0', async () => {
    const strict = await createIdentityApp({ env: { REFRESH_REUSE_GRACE_SECONDS: '0' } });
    try {
      const root = (await login(strict, ROOT.email, ROOT.password)).access_token;
      const user = await activeUser(strict, root, 'strict@example.com');
      const first = await strict.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers: bearer(user.refresh) });
      expect(first.statusCode).toBe(200);
      const second = await strict.inject({ method: 'POST', url: '/api/v1/auth/refresh', headers: bearer(user.refresh) });
      expect(second.statusCode).toBe(401);
    } finally {
      await strict.close();
    }
  });

  it('stop at the absolute 7-day lifetime, however often they rotate', async () => {
    const user = await activeUser(app, await root(), 'lifetime@example.com');
    let token = user.refresh;
    for (let day = 0; day < 6; day++) {
      now += 24 * 3600_000;
      const response = await refresh(token);
      expect(response.statusCode).toBe(200);
      token = response.json().refresh_token;
    }
    now += 24 * 3600_000 + 1000;
    const late = await refresh(token);
    expect(late.statusCode).toBe(401);
  });
});

describe('sessions', () => {
  it('logout takes effect at once for that session only', async () => {
    const user = await activeUser(app, await root(), 'logout@example.com');
    const other = await login(app, 'logout@example.com', STRONG_PASSWORD);
    expect((await me(user.token)).statusCode).toBe(200);
    const response = await app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: bearer(user.token) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ message: 'Logged out successfully', user_id: user.id });
    expect((await me(user.token)).statusCode).toBe(401);
    expect((await refresh(user.refresh)).statusCode).toBe(401);
    expect((await me(other.access_token)).statusCode).toBe(200);
  });

  it('are listed with device and address, and one can be revoked', async () => {
    const user = await activeUser(app, await root(), 'devices@example.com');
    const phone = await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'user-agent': 'DeskbasePhone/1.0' }, payload: { email: 'devices@example.com', password: STRONG_PASSWORD } });
    const list = await app.inject({ url: '/api/v1/auth/sessions', headers: bearer(user.token) });
    expect(list.statusCode).toBe(200);
    const items = list.json().items;
    expect(items).toHaveLength(2);
    expect(items.find((s: { current: boolean }) => s.current)).toBeTruthy();
    const phoneSession = items.find((s: { device: string }) => s.device === 'DeskbasePhone/1.0');
    expect(phoneSession.ip_address).toBe('127.0.0.1');
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${phoneSession.id}`, headers: bearer(user.token) })).statusCode).toBe(204);
    expect((await me(phone.json().access_token)).statusCode).toBe(401);
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${phoneSession.id}`, headers: bearer(user.token) })).statusCode).toBe(404);
  });

  it('of another user cannot be revoked (404)', async () => {
    const a = await activeUser(app, await root(), 'owner-a@example.com');
    const b = await activeUser(app, await root(), 'owner-b@example.com');
    const sid = decode(b.token).sid;
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/auth/sessions/${sid}`, headers: bearer(a.token) })).statusCode).toBe(404);
    expect((await me(b.token)).statusCode).toBe(200);
  });

  it('change-password keeps the current session and signs out every other one', async () => {
    const user = await activeUser(app, await root(), 'changer@example.com');
    const laptop = await login(app, 'changer@example.com', STRONG_PASSWORD);
    const wrong = await app.inject({ method: 'POST', url: '/api/v1/auth/change-password', headers: bearer(user.token), payload: { current_password: 'Not-It-123!', new_password: 'Brand-New-Pass-9?' } });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.json().errors).toEqual([{ field: 'current_password', message: 'is incorrect' }]);
    const response = await app.inject({ method: 'POST', url: '/api/v1/auth/change-password', headers: bearer(user.token), payload: { current_password: STRONG_PASSWORD, new_password: 'Brand-New-Pass-9?' } });
    expect(response.statusCode).toBe(200);
    expect((await me(user.token)).statusCode).toBe(200);
    expect((await me(laptop.access_token)).statusCode).toBe(401);
    expect((await login(app, 'changer@example.com', 'Brand-New-Pass-9?')).access_token).toBeTruthy();
  });
});
