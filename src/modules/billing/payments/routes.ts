import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { originOf } from '../../../kernel/audit/audit';
import { operationKey } from '../../../kernel/http/idempotency';
import { ApplyCreditBody, ClientCredit, CreatePaymentBody, CreateRefundBody, ListPaymentsQuery, Payment, PaymentPage, PaymentParams, Refund } from './schemas';
import type { PaymentService } from './service';

const RefundParams = Type.Object({ id: Type.String({ maxLength: 64 }), refund_id: Type.String({ maxLength: 64 }) }, { additionalProperties: false });

/** /api/v1/payments: money received, its allocation to invoices, client credit and refunds. */
export function paymentRoutes(payments: PaymentService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { database } = app.kernel;
    const tags = ['payments'];
    const can = (action: string) => ({ permission: `payment:${action}` });

    app.post('/payments', { config: can('create'), schema: { tags, summary: 'Record a payment and allocate it to invoices (the rest is client credit)', body: CreatePaymentBody, response: { 201: Payment } } }, async (request, reply) => {
      const created = await database.transaction((tx) => payments.create(tx, originOf(request), request.actor!, request.body, operationKey(request)));
      reply.header('location', `/api/v1/payments/${created.id}`);
      return reply.sendResource(created, 201);
    });

    app.get('/payments', { config: can('read'), schema: { tags, summary: 'List payments', querystring: ListPaymentsQuery, response: { 200: PaymentPage } } }, async (request) =>
      payments.list(database.db, request.actor!, request.query),
    );

    app.get('/payments/:id', { config: can('read'), schema: { tags, summary: 'Get a payment with its allocations and refunds', params: PaymentParams, response: { 200: Payment } } }, async (request, reply) =>
      reply.sendResource(await payments.get(database.db, request.actor!, request.params.id)),
    );

    app.post(
      '/payments/:id/allocations',
      { config: can('create'), schema: { tags, summary: 'Apply the payment’s unapplied amount (client credit) to invoices', params: PaymentParams, body: ApplyCreditBody, response: { 200: Payment } } },
      async (request, reply) => reply.sendResource(await database.transaction((tx) => payments.applyCredit(tx, originOf(request), request.actor!, request.params.id, request.body))),
    );

    app.post(
      '/payments/:id/refunds',
      { config: can('refund'), schema: { tags, summary: 'Refund part or all of a payment (reversing allocations and/or credit)', params: PaymentParams, body: CreateRefundBody, response: { 201: Refund } } },
      async (request, reply) => {
        const refund = await database.transaction((tx) => payments.refund(tx, originOf(request), request.actor!, request.params.id, request.body, operationKey(request)));
        reply.header('location', `/api/v1/payments/${request.params.id}/refunds/${refund.id}`);
        return reply.code(201).send(refund);
      },
    );

    app.get('/payments/:id/refunds/:refund_id', { config: can('read'), schema: { tags, summary: 'Get a refund', params: RefundParams, response: { 200: Refund } } }, async (request) =>
      payments.getRefund(database.db, request.actor!, request.params.id, request.params.refund_id),
    );

    app.get(
      '/clients/:id/credit',
      { config: can('read'), schema: { tags: [...tags, 'clients'], summary: 'The client’s credit (unapplied payments) per currency', params: PaymentParams, response: { 200: ClientCredit } } },
      async (request) => payments.clientCredit(database.db, request.actor!, request.params.id),
    );
  };
}
