import type { FastifyInstance } from 'fastify';
import type { Module } from '../../app';
import { recordAudit, originOf } from '../../kernel/audit/audit';
import { bootstrapAdmin } from './bootstrap';
import { organizationContacts } from './contacts';
import { createIdentityContext } from './context';
import './mail-templates';
import './messages';
import { authRoutes } from './routes-auth';
import { profileRoutes } from './routes-profile';
import { adminRoutes } from './routes-admin';
import { keyAndOrganizationRoutes } from './routes-keys-orgs';
import { bulkAndGdprRoutes } from './routes-bulk-gdpr';
import { rbacRoutes } from './routes-rbac';
import { authenticateApiKey } from './api-keys';
import { listenForInvalidations } from './invalidation';
import { authenticateBearer } from './sessions';

/** Identity and access (seed 003): accounts, sessions, profile, and the platform's authenticator. */
export const identityModule: Module = {
  name: 'identity',
  plugin: async (app: FastifyInstance) => {
    const ctx = createIdentityContext(app.kernel, app.mail);
    app.auth.use({
      bearer: (token) => authenticateBearer(ctx, token),
      apiKey: (key) => authenticateApiKey(ctx, key),
    });
    app.auth.onDenied(async ({ actor, permission, request }) => {
      await recordAudit(app.kernel.database.db, originOf(request), {
        organizationId: actor.organizationId,
        actorId: actor.id,
        actorType: actor.type,
        action: 'access.denied',
        resourceType: 'permission',
        resourceId: permission,
        outcome: 'denied',
        severity: 'medium',
        metadata: { method: request.method, route: request.routeOptions.url },
      });
    });

    app.kernel.contacts = organizationContacts;
    await listenForInvalidations(ctx);
    const admin = await bootstrapAdmin(ctx);
    if (admin?.generatedPassword) {
      app.log.warn(`First start: created the super_admin ${admin.email} with the password ${admin.generatedPassword} (shown once; change it after signing in)`);
    } else if (admin) {
      app.log.info({ email: admin.email }, 'First start: created the super_admin from BOOTSTRAP_ADMIN_EMAIL');
    }

    await app.register(authRoutes(ctx));
    await app.register(profileRoutes(ctx));
    await app.register(adminRoutes(ctx));
    await app.register(keyAndOrganizationRoutes(ctx));
    await app.register(bulkAndGdprRoutes(ctx));
    await app.register(rbacRoutes(ctx));
  },
};

export { userCounts } from './counts';
