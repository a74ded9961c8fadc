import { today } from '../dates';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { originOf } from '../../../kernel/audit/audit';
import { ifMatchVersion } from '../../../kernel/http/etag';
import { ProblemError } from '../../../kernel/http/problem';
import { XLSX_TYPE } from '../../../kernel/http/spreadsheet';
import { exportCsv, exportXlsx, importClients } from './csv';
import { Client, ClientPage, ClientParams, CreateClientBody, ExportClientsQuery, ImportClientsQuery, ImportReport, ListClientsQuery, UpdateClientBody } from './schemas';
import type { ClientService } from './service';

const IMPORT_BODY_LIMIT = 5 * 1024 * 1024;

/** /api/v1/clients: the organization's customers, their contacts, import and export. */
export function clientRoutes(clients: ClientService): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { database } = app.kernel;
    const tags = ['clients'];
    const can = (action: string) => ({ permission: `client:${action}` });

    // CSV arrives as text, for this plugin's routes only.
    app.addContentTypeParser(['text/csv'], { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT }, (_request, body, done) => done(null, body));

    app.post('/clients', { config: can('create'), schema: { tags, summary: 'Create a client with its contacts', body: CreateClientBody, response: { 201: Client } } }, async (request, reply) => {
      const created = await database.transaction((tx) => clients.create(tx, originOf(request), request.actor!, request.body));
      reply.header('location', `/api/v1/clients/${created.id}`);
      return reply.sendResource(created, 201);
    });

    app.get('/clients', { config: can('read'), schema: { tags, summary: 'List and search clients', querystring: ListClientsQuery, response: { 200: ClientPage } } }, async (request) =>
      clients.list(database.db, request.actor!, request.query),
    );

    app.get(
      '/clients/export',
      {
        config: can('export'),
        schema: { tags, summary: 'Export the matching clients as CSV or Excel (the CSV columns are the import’s)', querystring: ExportClientsQuery, produces: ['text/csv', XLSX_TYPE] },
      },
      async (request, reply) => {
        const { format, ...filters } = request.query;
        const rows = clients.scan(database.db, request.actor!, filters);
        const day = today(app.kernel);
        return reply
          .header('content-disposition', `attachment; filename="clients-${day}.${format}"`)
          .header('cache-control', 'no-store')
          .type(format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE)
          .send(format === 'csv' ? exportCsv(rows) : exportXlsx(rows));
      },
    );

    app.post(
      '/clients/import',
      {
        config: can('import'),
        bodyLimit: IMPORT_BODY_LIMIT,
        // Before the body schema, so JSON sent here is told the type is wrong, not the content.
        preValidation: async (request) => {
          if (!String(request.headers['content-type']).startsWith('text/csv')) throw new ProblemError(415, 'UNSUPPORTED_MEDIA_TYPE');
        },
        schema: {
          tags,
          summary: 'Import clients from CSV (all or nothing; `dry_run=true` only checks)',
          description: `Columns as in the export; \`name\`, \`currency\`, \`billing_line1\`, \`billing_city\` and \`billing_country\` are required. Tags are separated by \`;\`. At most 5,000 rows. A file with any error imports nothing and answers 422 with every error.`,
          consumes: ['text/csv'],
          querystring: ImportClientsQuery,
          body: Type.String({ description: 'CSV, UTF-8, with a header row.' }),
          response: { 200: ImportReport },
        },
      },
      async (request) => {
        const report = await database.transaction((tx) => importClients(tx, clients, originOf(request), request.actor!, request.body, request.query.dry_run));
        if (!report.dry_run && report.errors.length > 0) {
          throw new ProblemError(422, 'VALIDATION_ERROR', { errors: report.errors.map((e) => ({ field: `row ${e.row}: ${e.field}`, message: e.message })) });
        }
        return report;
      },
    );

    app.get('/clients/:id', { config: can('read'), schema: { tags, summary: 'Get a client', params: ClientParams, response: { 200: Client } } }, async (request, reply) =>
      reply.sendResource(await clients.get(database.db, request.actor!, request.params.id)),
    );

    app.patch('/clients/:id', { config: can('update'), schema: { tags, summary: 'Change a client (contacts, when given, replace the list)', params: ClientParams, body: UpdateClientBody, response: { 200: Client } } }, async (request, reply) => {
      const expected = ifMatchVersion(request);
      return reply.sendResource(await database.transaction((tx) => clients.update(tx, originOf(request), request.actor!, request.params.id, request.body, expected)));
    });

    app.delete('/clients/:id', { config: can('delete'), schema: { tags, summary: 'Delete a client', params: ClientParams } }, async (request, reply) => {
      const expected = ifMatchVersion(request);
      await database.transaction((tx) => clients.remove(tx, originOf(request), request.actor!, request.params.id, expected));
      return reply.code(204).send();
    });
  };
}
