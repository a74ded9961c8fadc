import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { originOf } from '../../../kernel/audit/audit';
import { Invoice, InvoiceParams } from '../invoices/schemas';
import { InvoiceActivityPage, ListActivityQuery, SendInvoiceBody, ViewQuery } from './schemas';
import type { InvoiceDeliveryService } from './service';

/** POST /invoices/{id}/send, GET /invoices/{id}/activity and the public view link. */
export function invoiceDeliveryRoutes(delivery: InvoiceDeliveryService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const tags = ['invoices'];

    app.post(
      '/invoices/:id/send',
      {
        config: { permission: 'invoice:send' },
        schema: { tags, summary: 'Email a finalized invoice with its PDF and a view link (one message per recipient)', params: InvoiceParams, body: SendInvoiceBody, response: { 200: Invoice } },
      },
      async (request, reply) => reply.sendResource(await delivery.send(originOf(request), request.actor!, request.params.id, request.body)),
    );

    app.get(
      '/invoices/:id/activity',
      { config: { permission: 'invoice:read' }, schema: { tags, summary: 'The invoice’s timeline, with the delivery status of each email', params: InvoiceParams, querystring: ListActivityQuery, response: { 200: InvoiceActivityPage } } },
      async (request) => delivery.activity(request.actor!, request.params.id, request.query),
    );

    app.get(
      '/public/invoices/view',
      {
        // No permission: the token is the credential. Rate limited per IP by the default policy.
        schema: { tags, summary: 'The invoice PDF behind an emailed view link, without credentials', querystring: ViewQuery, produces: ['application/pdf'], security: [] },
      },
      async (request, reply) => {
        const { buffer, filename } = await delivery.view(originOf(request), request.query.token);
        return reply
          .type('application/pdf')
          .header('content-disposition', `inline; filename="${filename}"`)
          .header('cache-control', 'private, no-store')
          .header('referrer-policy', 'no-referrer')
          .header('x-robots-tag', 'noindex, nofollow')
          .send(buffer);
      },
    );
  };
}
