import type { FastifyPluginAsync } from 'fastify';
import { categoryRoutes } from './categories.routes';
import type { Referrers } from './common';
import { paymentTermRoutes } from './payment-terms.routes';
import { taxCodeRoutes } from './tax-codes.routes';
import { unitRoutes } from './units.routes';

/** What else in billing stores the ids of each kind of master data (deletes answer 409 while it does). */
export interface MasterDataReferrers {
  categories: Referrers;
  units: Referrers;
  taxCodes: Referrers;
  paymentTerms: Referrers;
}

/** /api/v1/master-data/{categories,units,tax-codes,payment-terms} (seed 000). */
export const masterDataRoutes: FastifyPluginAsync<{ referrers: MasterDataReferrers }> = async (app, { referrers }) => {
  await app.register(categoryRoutes, { referrers: referrers.categories });
  await app.register(unitRoutes, { referrers: referrers.units });
  await app.register(taxCodeRoutes, { referrers: referrers.taxCodes });
  await app.register(paymentTermRoutes, { referrers: referrers.paymentTerms });
};

export { referencedIn, type Referrer, type Referrers } from './common';
export { convertQuantity, keepUnits } from './units.service';
export { keepCategories, salesCategoryProblem } from './categories.service';
export { computeTax, keepTaxCodes, taxCodeInForce, taxCodesInForce, type SupplyType } from './tax-codes.service';
export { installmentsOf, keepPaymentTerms, paymentTermsExist, termsByIds, type TermsRow } from './payment-terms.service';
