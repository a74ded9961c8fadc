import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf, READ, security, type Referrers } from './common';
import { registerResource } from './crud-routes';
import { CalculateTaxBody, CreateTaxCode, ListTaxCodesQuery, TaxCalculation, TaxCode, TaxCodePage, UpdateTaxCode } from './tax-codes.schemas';
import { taxCodeService } from './tax-codes.service';

/** /master-data/tax-codes and /master-data/tax-codes/calculate */
export const taxCodeRoutes: FastifyPluginAsyncTypebox<{ referrers: Referrers }> = async (app, { referrers }) => {
  const service = taxCodeService(app.kernel, referrers);
  const tags = ['master data: tax codes'];
  app.post('/master-data/tax-codes/calculate', { config: READ, schema: { tags, security, summary: 'Calculate the tax on an amount', body: CalculateTaxBody, response: { 200: TaxCalculation } } }, async (request) =>
    service.calculate(app.kernel.database.db, callerOf(request), request.body),
  );
  registerResource(app, {
    base: '/master-data/tax-codes',
    tags,
    one: 'a tax code (or a new period of an existing code)',
    many: 'tax codes',
    schemas: { resource: TaxCode, page: TaxCodePage, create: CreateTaxCode, update: UpdateTaxCode, list: ListTaxCodesQuery },
    service,
  });
};
