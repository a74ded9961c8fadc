import type { FastifyPluginAsync } from 'fastify';
import { categoryRoutes } from './categories.routes';
import { paymentTermRoutes } from './payment-terms.routes';
import { taxCodeRoutes } from './tax-codes.routes';
import { unitRoutes } from './units.routes';

/** /api/v1/master-data/{categories,units,tax-codes,payment-terms} (seed 000). */
export const masterDataRoutes: FastifyPluginAsync = async (app) => {
  await app.register(categoryRoutes);
  await app.register(unitRoutes);
  await app.register(taxCodeRoutes);
  await app.register(paymentTermRoutes);
};

export { convertQuantity } from './units.service';
export { computeTax, taxCodeInForce, taxCodesInForce, type SupplyType } from './tax-codes.service';
export { installmentsOf, paymentTermsExist, termsByIds, type TermsRow } from './payment-terms.service';
