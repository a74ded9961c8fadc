import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { originOf } from '../../../kernel/audit/audit';
import { ifMatchVersion } from '../../../kernel/http/etag';
import { CreateRecurringInvoiceBody, ListRecurringInvoicesQuery, RecurringInvoice, RecurringInvoicePage, RecurringInvoiceParams, UpdateRecurringInvoiceBody } from './schemas';
import type { RecurringInvoiceService } from './service';

/** /api/v1/recurring-invoices: schedules that generate an invoice each period. */
export function recurringInvoiceRoutes(schedules: RecurringInvoiceService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { database } = app.kernel;
    const tags = ['recurring invoices'];
    const can = (action: string) => ({ permission: `recurring_invoice:${action}` });

    app.post('/recurring-invoices', { config: can('create'), schema: { tags, summary: 'Create a recurring invoice schedule', body: CreateRecurringInvoiceBody, response: { 201: RecurringInvoice } } }, async (request, reply) => {
      const created = await database.transaction((tx) => schedules.create(tx, originOf(request), request.actor!, request.body));
      reply.header('location', `/api/v1/recurring-invoices/${created.id}`);
      return reply.sendResource(created, 201);
    });

    app.get('/recurring-invoices', { config: can('read'), schema: { tags, summary: 'List recurring invoice schedules', querystring: ListRecurringInvoicesQuery, response: { 200: RecurringInvoicePage } } }, async (request) =>
      schedules.list(database.db, request.actor!, request.query),
    );

    app.get('/recurring-invoices/:id', { config: can('read'), schema: { tags, summary: 'Get a recurring invoice schedule', params: RecurringInvoiceParams, response: { 200: RecurringInvoice } } }, async (request, reply) =>
      reply.sendResource(await schedules.get(database.db, request.actor!, request.params.id)),
    );

    app.patch(
      '/recurring-invoices/:id',
      { config: can('update'), schema: { tags, summary: 'Change, pause or resume a schedule', params: RecurringInvoiceParams, body: UpdateRecurringInvoiceBody, response: { 200: RecurringInvoice } } },
      async (request, reply) => {
        const expected = ifMatchVersion(request);
        return reply.sendResource(await database.transaction((tx) => schedules.update(tx, originOf(request), request.actor!, request.params.id, request.body, expected)));
      },
    );

    app.delete('/recurring-invoices/:id', { config: can('delete'), schema: { tags, summary: 'Delete a schedule (its invoices stay)', params: RecurringInvoiceParams } }, async (request, reply) => {
      const expected = ifMatchVersion(request);
      await database.transaction((tx) => schedules.remove(tx, originOf(request), request.actor!, request.params.id, expected));
      return reply.code(204).send();
    });
  };
}
