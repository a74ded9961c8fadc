import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { originOf } from '../audit/audit';
import { ifMatchVersion } from '../http/etag';
import { registerMessages } from '../i18n/index';
import { customTemplateService } from './custom-templates';
import { getEmailMessage, listEmailMessages } from './queries';
import {
  EmailMessage,
  EmailMessagePage,
  EmailMessageParams,
  EmailTemplate,
  EmailTemplatePage,
  EmailTemplateParams,
  ListEmailMessagesQuery,
  PreviewEmailTemplateBody,
  PutEmailTemplateBody,
  RenderedEmail,
} from './schemas';

registerMessages({
  en: {
    'problem.EMAIL_MESSAGE_NOT_FOUND.title': 'Email message not found',
    'problem.EMAIL_MESSAGE_NOT_FOUND.detail': 'No email message with this id exists in your organization.',
    'problem.EMAIL_TEMPLATE_NOT_FOUND.title': 'Email template not found',
    'problem.EMAIL_TEMPLATE_NOT_FOUND.detail': 'There is no message type with this name.',
    'problem.EMAIL_TEMPLATE_NOT_CUSTOMIZED.title': 'Template not customized',
    'problem.EMAIL_TEMPLATE_NOT_CUSTOMIZED.detail': 'Your organization already uses the built-in template of this message type.',
  },
  km: {
    'problem.EMAIL_MESSAGE_NOT_FOUND.title': 'រកមិនឃើញសារអ៊ីមែល',
    'problem.EMAIL_MESSAGE_NOT_FOUND.detail': 'គ្មានសារអ៊ីមែលដែលមានលេខសម្គាល់នេះនៅក្នុងស្ថាប័នរបស់អ្នកទេ។',
    'problem.EMAIL_TEMPLATE_NOT_FOUND.title': 'រកមិនឃើញគំរូអ៊ីមែល',
    'problem.EMAIL_TEMPLATE_NOT_FOUND.detail': 'គ្មានប្រភេទសារដែលមានឈ្មោះនេះទេ។',
    'problem.EMAIL_TEMPLATE_NOT_CUSTOMIZED.title': 'គំរូមិនត្រូវបានកែប្រែ',
    'problem.EMAIL_TEMPLATE_NOT_CUSTOMIZED.detail': 'ស្ថាប័នរបស់អ្នកកំពុងប្រើគំរូដើមនៃប្រភេទសារនេះរួចហើយ។',
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

  const templates = customTemplateService(app.kernel.now);
  const edit = { permission: 'email:update', rateLimit: 'admin' as const };

  app.get('/email/templates', { config, schema: { tags, summary: 'Every message type in both languages, as this organization sends it', response: { 200: EmailTemplatePage } } }, async (request) => ({
    items: await templates.list(database.db, request.actor!),
    next_cursor: null,
    has_more: false,
  }));

  app.get('/email/templates/:type/:locale', { config, schema: { tags, summary: 'One message type in one language', params: EmailTemplateParams, response: { 200: EmailTemplate } } }, async (request, reply) =>
    reply.sendResource(await templates.get(database.db, request.actor!, request.params.type, request.params.locale)),
  );

  app.put('/email/templates/:type/:locale', { config: edit, schema: { tags, summary: "Replace the built-in wording with the organization's own", params: EmailTemplateParams, body: PutEmailTemplateBody, response: { 200: EmailTemplate } } }, async (request, reply) => {
    const expected = ifMatchVersion(request);
    const { type, locale } = request.params;
    return reply.sendResource(await database.transaction((tx) => templates.put(tx, originOf(request), request.actor!, type, locale, request.body, expected)));
  });

  app.delete('/email/templates/:type/:locale', { config: edit, schema: { tags, summary: 'Go back to the built-in template', params: EmailTemplateParams } }, async (request, reply) => {
    await database.transaction((tx) => templates.reset(tx, originOf(request), request.actor!, request.params.type, request.params.locale));
    return reply.code(204).send();
  });

  app.post('/email/templates/:type/:locale/preview', { config, schema: { tags, summary: 'Render a draft or the template in use; nothing is sent', params: EmailTemplateParams, body: PreviewEmailTemplateBody, response: { 200: RenderedEmail } } }, async (request) =>
    templates.preview(database.db, request.actor!, request.params.type, request.params.locale, request.body),
  );

  app.get(
    '/email/messages/:id',
    { config, schema: { tags, summary: 'Get an email message with its bodies', params: EmailMessageParams, response: { 200: EmailMessage } } },
    async (request) => getEmailMessage(database.db, request.actor!, request.params.id),
  );
};
