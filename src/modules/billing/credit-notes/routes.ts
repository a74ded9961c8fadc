import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { originOf } from '../../../kernel/audit/audit';
import { amountDueOn, termsByIds } from '../invoices/amount-due';
import { InvoiceParams, PdfQuery } from '../invoices/schemas';
import type { InvoiceService } from '../invoices/service';
import { formatMoney, formatRate } from '../money';
import type { BillingSettingsService } from '../settings/service';
import { renderCreditNotePdf } from './pdf';
import { AmountDue, AmountDueQuery, CreateCreditNoteBody, CreditNote, CreditNotePage, CreditNoteParams, ListCreditNotesQuery } from './schemas';
import type { CreditNoteService } from './service';

export interface CreditNoteRouteDeps {
  creditNotes: CreditNoteService;
  invoices: InvoiceService;
  settings: BillingSettingsService;
}

/** Credit notes (POST /invoices/{id}/credit-notes, /credit-notes) and the amount due on a date (GET /invoices/{id}/amount-due). */
export function creditNoteRoutes({ creditNotes, invoices, settings }: CreditNoteRouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { database } = app.kernel;
    const tags = ['credit notes'];
    const can = (action: string) => ({ permission: `credit_note:${action}` });

    app.post(
      '/invoices/:id/credit-notes',
      { config: can('create'), schema: { tags, summary: 'Issue a credit note correcting a finalized invoice (numbered, reduces the amount due; beyond it, client credit)', params: InvoiceParams, body: CreateCreditNoteBody, response: { 201: CreditNote } } },
      async (request, reply) => {
        const created = await database.transaction((tx) => creditNotes.create(tx, originOf(request), request.actor!, request.params.id, request.body));
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
        const { buffer, filename } = await renderCreditNotePdf(app, settings, actor, creditNote, invoice, request.query.page_size);
        return reply.type('application/pdf').header('content-disposition', `inline; filename="${filename}"`).header('cache-control', 'private, no-store').send(buffer);
      },
    );

    app.get(
      '/invoices/:id/amount-due',
      {
        config: { permission: 'invoice:read' },
        schema: { tags: ['invoices'], summary: 'The amount that settles the invoice on a date: early-payment discount and late fee from its payment terms', params: InvoiceParams, querystring: AmountDueQuery, response: { 200: AmountDue } },
      },
      async (request) => {
        const actor = request.actor!;
        const row = await invoices.load(database.db, actor, request.params.id);
        const date = request.query.date ?? app.kernel.now().toISOString().slice(0, 10);
        const term = row.paymentTermsId ? (await termsByIds(database.db, actor.organizationId, [row.paymentTermsId])).get(row.paymentTermsId) : undefined;
        const { remaining, discount, fee, due } = amountDueOn(row, term, date);
        const money = (value: Parameters<typeof formatMoney>[0]) => formatMoney(value, row.currency);
        return {
          invoice_id: row.id,
          currency: row.currency,
          date,
          amount_remaining: money(remaining),
          early_payment_discount: discount ? { rate: formatRate(discount.rate), available_until: discount.available_until, amount: money(discount.amount) } : null,
          late_fee: fee ? { rate: formatRate(fee.rate), period: fee.period, periods: fee.periods, amount: money(fee.amount) } : null,
          amount_due: money(due),
        };
      },
    );
  };
}
