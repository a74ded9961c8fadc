import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { originOf } from '../../kernel/audit/audit';
import { listQuerySchema, pageSchema } from '../../kernel/http/pagination';
import * as keys from './api-keys';
import type { IdentityContext } from './context';
import * as orgs from './organizations';
import * as s from './schemas';

const security: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKey: [] }];

/** `/api-keys` (any signed-in user, scoped to their own permissions) and `/organizations` (super_admin). */
export function keyAndOrganizationRoutes(ctx: IdentityContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['api keys'];
    app.post('/api-keys', { config: { auth: 'required', idempotency: false }, schema: { tags, security, summary: 'Create an API key (the secret is shown once)', body: s.CreateApiKeyBody, response: { 201: s.CreatedApiKey } } }, async (request, reply) => {
      const created = await keys.createApiKey(ctx, originOf(request), request.actor!, request.body, request.locale);
      return reply.code(201).header('location', `/api/v1/api-keys/${created.id}`).send(created);
    });
    app.get('/api-keys', { config: { permission: 'api_key:read' }, schema: { tags, security, summary: 'List the organization’s API keys', querystring: listQuerySchema(['created_at'], {}, '-created_at'), response: { 200: pageSchema(s.ApiKey) } } }, async (request) =>
      keys.listApiKeys(ctx, request.actor!, request.query),
    );
    app.delete('/api-keys/:id', { config: { permission: 'api_key:delete' }, schema: { tags, security, summary: 'Revoke an API key', params: s.ApiKeyParams } }, async (request, reply) => {
      await keys.revokeApiKey(ctx, originOf(request), request.actor!, request.params.id);
      return reply.code(204).send();
    });

    const orgTags = ['organizations'];
    app.post('/organizations', { config: { permission: 'organization:create' }, schema: { tags: orgTags, security, summary: 'Create an organization with its first admin', body: s.CreateOrganizationBody, response: { 201: s.CreatedOrganization } } }, async (request, reply) => {
      const created = await orgs.createOrganization(ctx, originOf(request), request.actor!, request.body, request.locale);
      return reply.code(201).header('location', `/api/v1/organizations/${created.id}`).send(created);
    });
    app.get('/organizations', { config: { permission: 'organization:read' }, schema: { tags: orgTags, security, summary: 'List organizations', querystring: listQuerySchema(['created_at', 'name'], {}, 'created_at'), response: { 200: pageSchema(s.Organization) } } }, async (request) =>
      orgs.listOrganizations(ctx, request.query),
    );
  };
}
