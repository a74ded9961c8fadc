import type { FastifyInstance } from 'fastify';
import type { Module } from '../../app';
import { masterDataRoutes } from './master-data/index';
import './messages';

/** Billing (issue 5): master data so far; clients, invoices and payments come next. */
export const billingModule: Module = {
  name: 'billing',
  plugin: async (app: FastifyInstance) => {
    await app.register(masterDataRoutes);
  },
};

// What other modules (and the invoices part) may use.
export { computeTax, convertQuantity, installmentsOf, taxCodeInForce, type SupplyType } from './master-data/index';
export { Dec, formatMoney, minorDigits, roundMoney } from './money';
