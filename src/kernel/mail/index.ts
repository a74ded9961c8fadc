import fp from 'fastify-plugin';
import { mailRoutes } from './routes';
import { createMailService, type MailService, type MailServiceOptions } from './service';

export { createMailService, type MailAttachment, type MailService, type MailServiceOptions, type OutgoingMail } from './service';
export { registerMailTemplate, type MailTemplate } from './templates';

declare module 'fastify' {
  interface FastifyInstance {
    mail: MailService;
  }
}

/**
 * Decorates the app with `mail` (the service every module uses), runs its poller while the app
 * is up, and serves the admin endpoints under /api/v1. Register it before the modules.
 */
export const mailPlugin = fp<MailServiceOptions>(
  async (app, options) => {
    const mail = createMailService(app.kernel, { log: app.log, ...options });
    app.decorate('mail', mail);
    app.addHook('onReady', async () => mail.start());
    // preClose runs before the database is closed (onClose), so deliveries in progress can finish.
    app.addHook('preClose', async () => mail.stop());
    await app.register(mailRoutes, { prefix: '/api/v1' });
  },
  { name: 'deskbase-mail' },
);
