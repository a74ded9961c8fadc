import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeUser, auditActions, bearer, createIdentityApp, login, mailedToken, ROOT, STRONG_PASSWORD } from '../support/identity';

let app: FastifyInstance;
let rootToken: string;
let adminToken: string;

beforeAll(async () => {
  app = await createIdentityApp();
  rootToken = (await login(app, ROOT.email, ROOT.password)).access_token;
  adminToken = (await activeUser(app, rootToken, 'admin@example.com', 'admin')).token;
});
afterAll(() => app.close());

describe('users administration (seed 003 §3)', () => {
  it('creates verified, approved users and lists them with filters and keyset pages', async () => {
    for (const [email, role] of [['m1@example.com', 'manager'], ['u1@example.com', 'user'], ['u2@example.com', 'user'], ['a1@example.com', 'auditor']]) {
      await activeUser(app, adminToken, email!, role);
    }
    const managers = (await app.inject({ url: '/api/v1/admin/users?role=manager', headers: bearer(adminToken) })).json();
    expect(managers.items.map((u: { email: string }) => u.email)).toEqual(['m1@example.com']);
    expect(managers.items[0]).toMatchObject({ is_verified: true, is_approved: true, is_active: true, status: 'active' });
    const search = (await app.inject({ url: '/api/v1/admin/users?q=u1%40', headers: bearer(adminToken) })).json();
    expect(search.items).toHaveLength(1);
    const first = (await app.inject({ url: '/api/v1/admin/users?limit=2&sort=email&include_total=true', headers: bearer(adminToken) })).json();
    expect(first.items).toHaveLength(2);
    expect(first.total).toBeGreaterThanOrEqual(6);
    const second = (await app.inject({ url: `/api/v1/admin/users?limit=2&sort=email&cursor=${encodeURIComponent(first.next_cursor)}`, headers: bearer(adminToken) })).json();
    expect(second.items[0].email > first.items[1].email).toBe(true);
  });

  it('refuses a duplicate email with 409', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/admin/users', headers: bearer(adminToken), payload: { email: 'U1@example.com', password: STRONG_PASSWORD, first_name: 'Dup', last_name: 'Licate' } });
    expect(response.statusCode).toBe(409);
    expect(response.json().code).toBe('EMAIL_ALREADY_EXISTS');
  });

  it('invites a user created without a password; the link sets it', async () => {
    const created = await app.inject({ method: 'POST', url: '/api/v1/admin/users', headers: bearer(adminToken), payload: { email: 'invitee@example.com', first_name: 'In', last_name: 'Vitee' } });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe(`/api/v1/admin/users/${created.json().user_id}`);
    const token = await mailedToken(app, 'invitee@example.com', 'reset-password');
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/reset-password', payload: { token, new_password: 'Invited-Pass-77!' } })).statusCode).toBe(200);
    expect((await login(app, 'invitee@example.com', 'Invited-Pass-77!')).access_token).toBeTruthy();
  });

  it('updates with PUT (all fields) and PATCH (some), honouring If-Match', async () => {
    const user = await activeUser(app, adminToken, 'editable@example.com');
    const partial = await app.inject({ method: 'PUT', url: `/api/v1/admin/users/${user.id}`, headers: bearer(adminToken), payload: { first_name: 'Only' } });
    expect(partial.statusCode).toBe(422);
    const put = await app.inject({ method: 'PUT', url: `/api/v1/admin/users/${user.id}`, headers: bearer(adminToken), payload: { first_name: 'jane', last_name: 'johnson', role: 'manager', is_active: true } });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ first_name: 'Jane', last_name: 'Johnson', role: 'manager', version: 2 });
    const stale = await app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${user.id}`, headers: { ...bearer(adminToken), 'if-match': '"v1"' }, payload: { department: 'Sales' } });
    expect(stale.statusCode).toBe(412);
    // The new role applies on the user's very next request.
    const reports = await app.inject({ url: '/api/v1/admin/users', headers: bearer(user.token) });
    expect(reports.statusCode).toBe(200);
  });

  it('signs a deactivated user out at once', async () => {
    const user = await activeUser(app, adminToken, 'leaver@example.com');
    const response = await app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${user.id}`, headers: bearer(adminToken), payload: { is_active: false } });
    expect(response.json().status).toBe('inactive');
    expect((await app.inject({ url: '/api/v1/profile/me', headers: bearer(user.token) })).statusCode).toBe(401);
    expect((await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'leaver@example.com', password: STRONG_PASSWORD } })).json().code).toBe('ACCOUNT_DISABLED');
  });

  it('deletes a user, keeping the audit trail', async () => {
    const user = await activeUser(app, adminToken, 'gone@example.com');
    const response = await app.inject({ method: 'DELETE', url: `/api/v1/admin/users/${user.id}`, headers: bearer(adminToken) });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ user_id: user.id, email: 'gone@example.com', message: 'User deleted successfully' });
    expect((await app.inject({ url: `/api/v1/admin/users/${user.id}`, headers: bearer(adminToken) })).statusCode).toBe(404);
    expect((await app.inject({ url: '/api/v1/profile/me', headers: bearer(user.token) })).statusCode).toBe(401);
    expect(await auditActions(app, user.id)).toEqual(expect.arrayContaining(['admin.user_created', 'user.login', 'admin.user_deleted']));
  });

  it('reports statistics and roles', async () => {
    const stats = (await app.inject({ url: '/api/v1/admin/stats', headers: bearer(adminToken) })).json();
    expect(stats.total_users).toBe(stats.active_users + stats.inactive_users);
    expect(stats.users_by_role.manager).toBeGreaterThanOrEqual(1);
    const roles = (await app.inject({ url: '/api/v1/admin/roles', headers: bearer(adminToken) })).json();
    expect(roles.map((r: { name: string }) => r.name)).toEqual(['user', 'teacher', 'manager', 'auditor', 'admin', 'super_admin']);
    expect(roles.find((r: { name: string }) => r.name === 'user').permissions).toEqual(['profile:read', 'profile:update', 'job:read', 'file:create', 'file:read', 'client:read', 'master_data:read', 'invoice:read', 'payment:read', 'credit_note:read', 'recurring_invoice:read']);
  });
});

describe('permissions', () => {
  it('lets a plain user read their profile and nothing administrative (403, audited)', async () => {
    const user = await activeUser(app, adminToken, 'plain@example.com');
    const denied = await app.inject({ url: '/api/v1/admin/users', headers: bearer(user.token) });
    expect(denied.statusCode).toBe(403);
    expect(denied.json().code).toBe('INSUFFICIENT_PERMISSIONS');
    expect(await auditActions(app, user.id)).toContain('access.denied');
    expect((await app.inject({ url: '/api/v1/audit/logs', headers: bearer(user.token) })).statusCode).toBe(403);
  });

  it('lets a manager read users but not create them', async () => {
    const manager = await activeUser(app, adminToken, 'boss@example.com', 'manager');
    expect((await app.inject({ url: '/api/v1/admin/users', headers: bearer(manager.token) })).statusCode).toBe(200);
    const create = await app.inject({ method: 'POST', url: '/api/v1/admin/users', headers: bearer(manager.token), payload: { email: 'x1@example.com', password: STRONG_PASSWORD, first_name: 'Xx', last_name: 'Yy' } });
    expect(create.statusCode).toBe(403);
  });

  it('never lets an admin hand out a role above their own, or change their own', async () => {
    const promote = await app.inject({ method: 'POST', url: '/api/v1/admin/users', headers: bearer(adminToken), payload: { email: 'climber@example.com', password: STRONG_PASSWORD, first_name: 'Cl', last_name: 'Imber', role: 'super_admin' } });
    expect(promote.statusCode).toBe(403);
    const adminId = (await app.inject({ url: '/api/v1/profile/me', headers: bearer(adminToken) })).json().user_id;
    const self = await app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${adminId}`, headers: bearer(adminToken), payload: { role: 'super_admin' } });
    expect(self.statusCode).toBe(403);
    const unknown = await app.inject({ method: 'POST', url: '/api/v1/admin/users', headers: bearer(adminToken), payload: { email: 'odd@example.com', password: STRONG_PASSWORD, first_name: 'Od', last_name: 'Dd', role: 'wizard' } });
    expect(unknown.statusCode).toBe(422);
  });

  it('keeps profile edits to names: role, status and email cannot be changed there', async () => {
    const user = await activeUser(app, adminToken, 'selfish@example.com');
    for (const payload of [{ first_name: 'Self', last_name: 'Ish', role: 'admin' }, { first_name: 'Self', last_name: 'Ish', email: 'new@example.com' }, { first_name: 'Self', last_name: 'Ish', status: 'active' }]) {
      const response = await app.inject({ method: 'PUT', url: '/api/v1/profile/me', headers: bearer(user.token), payload });
      expect(response.statusCode).toBe(422);
    }
    const ok = await app.inject({ method: 'PUT', url: '/api/v1/profile/me', headers: bearer(user.token), payload: { first_name: 'self', last_name: 'ish' } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ first_name: 'Self', last_name: 'Ish', role: 'user', email: 'selfish@example.com' });
  });

  it('shows a profile change at once to every session of the user, whoever made it', async () => {
    const user = await activeUser(app, adminToken, 'twosessions@example.com');
    const other = (await login(app, 'twosessions@example.com', STRONG_PASSWORD)).access_token;
    const profile = (token: string) => app.inject({ url: '/api/v1/profile/me', headers: bearer(token) });
    // Both sessions have read (and cached) the profile.
    expect((await profile(user.token)).json()).toMatchObject({ first_name: 'Test', role: 'user', version: 1 });
    expect((await profile(other)).json()).toMatchObject({ first_name: 'Test', role: 'user', version: 1 });

    const renamed = await app.inject({ method: 'PUT', url: '/api/v1/profile/me', headers: bearer(user.token), payload: { first_name: 'Renamed', last_name: 'Person' } });
    expect(renamed.statusCode).toBe(200);
    const seen = await profile(other);
    expect(seen.json()).toMatchObject({ first_name: 'Renamed', version: 2 });
    expect(seen.headers.etag).toBe('"v2"');

    const promoted = await app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${user.id}`, headers: bearer(adminToken), payload: { role: 'manager' } });
    expect(promoted.statusCode, promoted.body).toBe(200);
    expect((await profile(user.token)).json()).toMatchObject({ role: 'manager', version: 3 });
    expect((await profile(other)).json()).toMatchObject({ role: 'manager', version: 3 });
  });
});

describe('organizations and tenant isolation', () => {
  it('lets only a super_admin create an organization, whose admin sees only their own tenant', async () => {
    const refused = await app.inject({ method: 'POST', url: '/api/v1/organizations', headers: bearer(adminToken), payload: { name: 'Nope Ltd', admin: { email: 'nope@example.com', password: STRONG_PASSWORD, first_name: 'No', last_name: 'Pe' } } });
    expect(refused.statusCode).toBe(403);
    const created = await app.inject({ method: 'POST', url: '/api/v1/organizations', headers: bearer(rootToken), payload: { name: 'Acme School', admin: { email: 'head@acme.example', password: STRONG_PASSWORD, first_name: 'Head', last_name: 'Teacher' } } });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'Acme School', is_default: false, admin: { email: 'head@acme.example' } });
    const list = (await app.inject({ url: '/api/v1/organizations', headers: bearer(rootToken) })).json();
    expect(list.items.map((o: { name: string }) => o.name)).toEqual(expect.arrayContaining(['Default organization', 'Acme School']));

    const acmeAdmin = (await login(app, 'head@acme.example', STRONG_PASSWORD)).access_token;
    const theirs = (await app.inject({ url: '/api/v1/admin/users?include_total=true', headers: bearer(acmeAdmin) })).json();
    expect(theirs.total).toBe(1);
    const ours = (await app.inject({ url: '/api/v1/admin/users?q=plain', headers: bearer(adminToken) })).json();
    const foreignId = ours.items[0].user_id;
    for (const [method, url, payload] of [
      ['GET', `/api/v1/admin/users/${foreignId}`, undefined],
      ['PATCH', `/api/v1/admin/users/${foreignId}`, { first_name: 'Hacked' }],
      ['DELETE', `/api/v1/admin/users/${foreignId}`, undefined],
      ['POST', `/api/v1/admin/users/${foreignId}/reset-login-attempts`, undefined],
      ['POST', '/api/v1/admin/approve-user', { user_id: foreignId }],
    ] as const) {
      const response = await app.inject({ method, url, headers: bearer(acmeAdmin), payload });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
    }
    expect((await app.inject({ url: `/api/v1/admin/users/${foreignId}`, headers: bearer(adminToken) })).json().first_name).toBe('Test');
  });
});

describe('hostile text', () => {
  const hostile = [`'; DROP TABLE users; --`, '<script>alert("x")</script>', '{{7*7}} ${7*7} %s %n', 'Robert\'); DELETE FROM sessions;--'];

  it('is stored and returned as plain data in every free-text field', async () => {
    const root = (await login(app, ROOT.email, ROOT.password)).access_token;
    const user = await activeUser(app, adminToken, 'hostile@example.com');
    for (const text of hostile) {
      const department = await app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${user.id}`, headers: bearer(adminToken), payload: { department: text } });
      expect(department.json().department).toBe(text);
      const key = await app.inject({ method: 'POST', url: '/api/v1/api-keys', headers: bearer(adminToken), payload: { name: text, permissions: ['user:read'] } });
      expect(key.json().name).toBe(text);
      const role = await app.inject({ method: 'POST', url: '/api/v1/rbac-enhanced/roles', headers: bearer(adminToken), payload: { name: `r${hostile.indexOf(text)}`, description: text, parent_role: 'user', grants: [] } });
      expect(role.json().description).toBe(text);
      const org = await app.inject({ method: 'POST', url: '/api/v1/organizations', headers: bearer(root), payload: { name: text, admin: { email: `org${hostile.indexOf(text)}@hostile.example`, first_name: 'Ho', last_name: 'Stile' } } });
      expect(org.json().name).toBe(text);
      const search = await app.inject({ url: `/api/v1/admin/users?q=${encodeURIComponent(text)}`, headers: bearer(adminToken) });
      expect(search.statusCode).toBe(200);
    }
    const count = await app.kernel.database.query<{ n: number }>('SELECT count(*)::int AS n FROM users');
    expect(count[0]!.n).toBeGreaterThan(5);
  });
});
