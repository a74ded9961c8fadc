import type { FastifyInstance } from 'fastify';
import type { Module } from '../../app';
import { ProblemError } from '../../kernel/http/problem';
import { clientRoutes } from './clients/routes';
import { clientService } from './clients/service';
import './messages';
import { billingSettingsRoutes } from './settings/routes';
import { billingSettingsService } from './settings/service';

/** Billing (seeds 001 and 000): the billing profile, clients, and next master data and invoices. */
export const billingModule: Module = {
  name: 'billing',
  plugin: async (app: FastifyInstance) => {
    // Payment terms are master data of this module, not built yet: no id can name one.
    const paymentTermsExist = async () => false;
    const fileType = async (organizationId: string, id: string) => {
      try {
        return (await app.files.get(organizationId, id)).contentType;
      } catch (error) {
        if (error instanceof ProblemError && error.status === 404) return null;
        throw error;
      }
    };
    await app.register(billingSettingsRoutes(billingSettingsService(app.kernel, { paymentTermsExist, fileType })));
    await app.register(clientRoutes(clientService(app.kernel, { paymentTermsExist })));
  },
};
