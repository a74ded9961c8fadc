import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createIdentityApp, eventTypes, login, mailedToken, mailTypes, ROOT, STRONG_PASSWORD } from '../support/identity';

let app: FastifyInstance;
let now = Date.parse('2026-05-01T08:00:00.000Z');
let rootToken: string;

beforeAll(async () => {
  app = await createIdentityApp({ now: () => new Date(now) });
  rootToken = (await login(app, ROOT.email, ROOT.password)).access_token;
});
afterAll(() => app.close());

const register = (payload: Record<string, unknown>) => app.inject({ method: 'POST', url: '/api/v1/auth/register', payload });
const userCount = async () => Number((await app.kernel.database.query<{ n: number }>('SELECT count(*)::int AS n FROM users'))[0]!.n);
const valid = (email: string) => ({ email, password: STRONG_PASSWORD, confirm_password: STRONG_PASSWORD, first_name: 'ada', last_name: "o'brien-lovelace" });

describe('registration (seed 003 §1.1)', () => {
  it('creates an unverified, unapproved account, normalising email and names, and mails a link', async () => {
    const response = await register(valid('Ada@Example.COM'));
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toEqual({
      message: 'User registered successfully. Please check your email for verification.',
      user_id: expect.stringMatching(/^usr_/),
      email: 'ada@example.com',
      verification_required: true,
      approval_required: true,
      created_at: '2026-05-01T08:00:00.000Z',
    });
    expect(body).not.toHaveProperty('verification_token');
    const [user] = await app.kernel.database.query<{ first_name: string; last_name: string; password_hash: string }>('SELECT * FROM users WHERE email = $1', ['ada@example.com']);
    expect(user).toMatchObject({ first_name: 'Ada', last_name: "O'Brien-Lovelace" });
    expect(user!.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await mailTypes(app, 'ada@example.com')).toEqual(['verify_email']);
    const token = await mailedToken(app, 'ada@example.com', 'verify-email');
    expect(token).toMatch(/^ver_/);
    expect(await eventTypes(app)).toContain('user.registered');
  });

  it.each([
    ['short', 'Ab1!', 'must be at least 8 characters long'],
    ['no uppercase', 'lowercase-only-1!', 'must contain an uppercase letter'],
    ['no lowercase', 'UPPERCASE-ONLY-1!', 'must contain a lowercase letter'],
    ['no digit', 'No-Digits-Here!', 'must contain a digit'],
    ['no special character', 'NoSpecial1234', 'must contain a special character'],
    ['over 128 characters', `Aa1!${'x'.repeat(130)}`, 'must be at most 128'],
  ])('refuses a password that is %s, creating nothing', async (_label, password, message) => {
    const before = await userCount();
    const response = await register({ ...valid('weak@example.com'), password, confirm_password: password });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors.map((e: { message: string }) => e.message).join(' ')).toContain(message);
    expect(await userCount()).toBe(before);
  });

  it('refuses a common password even when it meets the rules', async () => {
    const response = await register({ ...valid('common@example.com'), password: 'P@ssw0rd', confirm_password: 'P@ssw0rd' });
    expect(response.statusCode).toBe(422);
    expect(response.json().errors).toContainEqual({ field: 'password', message: 'is too common; choose another' });
  });

  it('accepts a 128-character password', async () => {
    const long = `Aa1!${'z'.repeat(124)}`;
    expect((await register({ ...valid('long@example.com'), password: long, confirm_password: long })).statusCode).toBe(201);
  });

  it('refuses mismatched confirmation, invalid names and invalid emails with field errors', async () => {
    const response = await register({ email: 'not-an-email', password: STRONG_PASSWORD, confirm_password: 'Other-Pass-42!', first_name: 'A', last_name: 'R2D2' });
    expect(response.statusCode).toBe(422);
    const fields = response.json().errors.map((e: { field: string }) => e.field);
    expect(fields).toContain('email');
    const second = await register({ email: 'x@example.com', password: STRONG_PASSWORD, confirm_password: 'Other-Pass-42!', first_name: 'A', last_name: 'R2D2' });
    expect(second.json().errors).toEqual([
      { field: 'first_name', message: 'must be 2-50 letters, spaces, hyphens or apostrophes' },
      { field: 'last_name', message: 'must be 2-50 letters, spaces, hyphens or apostrophes' },
      { field: 'confirm_password', message: 'must match password' },
    ]);
  });

  it('answers a taken email exactly like a new one, and tells the owner instead', async () => {
    await register(valid('taken@example.com'));
    const before = await userCount();
    const again = await register({ ...valid('Taken@example.com'), first_name: 'Mallory' });
    expect(again.statusCode).toBe(201);
    expect(Object.keys(again.json()).sort()).toEqual(['approval_required', 'created_at', 'email', 'message', 'user_id', 'verification_required']);
    expect(await userCount()).toBe(before);
    expect(await mailTypes(app, 'taken@example.com')).toEqual(['verify_email', 'account_exists']);
  });
});

describe('email verification and approval', () => {
  it('verifies once with the mailed token; a used token is refused', async () => {
    await register(valid('verify@example.com'));
    const token = await mailedToken(app, 'verify@example.com', 'verify-email');
    const response = await app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ message: 'Email verified successfully', approval_required: true, verified_at: '2026-05-01T08:00:00.000Z' });
    const again = await app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token } });
    expect(again.statusCode).toBe(400);
    expect(again.json().code).toBe('INVALID_TOKEN');
  });

  it('refuses a verification token after 24 hours, and a forged one', async () => {
    await register(valid('late@example.com'));
    const token = await mailedToken(app, 'late@example.com', 'verify-email');
    now += 24 * 3600_000 + 1000;
    try {
      expect((await app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token } })).statusCode).toBe(400);
    } finally {
      now -= 24 * 3600_000 + 1000;
    }
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token: `${token}x` } })).statusCode).toBe(400);
  });

  it('says why sign-in is refused only once the password was right', async () => {
    const registered = (await register(valid('steps@example.com'))).json();
    const attempt = (password: string) => app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'steps@example.com', password } });
    expect((await attempt('Wrong-Password-1!')).json().code).toBe('INVALID_CREDENTIALS');
    const unverified = await attempt(STRONG_PASSWORD);
    expect(unverified.statusCode).toBe(403);
    expect(unverified.json().code).toBe('EMAIL_NOT_VERIFIED');

    const token = await mailedToken(app, 'steps@example.com', 'verify-email');
    await app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token } });
    const unapproved = await attempt(STRONG_PASSWORD);
    expect(unapproved.statusCode).toBe(403);
    expect(unapproved.json().code).toBe('ACCOUNT_NOT_APPROVED');

    const approval = await app.inject({ method: 'POST', url: '/api/v1/admin/approve-user', headers: bearer(rootToken), payload: { user_id: registered.user_id } });
    expect(approval.statusCode).toBe(200);
    expect(approval.json()).toMatchObject({ user_id: registered.user_id, approved_by: expect.stringMatching(/^usr_/), message: 'User approved successfully' });
    expect(await mailTypes(app, 'steps@example.com')).toContain('account_approved');
    const ok = await attempt(STRONG_PASSWORD);
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ message: 'Login successful', email: 'steps@example.com', role: 'user', token_type: 'bearer', expires_in: 900 });
    const again = await app.inject({ method: 'POST', url: '/api/v1/admin/approve-user', headers: bearer(rootToken), payload: { user_id: registered.user_id } });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('INVALID_STATE_TRANSITION');
  });

  it('locks a rejected registration out, with the reason kept as plain data', async () => {
    const registered = (await register(valid('reject@example.com'))).json();
    const reason = `<script>alert(1)</script>'; DROP TABLE users; --`;
    const rejected = await app.inject({ method: 'POST', url: `/api/v1/admin/users/${registered.user_id}/reject`, headers: bearer(rootToken), payload: { reason } });
    expect(rejected.statusCode).toBe(200);
    const detail = await app.inject({ url: `/api/v1/admin/users/${registered.user_id}`, headers: bearer(rootToken) });
    expect(detail.json()).toMatchObject({ status: 'rejected', rejection_reason: reason });
    const token = await mailedToken(app, 'reject@example.com', 'verify-email');
    await app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token } });
    const attempt = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'reject@example.com', password: STRONG_PASSWORD } });
    expect(attempt.json().code).toBe('ACCOUNT_DISABLED');
  });

  it('resend-verification answers the same for known, verified and unknown emails', async () => {
    await register(valid('resend@example.com'));
    const answers = [];
    for (const email of ['resend@example.com', 'nobody-here@example.com', ROOT.email]) {
      const response = await app.inject({ method: 'POST', url: '/api/v1/auth/resend-verification', payload: { email } });
      expect(response.statusCode).toBe(200);
      answers.push({ ...response.json(), email: undefined });
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(await mailTypes(app, 'resend@example.com')).toEqual(['verify_email', 'verify_email']);
    expect(await mailTypes(app, 'nobody-here@example.com')).toEqual([]);
    expect(await mailTypes(app, ROOT.email)).toEqual([]);
  });
});

describe('without admin approval', () => {
  it('lets a verified user sign in when REQUIRE_ADMIN_APPROVAL=false', async () => {
    const open = await createIdentityApp({ env: { REQUIRE_ADMIN_APPROVAL: 'false' } });
    try {
      const response = await open.inject({ method: 'POST', url: '/api/v1/auth/register', payload: valid('open@example.com') });
      expect(response.json().approval_required).toBe(false);
      const token = await mailedToken(open, 'open@example.com', 'verify-email');
      await open.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token } });
      expect((await login(open, 'open@example.com', STRONG_PASSWORD)).access_token).toBeTruthy();
    } finally {
      await open.close();
    }
  });
});
