import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { originOf } from '../../kernel/audit/audit';
import { auditSummary, queryAudit } from '../../kernel/audit/queries';
import { ifMatchVersion } from '../../kernel/http/etag';
import { listQuerySchema, pageSchema } from '../../kernel/http/pagination';
import * as admin from './admin-users';
import type { IdentityContext } from './context';
import { BUILT_IN_ROLES } from './roles';
import * as s from './schemas';

const security: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKey: [] }];
const tags = ['admin'];
const adminConfig = (permission: string) => ({ permission, rateLimit: 'admin' as const });

const ListUsersQuery = listQuerySchema(['created_at', 'email', 'last_name'], {
  role: Type.Optional(Type.String({ maxLength: 50 })),
  is_active: Type.Optional(Type.Boolean()),
  status: Type.Optional(Type.Union([Type.Literal('pending_verification'), Type.Literal('pending_approval'), Type.Literal('rejected')])),
  q: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
}, '-created_at');

const AuditQuery = listQuerySchema(['created_at'], {
  action: Type.Optional(Type.String({ maxLength: 100 })),
  resource: Type.Optional(Type.String({ maxLength: 100 })),
  user_id: Type.Optional(Type.String({ maxLength: 64 })),
  severity: Type.Optional(Type.Union(['low', 'medium', 'high', 'critical'].map((v) => Type.Literal(v)))),
  outcome: Type.Optional(Type.Union(['success', 'failure', 'denied'].map((v) => Type.Literal(v)))),
  start_date: Type.Optional(Type.String({ format: 'date-time' })),
  end_date: Type.Optional(Type.String({ format: 'date-time' })),
}, '-created_at');

/** Seed 003 §3 (admin) and §4 (audit), plus seed 002's login-attempt reset. */
export function adminRoutes(ctx: IdentityContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/admin/users', { config: adminConfig('user:read'), schema: { tags, security, summary: 'List users', querystring: ListUsersQuery, response: { 200: pageSchema(s.AdminUser) } } }, async (request) =>
      admin.listUsers(ctx, request.actor!, request.query),
    );
    app.get('/admin/users/:user_id', { config: adminConfig('user:read'), schema: { tags, security, summary: 'Get a user', params: s.UserParams, response: { 200: s.AdminUser } } }, async (request, reply) =>
      reply.sendResource(await admin.getUser(ctx, request.actor!, request.params.user_id)),
    );
    app.post('/admin/users', { config: adminConfig('user:create'), schema: { tags, security, summary: 'Create a user (verified and approved; without a password, invited by email)', body: s.CreateUserBody, response: { 201: s.CreateUserResponse } } }, async (request, reply) => {
      const created = await admin.createUser(ctx, originOf(request), request.actor!, { ...request.body, role: request.body.role ?? 'user' }, request.locale);
      return reply.code(201).header('location', `/api/v1/admin/users/${created.user_id}`).send(created);
    });
    app.put('/admin/users/:user_id', { config: adminConfig('user:update'), schema: { tags, security, summary: 'Replace a user’s editable fields', params: s.UserParams, body: s.ReplaceUserBody, response: { 200: s.AdminUser } } }, async (request, reply) =>
      reply.sendResource(await admin.updateUser(ctx, originOf(request), request.actor!, request.params.user_id, request.body, request.locale, ifMatchVersion(request))),
    );
    app.patch('/admin/users/:user_id', { config: adminConfig('user:update'), schema: { tags, security, summary: 'Update some of a user’s fields', params: s.UserParams, body: s.PatchUserBody, response: { 200: s.AdminUser } } }, async (request, reply) =>
      reply.sendResource(await admin.updateUser(ctx, originOf(request), request.actor!, request.params.user_id, request.body, request.locale, ifMatchVersion(request))),
    );
    app.delete('/admin/users/:user_id', { config: adminConfig('user:delete'), schema: { tags, security, summary: 'Delete a user', params: s.UserParams, response: { 200: s.DeleteUserResponse } } }, async (request) =>
      admin.deleteUser(ctx, originOf(request), request.actor!, request.params.user_id, ifMatchVersion(request)),
    );
    app.post('/admin/approve-user', { config: adminConfig('user:update'), schema: { tags, security, summary: 'Approve a registration', body: s.ApproveBody, response: { 200: s.ApproveResponse } } }, async (request) =>
      admin.approveUser(ctx, originOf(request), request.actor!, request.body.user_id, request.locale),
    );
    app.post('/admin/users/:user_id/reject', { config: adminConfig('user:update'), schema: { tags, security, summary: 'Reject a registration', params: s.UserParams, body: s.RejectBody, response: { 200: s.RejectResponse } } }, async (request) =>
      admin.rejectUser(ctx, originOf(request), request.actor!, request.params.user_id, request.body.reason, request.locale),
    );
    app.post('/admin/users/:user_id/reset-login-attempts', { config: adminConfig('user:update'), schema: { tags, security, summary: 'Clear failed sign-in attempts and any lock', params: s.UserParams, response: { 200: s.AdminUser } } }, async (request) =>
      admin.resetLoginAttempts(ctx, originOf(request), request.actor!, request.params.user_id),
    );
    app.get('/admin/roles', { config: adminConfig('user:read'), schema: { tags, security, summary: 'Roles and their permissions', response: { 200: Type.Array(s.Role) } } }, async () => BUILT_IN_ROLES);
    app.get('/admin/stats', { config: adminConfig('user:read'), schema: { tags, security, summary: 'User statistics', response: { 200: s.Stats } } }, async (request) =>
      admin.userStats(ctx, request.actor!),
    );
    app.get('/admin/audit-logs', { config: adminConfig('audit:read'), schema: { tags, security, summary: 'Audit trail (seed 003 §3.9 path)', querystring: AuditQuery, response: { 200: pageSchema(s.AuditEntry) } } }, async (request) =>
      queryAudit(ctx.kernel.database.db, ctx.kernel.cursors, request.actor!.organizationId, request.query),
    );
    app.get('/audit/logs', { config: { permission: 'audit:read' }, schema: { tags: ['audit'], security, summary: 'Query the audit trail', querystring: AuditQuery, response: { 200: pageSchema(s.AuditEntry) } } }, async (request) =>
      queryAudit(ctx.kernel.database.db, ctx.kernel.cursors, request.actor!.organizationId, request.query),
    );
    app.get('/audit/summary', { config: { permission: 'audit:read' }, schema: { tags: ['audit'], security, summary: 'Audit trail summary', response: { 200: s.AuditSummary } } }, async (request) =>
      auditSummary(ctx.kernel.database.db, request.actor!.organizationId, ctx.kernel.now()),
    );
  };
}
