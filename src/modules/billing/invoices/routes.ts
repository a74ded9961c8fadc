import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { originOf } from '../../../kernel/audit/audit';
import type { Actor } from '../../../kernel/auth/actor';
import { ifMatchVersion } from '../../../kernel/http/etag';
import { sendPage } from '../../../kernel/http/pagination';
import type { ClientService } from '../clients/service';
import type { BillingSettingsService } from '../settings/service';
import { today } from '../dates';
import { renderInvoicePdf, sendPdf } from './render';
import { amountDue } from './amount-due';
import { AmountDue, AmountDueQuery, CreateInvoiceBody, Invoice, InvoicePage, InvoiceParams, ListInvoicesQuery, PdfQuery, UpdateInvoiceBody, VoidInvoiceBody } from './schemas';
import type { InvoiceService } from './service';

export interface InvoiceRouteDeps {
  invoices: InvoiceService;
  clients: ClientService;
  settings: BillingSettingsService;
}

/** /api/v1/invoices: drafts, finalize, void, uncollectible, PDF. */
export function invoiceRoutes({ invoices, clients, settings }: InvoiceRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { database } = app.kernel;
    const tags = ['invoices'];
    const can = (action: string) => ({ permission: `invoice:${action}` });
    const inTx = <T>(work: (tx: Parameters<Parameters<typeof database.transaction>[0]>[0]) => Promise<T>) => database.transaction(work);

    app.post('/invoices', { config: can('create'), schema: { tags, summary: 'Create a draft invoice (totals computed)', body: CreateInvoiceBody, response: { 201: Invoice } } }, async (request, reply) => {
      const created = await inTx((tx) => invoices.create(tx, originOf(request), request.actor!, request.body));
      reply.header('location', `/api/v1/invoices/${created.id}`);
      return reply.sendResource(created, 201);
    });

    app.get('/invoices', { config: can('read'), schema: { tags, summary: 'List and search invoices', querystring: ListInvoicesQuery, response: { 200: InvoicePage } } }, async (request, reply) =>
      sendPage(reply, await invoices.list(database.db, request.actor!, request.query)),
    );

    app.get('/invoices/:id', { config: can('read'), schema: { tags, summary: 'Get an invoice', params: InvoiceParams, response: { 200: Invoice } } }, async (request, reply) =>
      reply.sendResource(await invoices.get(database.db, request.actor!, request.params.id)),
    );

    app.patch('/invoices/:id', { config: can('update'), schema: { tags, summary: 'Change a draft (lines, when given, replace the list)', params: InvoiceParams, body: UpdateInvoiceBody, response: { 200: Invoice } } }, async (request, reply) => {
      const expected = ifMatchVersion(request);
      return reply.sendResource(await inTx((tx) => invoices.update(tx, originOf(request), request.actor!, request.params.id, request.body, expected)));
    });

    app.delete('/invoices/:id', { config: can('delete'), schema: { tags, summary: 'Delete a draft', params: InvoiceParams } }, async (request, reply) => {
      const expected = ifMatchVersion(request);
      await inTx((tx) => invoices.remove(tx, originOf(request), request.actor!, request.params.id, expected));
      return reply.code(204).send();
    });

    const action = (path: string, permission: string, summary: string, run: (actor: Actor, id: string, expected: number[] | undefined, body: unknown, origin: ReturnType<typeof originOf>) => Promise<Invoice>, body?: typeof VoidInvoiceBody) =>
      app.post(`/invoices/:id/${path}`, { config: can(permission), schema: { tags, summary, params: InvoiceParams, ...(body ? { body } : {}), response: { 200: Invoice } } }, async (request, reply) =>
        reply.sendResource(await run(request.actor!, request.params.id, ifMatchVersion(request), request.body, originOf(request))),
      );

    action('finalize', 'finalize', 'Finalize: assign the number, freeze lines, taxes, rate and terms', (actor, id, expected, _body, origin) => inTx((tx) => invoices.finalize(tx, origin, actor, id, expected)));
    action('void', 'void', 'Void an open invoice on which nothing is paid', (actor, id, expected, body, origin) => inTx((tx) => invoices.void(tx, origin, actor, id, (body as { reason: string }).reason, expected)), VoidInvoiceBody);
    action('mark-uncollectible', 'void', 'Mark an open invoice uncollectible', (actor, id, expected, _body, origin) => inTx((tx) => invoices.markUncollectible(tx, origin, actor, id, expected)));

    app.get(
      '/invoices/:id/amount-due',
      { config: can('read'), schema: { tags, summary: 'The amount that settles the invoice on a date: early-payment discount and late fee from its payment terms', params: InvoiceParams, querystring: AmountDueQuery, response: { 200: AmountDue } } },
      async (request) => amountDue(database.db, await invoices.load(database.db, request.actor!, request.params.id), request.query.date ?? today(app.kernel)),
    );

    app.get(
      '/invoices/:id/pdf',
      { config: can('read'), schema: { tags, summary: 'The invoice as a PDF (A4 or Letter)', params: InvoiceParams, querystring: PdfQuery, produces: ['application/pdf'] } },
      async (request, reply) => {
        const actor = request.actor!;
        const invoice = await invoices.get(database.db, actor, request.params.id);
        return sendPdf(reply, await renderInvoicePdf(app, { clients, settings }, actor, invoice, request.query.page_size));
      },
    );
  };
}
