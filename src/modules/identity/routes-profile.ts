import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { originOf } from '../../kernel/audit/audit';
import { ifMatchVersion } from '../../kernel/http/etag';
import type { IdentityContext } from './context';
import { getProfile, updateProfile } from './profile';
import { Profile, UpdateProfileBody } from './schemas';

const tags = ['profile'];
const security = [{ bearerAuth: [] }];

/** Seed 003 §2 under /api/v1/profile. */
export function profileRoutes(ctx: IdentityContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/profile/me', { config: { permission: 'profile:read', rateLimit: 'profile' }, schema: { tags, security, summary: 'My profile', response: { 200: Profile } } }, async (request, reply) =>
      reply.sendResource(await getProfile(ctx, request.actor!)),
    );
    app.put('/profile/me', { config: { permission: 'profile:update', rateLimit: 'profile' }, schema: { tags, security, summary: 'Update my names', body: UpdateProfileBody, response: { 200: Profile } } }, async (request, reply) =>
      reply.sendResource(await updateProfile(ctx, originOf(request), request.actor!, request.body, request.locale, ifMatchVersion(request))),
    );
  };
}
