import fp from 'fastify-plugin';
import { mailRoutes } from './routes';
import { createMailService, type MailService, type MailServiceOptions } from './service';

export { createMailService, type MailAttachment, type MailService, type MailServiceOptions, type MessageStatus, type OutgoingMail } from './service';
export { registerMailTemplate, type MailTemplate } from './templates';

declare module 'fastify' {
  interface FastifyInstance {
    mail: MailService;
  }
}

/**
 * Decorates the app with `mail` (the service every module uses), declares its delivery jobs on
 * the job queue, and serves the admin endpoints under /api/v1. Register it after the jobs plugin
 * and before the modules.
 */
export const mailPlugin = fp<MailServiceOptions>(
  async (app, options) => {
    const mail = createMailService(app.kernel, app.jobs, { log: app.log, ...options });
    app.decorate('mail', mail);
    app.addHook('onClose', async () => mail.stop());
    await app.register(mailRoutes, { prefix: '/api/v1' });
  },
  { name: 'deskbase-mail', dependencies: ['deskbase-jobs'] },
);
