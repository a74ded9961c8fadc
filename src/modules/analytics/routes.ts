import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sendTable, XLSX_TYPE } from '../../kernel/http/spreadsheet';
import { TaxSummary, TaxSummaryQuery } from './schemas';
import { taxSummary, taxSummaryTable } from './tax-summary';

/** /api/v1/reports: figures computed from the organization's records, as JSON or a download. */
export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database } = app.kernel;
  const tags = ['reports'];

  app.get(
    '/reports/tax-summary',
    {
      config: { permission: 'reports:read' },
      schema: {
        tags,
        summary: 'Tax for a period: invoiced less credited, per tax code, component (CGST/SGST/IGST…), rate and supply type, per currency',
        querystring: TaxSummaryQuery,
        response: { 200: TaxSummary },
        produces: ['application/json', 'text/csv', XLSX_TYPE],
      },
    },
    async (request, reply) => {
      const summary = await taxSummary(database.db, request.actor!, request.query);
      const { format } = request.query;
      return format === 'json' ? summary : sendTable(reply, taxSummaryTable(summary, format));
    },
  );
};
