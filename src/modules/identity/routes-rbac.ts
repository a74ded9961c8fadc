import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { originOf } from '../../kernel/audit/audit';
import { ifMatchVersion } from '../../kernel/http/etag';
import type { IdentityContext } from './context';
import * as rbac from './rbac';
import * as s from './schemas';

const security: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKey: [] }];
const tags = ['rbac'];

/** Seed 000 "Enhanced RBAC": custom roles with inheritance and conditional grants, and the check. */
export function rbacRoutes(ctx: IdentityContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/rbac-enhanced/roles', { config: { permission: 'role:read' }, schema: { tags, security, summary: 'Built-in and custom roles', response: { 200: Type.Object({ items: Type.Array(s.CustomRole) }) } } }, async (request) =>
      rbac.listRoles(ctx, request.actor!),
    );
    app.post('/rbac-enhanced/roles', { config: { permission: 'role:create' }, schema: { tags, security, summary: 'Create a custom role', body: s.CreateRoleBody, response: { 201: s.CustomRole } } }, async (request, reply) => {
      const role = await rbac.createRole(ctx, originOf(request), request.actor!, request.body, request.locale);
      return reply.code(201).header('location', `/api/v1/rbac-enhanced/roles/${role.id}`).header('etag', `"v${role.version}"`).send(role);
    });
    app.patch('/rbac-enhanced/roles/:id', { config: { permission: 'role:update' }, schema: { tags, security, summary: 'Change a custom role (takes effect on the next request)', params: s.RoleParams, body: s.UpdateRoleBody, response: { 200: s.CustomRole } } }, async (request, reply) =>
      reply.sendResource(await rbac.updateRole(ctx, originOf(request), request.actor!, request.params.id, request.body, request.locale, ifMatchVersion(request))),
    );
    app.delete('/rbac-enhanced/roles/:id', { config: { permission: 'role:delete' }, schema: { tags, security, summary: 'Delete an unused custom role', params: s.RoleParams } }, async (request, reply) => {
      await rbac.deleteRole(ctx, originOf(request), request.actor!, request.params.id);
      return reply.code(204).send();
    });
    app.post('/rbac-enhanced/check', { config: { permission: 'role:read' }, schema: { tags, security, summary: 'May this user do this action on this resource in this context, and why', body: s.CheckBody, response: { 200: s.CheckResponse } } }, async (request) =>
      // Grant (kernel type) and GrantSchema (its wire schema) describe the same shape.
      (await rbac.checkPermission(ctx, request.actor!, request.body)) as Static<typeof s.CheckResponse>,
    );
  };
}
