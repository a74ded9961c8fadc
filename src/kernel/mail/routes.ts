import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { registerMessages } from '../i18n/index';
import { getEmailMessage, listEmailMessages } from './queries';
import { EmailMessage, EmailMessagePage, EmailMessageParams, ListEmailMessagesQuery } from './schemas';

registerMessages({
  en: {
    'problem.EMAIL_MESSAGE_NOT_FOUND.title': 'Email message not found',
    'problem.EMAIL_MESSAGE_NOT_FOUND.detail': 'No email message with this id exists in your organization.',
  },
  km: {
    'problem.EMAIL_MESSAGE_NOT_FOUND.title': 'រកមិនឃើញសារអ៊ីមែល',
    'problem.EMAIL_MESSAGE_NOT_FOUND.detail': 'គ្មានសារអ៊ីមែលដែលមានលេខសម្គាល់នេះនៅក្នុងស្ថាប័នរបស់អ្នកទេ។',
  },
});

/** Admin view of sent mail and the development mailbox, under /api/v1/email. */
export const mailRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database, cursors } = app.kernel;
  const tags = ['email'];
  // Administration reads: the `admin` request budget (kernel/ratelimit).
  const config = { permission: 'email:read', rateLimit: 'admin' as const };

  app.get(
    '/email/messages',
    { config, schema: { tags, summary: 'List email messages', querystring: ListEmailMessagesQuery, response: { 200: EmailMessagePage } } },
    async (request) => listEmailMessages(database.db, cursors, request.actor!, request.query),
  );

  app.get(
    '/email/messages/:id',
    { config, schema: { tags, summary: 'Get an email message with its bodies', params: EmailMessageParams, response: { 200: EmailMessage } } },
    async (request) => getEmailMessage(database.db, request.actor!, request.params.id),
  );
};
