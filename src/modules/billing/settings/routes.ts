import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { originOf } from '../../../kernel/audit/audit';
import { ifMatchVersion } from '../../../kernel/http/etag';
import { BillingSettings, UpdateBillingSettingsBody } from './schemas';
import type { BillingSettingsService } from './service';

/** /api/v1/billing/settings: the organization's billing profile. */
export function billingSettingsRoutes(settings: BillingSettingsService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { database } = app.kernel;
    const tags = ['billing'];

    app.get('/billing/settings', { config: { permission: 'billing_settings:read' }, schema: { tags, summary: 'Get the billing profile (defaults until first saved)', response: { 200: BillingSettings } } }, async (request, reply) =>
      reply.sendResource(await settings.read(database.db, request.actor!.organizationId)),
    );

    app.patch(
      '/billing/settings',
      { config: { permission: 'billing_settings:update' }, schema: { tags, summary: 'Change the billing profile', body: UpdateBillingSettingsBody, response: { 200: BillingSettings } } },
      async (request, reply) => {
        const expected = ifMatchVersion(request);
        return reply.sendResource(await settings.update(originOf(request), request.actor!, request.body, expected));
      },
    );
  };
}
