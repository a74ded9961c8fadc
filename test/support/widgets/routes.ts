import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Actor } from '../../../src/kernel/auth/actor';
import { sendPage } from '../../../src/kernel/http/pagination';
import { ifMatchVersion } from '../../../src/kernel/http/etag';
import { CreateWidget, ListWidgetsQuery, UpdateWidget, Widget, WidgetPage, WidgetParams } from './schemas';
import { widgetService } from './service';

/** Thin HTTP layer: schema in, one service call, reply. */
export const widgetRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = widgetService(app.kernel);
  const { database } = app.kernel;
  const tags = ['widgets (test only)'];

  // Stand-in for the identity module: the organization comes from a test header.
  app.addHook('onRequest', async (request) => {
    const org = request.headers['x-test-org'];
    request.actor = { type: 'user', id: 'usr_tester', organizationId: typeof org === 'string' ? org : 'org_test', role: 'admin', permissions: ['*:*'] };
  });
  const actorOf = (request: { actor: Actor | null }) => request.actor!;

  app.post('/widgets', { schema: { tags, body: CreateWidget, response: { 201: Widget } } }, async (request, reply) => {
    const widget = await database.transaction((tx) => service.create(tx, actorOf(request), request.body));
    reply.header('location', `/api/v1/widgets/${widget.id}`);
    return reply.sendResource(widget, 201);
  });

  app.get('/widgets', { schema: { tags, querystring: ListWidgetsQuery, response: { 200: WidgetPage } } }, async (request, reply) =>
    sendPage(reply, await service.list(database.db, actorOf(request), request.query)),
  );

  // The same list through the generic path (service.listRows): the bench measures it, a test compares it with /widgets.
  app.get('/widget-rows', { schema: { tags, querystring: ListWidgetsQuery, response: { 200: WidgetPage } } }, async (request) =>
    service.listRows(database.db, actorOf(request), request.query),
  );

  app.get('/widgets/:id', { schema: { tags, params: WidgetParams, response: { 200: Widget } } }, async (request, reply) =>
    reply.sendResource(await service.get(database.db, actorOf(request), request.params.id)),
  );

  app.patch('/widgets/:id', { schema: { tags, params: WidgetParams, body: UpdateWidget, response: { 200: Widget } } }, async (request, reply) => {
    const expected = ifMatchVersion(request);
    const widget = await database.transaction((tx) => service.update(tx, actorOf(request), request.params.id, request.body, expected));
    return reply.sendResource(widget);
  });

  app.delete('/widgets/:id', { schema: { tags, params: WidgetParams } }, async (request, reply) => {
    const expected = ifMatchVersion(request);
    await database.transaction((tx) => service.remove(tx, actorOf(request), request.params.id, expected));
    return reply.code(204).send();
  });

  // Fault injection for the error-handling and shutdown tests.
  app.get('/widgets-faults/crash', { schema: { tags } }, async () => {
    throw new Error('SELECT password_hash FROM users WHERE id = 42 -- secret internals');
  });
  app.get('/widgets-faults/slow', { schema: { tags, querystring: Type.Object({ ms: Type.Integer({ maximum: 10_000 }) }, { additionalProperties: false }) } }, async (request) => {
    await sleep(request.query.ms);
    return { slept_ms: request.query.ms };
  });
  app.post('/widgets-faults/echo', { schema: { tags, body: Type.Object({ text: Type.String({ maxLength: 5_000_000 }) }, { additionalProperties: false }) } }, async (request) => ({
    length: request.body.text.length,
    text: request.body.text,
  }));
};
