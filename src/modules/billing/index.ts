import type { FastifyInstance } from 'fastify';
import type { Module } from '../../app';
import { ProblemError } from '../../kernel/http/problem';
import { clientSummaryRoutes } from './client-summary';
import { clientRoutes } from './clients/routes';
import { clientService } from './clients/service';
import { creditNoteRoutes } from './credit-notes/routes';
import { creditNoteService } from './credit-notes/service';
import { registerInvoiceDelivery } from './delivery/index';
import { invoiceDeliveryService } from './delivery/service';
import { invoiceBulkRoutes } from './invoices/bulk';
import { exchangeRateRoutes } from './exchange-rates/routes';
import { exchangeRateService } from './exchange-rates/service';
import { invoiceRoutes } from './invoices/routes';
import { invoiceService } from './invoices/service';
import { masterDataRoutes, paymentTermsExist, type MasterDataReferrers } from './master-data/index';
import './messages';
import { PaymentGatewayRegistry } from './payments/gateway';
import { paymentRoutes } from './payments/routes';
import { paymentService } from './payments/service';
import { registerRecurringInvoices } from './recurring/index';
import { recurringInvoiceService } from './recurring/service';
import { billingSettingsRoutes } from './settings/routes';
import { billingSettingsService } from './settings/service';

export interface BillingModuleOptions {
  /** The payment providers payments and refunds go through (default: `manual` only). */
  gateways?: PaymentGatewayRegistry;
}

/** Billing (issue 5): master data, the billing profile, clients, invoices, payments and credit notes. */
export const createBillingModule = (options: BillingModuleOptions = {}): Module => ({
  name: 'billing',
  plugin: async (app: FastifyInstance) => {
    const fileType = async (organizationId: string, id: string) => {
      try {
        return (await app.files.get(organizationId, id)).contentType;
      } catch (error) {
        if (error instanceof ProblemError && error.status === 404) return null;
        throw error;
      }
    };
    const settings = billingSettingsService(app.kernel, { paymentTermsExist, fileType });
    const clients = clientService(app.kernel, { paymentTermsExist, hasInvoices: (tx, organizationId, clientId) => invoices.clientHasInvoices(tx, organizationId, clientId) });
    const rates = exchangeRateService(app.kernel, { settings });
    const invoices = invoiceService(app.kernel, { clients, settings, recordedRate: rates.rateOn });
    const delivery = invoiceDeliveryService(app, { invoices, clients, settings });
    const creditNotes = creditNoteService(app.kernel, { invoices, settings });
    const recurring = recurringInvoiceService(app.kernel, { invoices, clients, delivery, log: app.log });
    // Master data cannot be deleted while any of these still names it (409 …_IN_USE, `used_by` the key).
    const referrers: MasterDataReferrers = {
      paymentTerms: { clients: clients.usesPaymentTerms, invoices: invoices.usesPaymentTerms, recurring_invoices: recurring.usesPaymentTerms, billing_settings: settings.usesPaymentTerms },
      taxCodes: {
        invoices: invoices.usesTaxCode,
        credit_notes: creditNotes.usesTaxCode,
        recurring_invoices: recurring.usesTaxCode,
      },
      units: { invoices: invoices.usesUnit, recurring_invoices: recurring.usesUnit },
      categories: { invoices: invoices.usesCategory, recurring_invoices: recurring.usesCategory },
    };
    await app.register(masterDataRoutes, { referrers });
    await app.register(billingSettingsRoutes(settings));
    await app.register(exchangeRateRoutes(rates));
    await app.register(clientRoutes(clients));
    await app.register(clientSummaryRoutes(clients));
    await app.register(invoiceRoutes({ invoices, clients, settings }));
    // Gateways (Stripe, Razorpay…) register in the registry; the payment service only looks them up by name.
    await app.register(paymentRoutes(paymentService(app.kernel, { clients, invoices, gateways: options.gateways ?? new PaymentGatewayRegistry() })));
    await app.register(creditNoteRoutes({ creditNotes, invoices }));
    await registerInvoiceDelivery(app, delivery);
    await app.register(invoiceBulkRoutes({ invoices, delivery }));
    await registerRecurringInvoices(app, recurring);
  },
});

export const billingModule: Module = createBillingModule();

// What other modules (and the invoices part) may use.
export { computeTax, convertQuantity, installmentsOf, taxCodeInForce, type SupplyType } from './master-data/index';
export { Dec, formatMoney, minorDigits, roundMoney } from './money';
export { baseCurrencyOf, baseCurrencyRates, clientBehaviour, clientNames, invoicedBetween, receivablesOn, revenueByCategory, revenueFacts, taxFacts, type CategoryRevenue, type RevenueFact, type RevenueInterval, type BaseCurrencyRates, type ClientBehaviour, type DocumentTotals, type ReceivableBuckets, type ReportPeriod, type TaxComponentTotals, type TaxFacts } from './reports';
