import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { originOf } from '../audit/audit';
import { ifMatchVersion } from '../http/etag';
import type { DeliveryService } from './deliveries';
import { deliveryQueries } from './delivery-queries';
import { endpointService } from './endpoints';
import {
  CreateWebhookBody,
  DeliveryParams,
  ListDeliveriesQuery,
  ListWebhooksQuery,
  RotatedSecret,
  UpdateWebhookBody,
  WebhookDelivery,
  WebhookDeliveryPage,
  WebhookEndpoint,
  WebhookEndpointPage,
  WebhookEndpointWithSecret,
  WebhookParams,
} from './schemas';

/** /api/v1/webhooks: endpoints, their secrets and their deliveries. */
export function webhookRoutes(deliveries: DeliveryService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { database } = app.kernel;
    const endpoints = endpointService(app.kernel);
    const queries = deliveryQueries(app.kernel, endpoints, deliveries);
    const tags = ['webhooks'];
    const read = { permission: 'webhook:read', rateLimit: 'admin' as const };
    const write = (action: string) => ({ permission: `webhook:${action}`, rateLimit: 'admin' as const });

    app.post('/webhooks', { config: write('create'), schema: { tags, summary: 'Create a webhook endpoint (its secret is shown once)', body: CreateWebhookBody, response: { 201: WebhookEndpointWithSecret } } }, async (request, reply) => {
      const created = await database.transaction((tx) => endpoints.create(tx, originOf(request), request.actor!, request.body));
      reply.header('location', `/api/v1/webhooks/${created.id}`);
      return reply.sendResource(created, 201);
    });

    app.get('/webhooks', { config: read, schema: { tags, summary: 'List webhook endpoints', querystring: ListWebhooksQuery, response: { 200: WebhookEndpointPage } } }, async (request) =>
      endpoints.list(database.db, request.actor!, request.query),
    );

    app.get('/webhooks/:id', { config: read, schema: { tags, summary: 'Get a webhook endpoint', params: WebhookParams, response: { 200: WebhookEndpoint } } }, async (request, reply) =>
      reply.sendResource(await endpoints.get(database.db, request.actor!, request.params.id)),
    );

    app.patch('/webhooks/:id', { config: write('update'), schema: { tags, summary: 'Change a webhook endpoint', params: WebhookParams, body: UpdateWebhookBody, response: { 200: WebhookEndpoint } } }, async (request, reply) => {
      const expected = ifMatchVersion(request);
      return reply.sendResource(await database.transaction((tx) => endpoints.update(tx, originOf(request), request.actor!, request.params.id, request.body, expected)));
    });

    app.delete('/webhooks/:id', { config: write('delete'), schema: { tags, summary: 'Delete a webhook endpoint', params: WebhookParams } }, async (request, reply) => {
      const expected = ifMatchVersion(request);
      await database.transaction((tx) => endpoints.remove(tx, originOf(request), request.actor!, request.params.id, expected));
      return reply.code(204).send();
    });

    app.post('/webhooks/:id/rotate-secret', { config: write('update'), schema: { tags, summary: 'Rotate the signing secret (the old one signs too for 24 h)', params: WebhookParams, response: { 200: RotatedSecret } } }, async (request) =>
      database.transaction((tx) => endpoints.rotateSecret(tx, originOf(request), request.actor!, request.params.id)),
    );

    app.post('/webhooks/:id/test', { config: write('update'), schema: { tags, summary: 'Send a webhook.test event now and answer how it went', params: WebhookParams, response: { 200: WebhookDelivery } } }, async (request) =>
      queries.sendTest(request.actor!, request.params.id),
    );

    app.get('/webhooks/:id/deliveries', { config: read, schema: { tags, summary: 'Deliveries of an endpoint, with every attempt', params: WebhookParams, querystring: ListDeliveriesQuery, response: { 200: WebhookDeliveryPage } } }, async (request) =>
      queries.list(request.actor!, request.params.id, request.query),
    );

    app.get('/webhooks/:id/deliveries/:delivery_id', { config: read, schema: { tags, summary: 'One delivery with every attempt', params: DeliveryParams, response: { 200: WebhookDelivery } } }, async (request) =>
      queries.get(request.actor!, request.params.id, request.params.delivery_id),
    );

    app.post('/webhooks/:id/deliveries/:delivery_id/retry', { config: write('update'), schema: { tags, summary: 'Replay a delivery now (same webhook-id and body)', params: DeliveryParams, response: { 200: WebhookDelivery } } }, async (request) =>
      queries.retry(originOf(request), request.actor!, request.params.id, request.params.delivery_id),
    );
  };
}
