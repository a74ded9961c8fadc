import type { TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Executor } from '../../../kernel/db/database';
import { ifMatchVersion } from '../../../kernel/http/etag';
import type { Page } from '../../../kernel/http/pagination';
import { callerOf, IdParams, READ, security, WRITE, type Caller } from './common';

/** What every master data resource's service offers (inputs are validated by the route schemas). */
export interface ResourceService<T extends { id: string; version: number }, Create, Update, Query> {
  create(tx: Executor, caller: Caller, input: Create): Promise<T>;
  get(tx: Executor, caller: Caller, id: string): Promise<T>;
  list(tx: Executor, caller: Caller, query: Query): Promise<Page<T>>;
  update(tx: Executor, caller: Caller, id: string, input: Update, expectedVersion?: number[], replace?: boolean): Promise<T>;
  remove(tx: Executor, caller: Caller, id: string, expectedVersion?: number[]): Promise<void>;
}

export interface ResourceRoutes<T extends { id: string; version: number }, Create, Update, Query> {
  /** Path below /api/v1, e.g. `/master-data/units`. */
  base: string;
  tags: string[];
  /** `a unit`, `units`: for the summaries. */
  one: string;
  many: string;
  schemas: { resource: TSchema; page: TSchema; create: TSchema; update: TSchema; list: TSchema };
  service: ResourceService<T, Create, Update, Query>;
  /** Also `PUT /:id` with full-replacement semantics (the create schema; omitted optional fields reset). */
  put?: boolean;
}

/**
 * The five routes of a master data resource: POST (201 + Location + ETag), GET list (keyset
 * pages), GET one (ETag, If-None-Match), PATCH (If-Match), DELETE (If-Match, 204). Reading needs
 * `master_data:read`, writing `master_data:write`; every write is one transaction.
 */
export function registerResource<T extends { id: string; version: number }, Create, Update, Query>(app: FastifyInstance, r: ResourceRoutes<T, Create, Update, Query>): void {
  const { database } = app.kernel;
  const { tags, base, schemas, service } = r;
  const one = `${base}/:id`;
  type ById = { Params: { id: string } };

  app.post<{ Body: Create }>(base, { config: WRITE, schema: { tags, security, summary: `Create ${r.one}`, body: schemas.create, response: { 201: schemas.resource } } }, async (request, reply) => {
    const created = await database.transaction((tx) => service.create(tx, callerOf(request), request.body as Create));
    reply.header('location', `/api/v1${base}/${created.id}`);
    return reply.sendResource(created, 201);
  });

  app.get<{ Querystring: Query }>(base, { config: READ, schema: { tags, security, summary: `List ${r.many}`, querystring: schemas.list, response: { 200: schemas.page } } }, async (request) =>
    service.list(database.db, callerOf(request), request.query as Query),
  );

  app.get<ById>(one, { config: READ, schema: { tags, security, summary: `Get ${r.one}`, params: IdParams, response: { 200: schemas.resource } } }, async (request, reply) =>
    reply.sendResource(await service.get(database.db, callerOf(request), request.params.id)),
  );

  const update = (replace: boolean) => async (request: FastifyRequest<ById & { Body: Update }>, reply: FastifyReply) => {
    const expected = ifMatchVersion(request);
    return reply.sendResource(await database.transaction((tx) => service.update(tx, callerOf(request), request.params.id, request.body as Update, expected, replace)));
  };
  app.patch<ById & { Body: Update }>(one, { config: WRITE, schema: { tags, security, summary: `Change ${r.one} (partial; If-Match honoured)`, params: IdParams, body: schemas.update, response: { 200: schemas.resource } } }, update(false));
  if (r.put) {
    app.put<ById & { Body: Update }>(one, { config: WRITE, schema: { tags, security, summary: `Replace ${r.one} (omitted optional fields return to their defaults; If-Match honoured)`, params: IdParams, body: schemas.create, response: { 200: schemas.resource } } }, update(true));
  }

  app.delete<ById>(one, { config: WRITE, schema: { tags, security, summary: `Delete ${r.one} (If-Match honoured)`, params: IdParams } }, async (request, reply) => {
    const expected = ifMatchVersion(request);
    await database.transaction((tx) => service.remove(tx, callerOf(request), request.params.id, expected));
    return reply.code(204).send();
  });
}
