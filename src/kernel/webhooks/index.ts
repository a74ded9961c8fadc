import fp from 'fastify-plugin';
import { eventRoutes, EVENT_RETENTION_MS } from '../events/routes';
import { pruneEvents } from '../events/outbox';
import { registerMessages } from '../i18n/index';
import { registerMailTemplate } from '../mail/index';
import { createDeliveryService, type DeliveryOptions, type DeliveryService } from './deliveries';
import { webhookRoutes } from './routes';

export type { DeliveryOptions } from './deliveries';

declare module 'fastify' {
  interface FastifyInstance {
    webhooks: DeliveryService;
  }
}

registerMessages({
  en: {
    'problem.WEBHOOK_NOT_FOUND.title': 'Webhook endpoint not found',
    'problem.WEBHOOK_NOT_FOUND.detail': 'No webhook endpoint with this id exists in your organization.',
    'problem.WEBHOOK_DELIVERY_NOT_FOUND.title': 'Webhook delivery not found',
    'problem.WEBHOOK_DELIVERY_NOT_FOUND.detail': 'This endpoint has no delivery with this id.',
    'problem.WEBHOOK_DELIVERY_IN_PROGRESS.title': 'Delivery in progress',
    'problem.WEBHOOK_DELIVERY_IN_PROGRESS.detail': 'An attempt of this delivery is in flight; try again when it has finished.',
    'problem.WEBHOOK_LIMIT_REACHED.title': 'Too many webhook endpoints',
    'problem.WEBHOOK_LIMIT_REACHED.detail': 'An organization can have at most {max} webhook endpoints.',
  },
  km: {
    'problem.WEBHOOK_NOT_FOUND.title': 'រកមិនឃើញចំណុចបញ្ចប់ webhook',
    'problem.WEBHOOK_NOT_FOUND.detail': 'គ្មានចំណុចបញ្ចប់ webhook ដែលមានលេខសម្គាល់នេះនៅក្នុងស្ថាប័នរបស់អ្នកទេ។',
    'problem.WEBHOOK_DELIVERY_NOT_FOUND.title': 'រកមិនឃើញការបញ្ជូន webhook',
    'problem.WEBHOOK_DELIVERY_NOT_FOUND.detail': 'ចំណុចបញ្ចប់នេះគ្មានការបញ្ជូនដែលមានលេខសម្គាល់នេះទេ។',
    'problem.WEBHOOK_DELIVERY_IN_PROGRESS.title': 'ការបញ្ជូនកំពុងដំណើរការ',
    'problem.WEBHOOK_DELIVERY_IN_PROGRESS.detail': 'ការព្យាយាមបញ្ជូននេះកំពុងដំណើរការ សូមព្យាយាមម្តងទៀតនៅពេលវាបញ្ចប់។',
    'problem.WEBHOOK_LIMIT_REACHED.title': 'ចំណុចបញ្ចប់ webhook ច្រើនពេក',
    'problem.WEBHOOK_LIMIT_REACHED.detail': 'ស្ថាប័នមួយអាចមានចំណុចបញ្ចប់ webhook បានច្រើនបំផុត {max}។',
  },
});

registerMailTemplate('webhook_endpoint_disabled', {
  en: {
    subject: 'A webhook endpoint was disabled',
    text: 'Hello {{first_name}},\n\nDeskbase stopped sending events to {{url}} ({{endpoint_id}}): {{reason}}.\n\nFix the receiver, then enable the endpoint again (PATCH /api/v1/webhooks/{{endpoint_id}} with {"enabled": true}).',
    html: '<p>Hello {{first_name}},</p><p>Deskbase stopped sending events to <strong>{{url}}</strong> ({{endpoint_id}}): {{reason}}.</p><p>Fix the receiver, then enable the endpoint again.</p>',
  },
  km: {
    subject: 'ចំណុចបញ្ចប់ webhook ត្រូវបានបិទ',
    text: 'សួស្តី {{first_name}},\n\nDeskbase បានឈប់ផ្ញើព្រឹត្តិការណ៍ទៅ {{url}} ({{endpoint_id}})៖ {{reason}}។\n\nសូមជួសជុលអ្នកទទួល រួចបើកចំណុចបញ្ចប់ឡើងវិញ។',
    html: '<p>សួស្តី {{first_name}},</p><p>Deskbase បានឈប់ផ្ញើព្រឹត្តិការណ៍ទៅ <strong>{{url}}</strong> ({{endpoint_id}})៖ {{reason}}។</p><p>សូមជួសជុលអ្នកទទួល រួចបើកចំណុចបញ្ចប់ឡើងវិញ។</p>',
  },
});

const PRUNE_INTERVAL_MS = 3600_000;

/**
 * Domain events out of the outbox to webhook endpoints (Standard Webhooks), plus the endpoints'
 * API and GET /events. Register after the mail plugin (disabled endpoints are reported by mail).
 */
export const webhooksPlugin = fp<DeliveryOptions>(
  async (app, options) => {
    const deliveries = createDeliveryService(app.kernel, app.mail, { log: app.log, ...options });
    app.decorate('webhooks', deliveries);
    let pruner: NodeJS.Timeout | undefined;
    const prune = async () => {
      const before = new Date(app.kernel.now().getTime() - EVENT_RETENTION_MS);
      await pruneEvents(app.kernel.database.db, before);
      await deliveries.prune(before);
    };
    app.addHook('onReady', async () => {
      await deliveries.start();
      pruner = setInterval(() => void prune().catch((error: unknown) => app.log.error({ err: error }, 'pruning old events failed')), PRUNE_INTERVAL_MS);
      pruner.unref();
    });
    app.addHook('preClose', async () => {
      clearInterval(pruner);
      await deliveries.stop();
    });
    await app.register(webhookRoutes(deliveries), { prefix: '/api/v1' });
    await app.register(eventRoutes, { prefix: '/api/v1' });
  },
  { name: 'deskbase-webhooks', dependencies: ['deskbase-mail'] },
);
