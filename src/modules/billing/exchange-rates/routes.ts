import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { originOf } from '../../../kernel/audit/audit';
import { CreateExchangeRateBody, ExchangeRate, ExchangeRatePage, ListExchangeRatesQuery } from './schemas';
import type { ExchangeRateService } from './service';

/** /api/v1/billing/exchange-rates: rates recorded by the organization (no rate is fetched from the internet). */
export function exchangeRateRoutes(rates: ExchangeRateService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { database } = app.kernel;
    const tags = ['billing'];

    app.post(
      '/billing/exchange-rates',
      { config: { permission: 'billing_settings:update' }, schema: { tags, summary: 'Record the rate of a currency on a date (one per currency and date)', body: CreateExchangeRateBody, response: { 201: ExchangeRate } } },
      async (request, reply) => {
        const created = await database.transaction((tx) => rates.create(tx, originOf(request), request.actor!, request.body));
        reply.header('location', `/api/v1/billing/exchange-rates?currency=${created.currency}&date=${created.date}`);
        return reply.code(201).send(created);
      },
    );

    app.get(
      '/billing/exchange-rates',
      { config: { permission: 'billing_settings:read' }, schema: { tags, summary: 'List recorded exchange rates (newest date first)', querystring: ListExchangeRatesQuery, response: { 200: ExchangeRatePage } } },
      async (request) => rates.list(database.db, request.actor!, request.query),
    );
  };
}
