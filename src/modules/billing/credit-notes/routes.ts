import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { originOf } from '../../../kernel/audit/audit';
import { InvoiceParams, PdfQuery } from '../invoices/schemas';
import type { InvoiceService } from '../invoices/service';
import { sendPdf } from '../invoices/render';
import { renderCreditNotePdf } from './pdf';
import { CreateCreditNoteBody, CreditNote, CreditNotePage, CreditNoteParams, ListCreditNotesQuery } from './schemas';
import type { CreditNoteService } from './service';

export interface CreditNoteRouteDeps {
  creditNotes: CreditNoteService;
  invoices: InvoiceService;
}

/** Credit notes: POST /invoices/{id}/credit-notes and /credit-notes. */
export function creditNoteRoutes({ creditNotes, invoices }: CreditNoteRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { database } = app.kernel;
    const tags = ['credit notes'];
    const can = (action: string) => ({ permission: `credit_note:${action}` });

    app.post(
      '/invoices/:id/credit-notes',
      { config: can('create'), schema: { tags, summary: 'Issue a credit note correcting a finalized invoice (numbered, reduces the amount due; beyond it, client credit)', params: InvoiceParams, body: CreateCreditNoteBody, response: { 201: CreditNote } } },
      async (request, reply) => {
        const created = await database.transaction((tx) => creditNotes.create(tx, originOf(request), request.actor!, request.params.id, request.body, request.locale));
        reply.header('location', `/api/v1/credit-notes/${created.id}`);
        return reply.sendResource(created, 201);
      },
    );

    app.get('/credit-notes', { config: can('read'), schema: { tags, summary: 'List credit notes', querystring: ListCreditNotesQuery, response: { 200: CreditNotePage } } }, async (request) =>
      creditNotes.list(database.db, request.actor!, request.query),
    );

    app.get('/credit-notes/:id', { config: can('read'), schema: { tags, summary: 'Get a credit note', params: CreditNoteParams, response: { 200: CreditNote } } }, async (request, reply) =>
      reply.sendResource(await creditNotes.get(database.db, request.actor!, request.params.id)),
    );

    app.get(
      '/credit-notes/:id/pdf',
      { config: can('read'), schema: { tags, summary: 'The credit note as a PDF (A4 or Letter)', params: CreditNoteParams, querystring: PdfQuery, produces: ['application/pdf'] } },
      async (request, reply) => {
        const actor = request.actor!;
        const creditNote = await creditNotes.get(database.db, actor, request.params.id);
        const invoice = await invoices.get(database.db, actor, creditNote.invoice_id);
        return sendPdf(reply, await renderCreditNotePdf(app, actor, creditNote, invoice, request.query.page_size));
      },
    );
  };
}
