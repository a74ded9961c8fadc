import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeUser, bearer, createIdentityApp, login, mailedToken, ROOT, STRONG_PASSWORD } from '../support/identity';

let app: FastifyInstance;
let adminToken: string;

beforeAll(async () => {
  app = await createIdentityApp();
  const root = (await login(app, ROOT.email, ROOT.password)).access_token;
  adminToken = (await activeUser(app, root, 'bulk-admin@example.com', 'admin')).token;
});
afterAll(() => app.close());

const people = (n: number, prefix: string) => Array.from({ length: n }, (_, i) => ({ email: `${prefix}${i}@example.com`, first_name: 'Bulk', last_name: 'Person' }));
const bulk = (path: 'create' | 'validate', payload: object) => app.inject({ method: 'POST', url: `/api/v1/bulk/users/${path}`, headers: bearer(adminToken), payload });
const count = async (prefix: string) => Number((await app.kernel.database.query<{ n: number }>('SELECT count(*)::int AS n FROM users WHERE email LIKE $1', [`${prefix}%`]))[0]!.n);

describe('bulk users (seed 003 §5)', () => {
  it('validates without writing, reporting each bad item', async () => {
    const items = [...people(3, 'val'), { email: 'bad', first_name: 'X', last_name: 'Person' }, { email: 'val0@example.com', first_name: 'Dup', last_name: 'Person' }];
    const response = await bulk('validate', { items });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ operation: 'validate_users', total: 5, successful: 3, failed: 2, skipped: 0, success_rate: 60 });
    expect(response.json().errors.map((e: { index: number }) => e.index)).toEqual([3, 4]);
    expect(await count('val')).toBe(0);
  });

  it('creates 1,000 users in one request, inviting each by email', async () => {
    const response = await bulk('create', { items: people(1000, 'thousand'), batch_size: 250 });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ operation: 'create_users', total: 1000, successful: 1000, failed: 0, skipped: 0, errors: [] });
    expect(body.throughput_per_second).toBeGreaterThan(0);
    expect(await count('thousand')).toBe(1000);
    const token = await mailedToken(app, 'thousand999@example.com', 'reset-password');
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { token, new_password: 'Welcome-Aboard-1!' } })).statusCode).toBe(200);
  }, 90_000);

  it('keeps going past bad items, or stops at the first with fail_fast', async () => {
    const items = [...people(2, 'mixed'), { email: 'thousand0@example.com', first_name: 'Taken', last_name: 'Person' }, ...people(2, 'mixedb')];
    const going = (await bulk('create', { items })).json();
    expect(going).toMatchObject({ successful: 4, failed: 1, skipped: 0 });
    expect(going.errors[0]).toMatchObject({ index: 2, code: 'EMAIL_ALREADY_EXISTS' });
    const stopping = (await bulk('create', { items: [...people(2, 'fast'), { email: 'broken', first_name: 'Bad', last_name: 'Person' }, ...people(2, 'fastb')], fail_fast: true })).json();
    expect(stopping, JSON.stringify(stopping)).toMatchObject({ total: 5, successful: 2, failed: 1, skipped: 2 });
    expect(await count('fastb')).toBe(0);
  });

  it('refuses more than 1,000 items and callers without user:create', async () => {
    expect((await bulk('create', { items: people(1001, 'toomany') })).statusCode).toBe(422);
    const user = await activeUser(app, adminToken, 'nobulk@example.com');
    expect((await app.inject({ method: 'POST', url: '/api/v1/bulk/users/create', headers: bearer(user.token), payload: { items: people(1, 'x') } })).statusCode).toBe(403);
  });
});

describe('GDPR (seed 003 §6)', () => {
  it('exports all of my personal data as JSON and as CSV', async () => {
    const me = await activeUser(app, adminToken, 'export@example.com');
    const json = await app.inject({ method: 'POST', url: '/api/v1/gdpr/export/my-data', headers: bearer(me.token), payload: { format: 'json' } });
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-disposition']).toBe(`attachment; filename="deskbase-export-${me.id}.json"`);
    const document = json.json();
    expect(document.metadata).toMatchObject({ user_id: me.id, format: 'json', categories: ['profile', 'sessions', 'audit'] });
    expect(document.personal_data.user_profile).toMatchObject({ email: 'export@example.com', first_name: 'Test' });
    expect(document.personal_data.activity_logs.map((a: { action: string }) => a.action)).toContain('user.login');
    const csv = await app.inject({ method: 'POST', url: '/api/v1/gdpr/export/my-data', headers: bearer(me.token), payload: { format: 'csv', include_audit_logs: false } });
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n')[0]).toBe('"category","field","value","timestamp"');
    expect(csv.body).toContain('"profile","email","export@example.com",""');
    expect(csv.body).not.toContain('"audit"');
  });

  it('erases my account with the confirmation phrase, anonymising my audit entries', async () => {
    const me = await activeUser(app, adminToken, 'erase@example.com');
    const wrong = await app.inject({ method: 'DELETE', url: '/api/v1/gdpr/delete/my-account', headers: bearer(me.token), payload: { confirmation: 'delete my account' } });
    expect(wrong.statusCode).toBe(422);
    const response = await app.inject({ method: 'DELETE', url: '/api/v1/gdpr/delete/my-account', headers: bearer(me.token), payload: { confirmation: 'DELETE MY ACCOUNT', reason: 'leaving' } });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ user_id: me.id, anonymization_applied: true });
    expect(body.records_deleted).toBeGreaterThanOrEqual(2);
    expect(body.records_anonymized).toBeGreaterThanOrEqual(1);
    const rows = await app.kernel.database.query<{ ip_address: string | null; user_agent: string | null; action: string }>('SELECT ip_address, user_agent, action FROM audit_logs WHERE actor_id = $1', [me.id]);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.every((r) => r.ip_address === null && r.user_agent === null)).toBe(true);
    expect(JSON.stringify(await app.kernel.database.query('SELECT * FROM users WHERE id = $1', [me.id]))).toBe('[]');
    expect(JSON.stringify(await app.kernel.database.query('SELECT * FROM email_messages WHERE to_address = $1', ['erase@example.com']))).toBe('[]');
    expect((await app.inject({ url: '/api/v1/profile/me', headers: bearer(me.token) })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'erase@example.com', password: STRONG_PASSWORD } })).statusCode).toBe(401);
  });

  it('refuses to erase the last super_admin', async () => {
    const root = (await login(app, ROOT.email, ROOT.password)).access_token;
    const response = await app.inject({ method: 'DELETE', url: '/api/v1/gdpr/delete/my-account', headers: bearer(root), payload: { confirmation: 'DELETE MY ACCOUNT' } });
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('LAST_SUPER_ADMIN');
  });
});
