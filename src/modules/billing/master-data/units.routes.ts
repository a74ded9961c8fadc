import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { callerOf, READ, security, type Referrers } from './common';
import { registerResource } from './crud-routes';
import { Conversion, ConvertBody, CreateUnit, ListUnitsQuery, Unit, UnitPage, UpdateUnit } from './units.schemas';
import { unitService } from './units.service';

/** /master-data/units and /master-data/units/convert */
export const unitRoutes: FastifyPluginAsyncTypebox<{ referrers: Referrers }> = async (app, { referrers }) => {
  const service = unitService(app.kernel, referrers);
  const tags = ['master data: units'];
  app.post('/master-data/units/convert', { config: READ, schema: { tags, security, summary: 'Convert a quantity between two units of the same type', body: ConvertBody, response: { 200: Conversion } } }, async (request) =>
    service.convert(app.kernel.database.db, callerOf(request), request.body),
  );
  registerResource(app, {
    base: '/master-data/units',
    tags,
    one: 'a unit of measurement',
    many: 'units',
    schemas: { resource: Unit, page: UnitPage, create: CreateUnit, update: UpdateUnit, list: ListUnitsQuery },
    service,
  });
};
