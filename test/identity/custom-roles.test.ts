import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/kernel/access/grants';
import { activeUser, bearer, createIdentityApp, login, ROOT } from '../support/identity';

let app: FastifyInstance;
let adminToken: string;

beforeAll(async () => {
  app = await createIdentityApp();
  const root = (await login(app, ROOT.email, ROOT.password)).access_token;
  adminToken = (await activeUser(app, root, 'rbac-admin@example.com', 'admin')).token;
});
afterAll(() => app.close());

const createRole = (payload: object) => app.inject({ method: 'POST', url: '/api/v1/rbac-enhanced/roles', headers: bearer(adminToken), payload });
const check = (payload: object) => app.inject({ method: 'POST', url: '/api/v1/rbac-enhanced/check', headers: bearer(adminToken), payload });

describe('custom roles (seed 000 enhanced RBAC)', () => {
  it('inherit their parent, add grants, and override by denying', async () => {
    const created = await createRole({
      name: 'junior_manager',
      display_name: 'Junior Manager',
      parent_role: 'manager',
      grants: [
        { permission: 'user:update', effect: 'deny' },
        { permission: 'invoice:read', effect: 'allow' },
      ],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ name: 'junior_manager', parent_role: 'manager', built_in: false, version: 1 });
    const junior = await activeUser(app, adminToken, 'junior@example.com', 'junior_manager');
    // Inherited from manager:
    expect((await app.inject({ url: '/api/v1/admin/users', headers: bearer(junior.token) })).statusCode).toBe(200);
    // Overridden by the deny:
    const patch = await app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${junior.id}`, headers: bearer(junior.token), payload: { first_name: 'Nope' } });
    expect(patch.statusCode).toBe(403);
    const explained = (await check({ user_id: junior.id, permission: 'user:update' })).json();
    expect(explained).toMatchObject({ allowed: false, role: 'junior_manager', reason: 'denied by user:update in role junior_manager' });
    expect((await check({ user_id: junior.id, permission: 'invoice:read' })).json()).toMatchObject({ allowed: true, reason: 'granted by invoice:read in role junior_manager' });
    expect((await check({ user_id: junior.id, permission: 'reports:read' })).json()).toMatchObject({ allowed: true, reason: 'granted by reports:read in role manager' });
  });

  it('take effect on the next request when their grants change', async () => {
    const role = (await createRole({ name: 'reader', parent_role: 'user', grants: [{ permission: 'user:read', effect: 'allow' }] })).json();
    const reader = await activeUser(app, adminToken, 'reader@example.com', 'reader');
    expect((await app.inject({ url: '/api/v1/admin/users', headers: bearer(reader.token) })).statusCode).toBe(200);
    const update = await app.inject({ method: 'PATCH', url: `/api/v1/rbac-enhanced/roles/${role.id}`, headers: { ...bearer(adminToken), 'if-match': '"v1"' }, payload: { grants: [] } });
    expect(update.statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/admin/users', headers: bearer(reader.token) })).statusCode).toBe(403);
  });

  it('apply IP-range and time-window conditions at request time', async () => {
    await createRole({ name: 'office_only', parent_role: 'user', grants: [{ permission: 'user:read', effect: 'allow', conditions: { ip_ranges: ['10.0.0.0/8'] } }] });
    const clerk = await activeUser(app, adminToken, 'clerk@example.com', 'office_only');
    // Tests reach the app from 127.0.0.1, outside 10.0.0.0/8.
    expect((await app.inject({ url: '/api/v1/admin/users', headers: bearer(clerk.token) })).statusCode).toBe(403);
    expect((await check({ user_id: clerk.id, permission: 'user:read', context: { ip_address: '10.1.2.3' } })).json().allowed).toBe(true);
    const outside = (await check({ user_id: clerk.id, permission: 'user:read', context: { ip_address: '192.168.1.100' } })).json();
    expect(outside).toMatchObject({ allowed: false, reason: 'address 192.168.1.100 is outside 10.0.0.0/8' });

    await createRole({ name: 'day_shift', parent_role: 'user', grants: [{ permission: 'user:read', effect: 'allow', conditions: { time_window: { start: '09:00', end: '17:00', days: [1, 2, 3, 4, 5], timezone: 'Asia/Phnom_Penh' } } }] });
    const shift = await activeUser(app, adminToken, 'shift@example.com', 'day_shift');
    // 2026-11-25 is a Wednesday; 03:00Z is 10:00 in Phnom Penh, 12:00Z is 19:00.
    expect((await check({ user_id: shift.id, permission: 'user:read', context: { at: '2026-11-25T03:00:00Z' } })).json().allowed).toBe(true);
    expect((await check({ user_id: shift.id, permission: 'user:read', context: { at: '2026-11-25T12:00:00Z' } })).json().allowed).toBe(false);
    expect((await check({ user_id: shift.id, permission: 'user:read', context: { at: '2026-11-28T03:00:00Z' } })).json().allowed).toBe(false);
  });

  it('check own-record and department conditions against the resource', async () => {
    await createRole({ name: 'sales_rep', parent_role: 'user', grants: [
      { permission: 'customer:update', effect: 'allow', conditions: { own_records_only: true } },
      { permission: 'customer:read', effect: 'allow', conditions: { department: 'own' } },
    ] });
    const rep = await activeUser(app, adminToken, 'rep@example.com', 'sales_rep');
    await app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${rep.id}`, headers: bearer(adminToken), payload: { department: 'sales' } });
    expect((await check({ user_id: rep.id, permission: 'customer:update', context: { resource_owner_id: rep.id } })).json().allowed).toBe(true);
    expect((await check({ user_id: rep.id, permission: 'customer:update', context: { resource_owner_id: 'usr_someone_else' } })).json()).toMatchObject({ allowed: false, reason: 'the record belongs to someone else' });
    expect((await check({ user_id: rep.id, permission: 'customer:read', context: { resource_department: 'sales' } })).json().allowed).toBe(true);
    expect((await check({ user_id: rep.id, permission: 'customer:read', context: { resource_department: 'finance' } })).json().allowed).toBe(false);
    expect((await check({ user_id: rep.id, permission: 'customer:update' })).json()).toMatchObject({ allowed: true, pending_conditions: { own_records_only: true } });
  });

  it('refuse unknown parents, names taken by built-in roles, parents above the creator, and deletion while in use', async () => {
    expect((await createRole({ name: 'orphan', parent_role: 'no_such_role', grants: [] })).statusCode).toBe(422);
    expect((await createRole({ name: 'admin', parent_role: 'user', grants: [] })).statusCode).toBe(409);
    expect((await createRole({ name: 'emperor', parent_role: 'super_admin', grants: [] })).statusCode).toBe(403);
    expect((await createRole({ name: 'bad_grant', parent_role: 'user', grants: [{ permission: 'everything', effect: 'allow' }] })).statusCode).toBe(422);
    const roles = (await app.inject({ url: '/api/v1/rbac-enhanced/roles', headers: bearer(adminToken) })).json().items;
    const junior = roles.find((r: { name: string }) => r.name === 'junior_manager');
    const removal = await app.inject({ method: 'DELETE', url: `/api/v1/rbac-enhanced/roles/${junior.id}`, headers: bearer(adminToken) });
    expect(removal.statusCode).toBe(409);
    const unused = (await createRole({ name: 'temporary', parent_role: 'user', grants: [] })).json();
    expect((await app.inject({ method: 'DELETE', url: `/api/v1/rbac-enhanced/roles/${unused.id}`, headers: bearer(adminToken) })).statusCode).toBe(204);
  });

  it('refuse an organization admin grants that reach every organization (backups, organizations, * resources)', async () => {
    const names = async () => (await app.inject({ url: '/api/v1/rbac-enhanced/roles', headers: bearer(adminToken) })).json().items.map((r: { name: string }) => r.name);
    const before = await names();
    for (const permission of ['backup:download', 'backup:*', 'organization:create', '*:*', '*:read', '*']) {
      const response = await createRole({ name: 'escalator', parent_role: 'user', grants: [{ permission, effect: 'allow' }] });
      expect(response.statusCode, permission).toBe(422);
      expect(response.json().errors).toEqual([{ field: 'grants[0].permission', message: expect.stringContaining('every organization') }]);
    }
    const junior = (await app.inject({ url: '/api/v1/rbac-enhanced/roles', headers: bearer(adminToken) })).json().items.find((r: { name: string }) => r.name === 'junior_manager');
    const widened = await app.inject({ method: 'PATCH', url: `/api/v1/rbac-enhanced/roles/${junior.id}`, headers: bearer(adminToken), payload: { grants: [{ permission: 'backup:read', effect: 'allow' }] } });
    expect(widened.statusCode).toBe(422);
    expect(await names()).toEqual(before);
    // Denying is always allowed, and the platform's own admin may grant what it holds.
    expect((await createRole({ name: 'no_backups', parent_role: 'user', grants: [{ permission: 'backup:*', effect: 'deny' }] })).statusCode).toBe(201);
    const root = (await login(app, ROOT.email, ROOT.password)).access_token;
    const operator = await app.inject({ method: 'POST', url: '/api/v1/rbac-enhanced/roles', headers: bearer(root), payload: { name: 'backup_operator', parent_role: 'user', grants: [{ permission: 'backup:read', effect: 'allow' }] } });
    expect(operator.statusCode, operator.body).toBe(201);
  });
});

describe('grant evaluation', () => {
  const at = new Date('2026-11-25T10:00:00Z');
  it.each([
    [[{ permission: '*:*', effect: 'allow' as const }], 'invoice:void', true],
    [[{ permission: 'invoice:*', effect: 'allow' as const }], 'invoice:void', true],
    [[{ permission: 'invoice:read', effect: 'allow' as const }], 'invoice:void', false],
    [[{ permission: '*:*', effect: 'allow' as const }, { permission: 'invoice:void', effect: 'deny' as const }], 'invoice:void', false],
    [[{ permission: 'admin:all', effect: 'allow' as const }], 'admin:anything', true],
    [[], 'profile:read', false],
  ])('%j grants %s: %s', (grants, permission, allowed) => {
    expect(evaluate(grants, permission, { userId: 'usr_1', at }).allowed).toBe(allowed);
  });

  it('handles IPv6 ranges', () => {
    const grants = [{ permission: 'x:y', effect: 'allow' as const, conditions: { ip_ranges: ['2001:db8::/32'] } }];
    expect(evaluate(grants, 'x:y', { userId: 'u', at, ipAddress: '2001:db8::1' }).allowed).toBe(true);
    expect(evaluate(grants, 'x:y', { userId: 'u', at, ipAddress: '2001:db9::1' }).allowed).toBe(false);
  });
});
