import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { originOf } from '../../kernel/audit/audit';
import * as bulk from './bulk';
import type { IdentityContext } from './context';
import * as gdpr from './gdpr';
import * as s from './schemas';

const security: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKey: [] }];

/** Seed 003 §5 (bulk users) and §6 (GDPR). */
export function bulkAndGdprRoutes(ctx: IdentityContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    const bulkConfig = { permission: 'user:create', rateLimit: 'bulk' as const };
    // Bulk payloads of 1,000 users exceed the default body limit.
    const bodyLimit = Math.max(app.kernel.config.bodyLimitBytes, 2 * 1024 * 1024);
    app.post('/bulk/users/create', { bodyLimit, config: bulkConfig, schema: { tags: ['bulk'], security, summary: 'Create up to 1,000 users', body: s.BulkUsersBody, response: { 200: s.BulkReport } } }, async (request) =>
      bulk.createUsers(ctx, originOf(request), request.actor!, request.body, request.locale),
    );
    app.post('/bulk/users/validate', { bodyLimit, config: bulkConfig, schema: { tags: ['bulk'], security, summary: 'Check up to 1,000 users without creating them', body: s.BulkUsersBody, response: { 200: s.BulkReport } } }, async (request) =>
      bulk.validateUsers(ctx, request.actor!, request.body, request.locale),
    );

    const tags = ['gdpr'];
    app.post('/gdpr/export/my-data', { config: { auth: 'required', idempotency: false }, schema: { tags, security, summary: 'Download all my personal data (JSON or CSV)', body: s.ExportBody } }, async (request, reply) => {
      const file = await gdpr.exportMyData(ctx, request.actor!, request.body);
      return reply.header('content-disposition', `attachment; filename="${file.filename}"`).header('cache-control', 'no-store').type(file.contentType).send(file.body);
    });
    app.delete('/gdpr/delete/my-account', { config: { auth: 'required' }, schema: { tags, security, summary: 'Erase my account (right to erasure)', body: s.EraseBody, response: { 200: s.EraseResponse } } }, async (request) =>
      gdpr.deleteMyAccount(ctx, originOf(request), request.actor!, request.body, request.locale),
    );
  };
}
