import type { FastifyInstance } from 'fastify';
import type { Referrers } from './common';
import { registerResource } from './crud-routes';
import { CreatePaymentTerm, ListPaymentTermsQuery, PaymentTerm, PaymentTermPage, UpdatePaymentTerm } from './payment-terms.schemas';
import { paymentTermService } from './payment-terms.service';

/** /master-data/payment-terms */
export async function paymentTermRoutes(app: FastifyInstance, { referrers }: { referrers: Referrers }) {
  registerResource(app, {
    base: '/master-data/payment-terms',
    tags: ['master data: payment terms'],
    one: 'payment terms',
    many: 'payment terms',
    schemas: { resource: PaymentTerm, page: PaymentTermPage, create: CreatePaymentTerm, update: UpdatePaymentTerm, list: ListPaymentTermsQuery },
    service: paymentTermService(app.kernel, referrers),
  });
}
