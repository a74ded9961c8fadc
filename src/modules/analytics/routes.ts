import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifySchema } from 'fastify';
import type { TObject, Static } from '@sinclair/typebox';
import type { Actor } from '../../kernel/auth/actor';
import { sendTable, XLSX_TYPE, type TableDownload } from '../../kernel/http/spreadsheet';
import { arAging, arAgingTable } from './ar-aging';
import { agingChartFor, barChartSvg, revenueChartFor, type BarChart } from './charts';
import { churnRisk } from './churn';
import { clientsReport, clientsReportTable } from './clients';
import { executiveDashboard } from './dashboard';
import { revenueForecast } from './forecast';
import { revenue, revenueTable } from './revenue';
import { ArAging, ArAgingChartQuery, ArAgingQuery, ChurnRisk, ChurnRiskQuery, ClientsReport, ClientsReportQuery, DashboardQuery, ExecutiveDashboard, ForecastQuery, Revenue, RevenueForecast, RevenueChartQuery, RevenueQuery, TaxSummary, TaxSummaryQuery } from './schemas';
import { taxSummary, taxSummaryTable } from './tax-summary';

/** /api/v1/reports and /api/v1/analytics: figures computed from the organization's records. */
export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { database } = app.kernel;
  const today = () => app.kernel.now().toISOString().slice(0, 10);

  // Typed by `compute` and `table`: a generic schema is beyond what the type provider can infer from.
  const untyped = app as unknown as FastifyInstance;
  /** One report: its query (with `format`), its JSON shape, how to compute it and how to lay it out as a table. */
  function report<Q extends TObject, R extends TObject>(path: string, summary: string, query: Q, response: R, compute: (actor: Actor, query: Static<Q>) => Promise<Static<R>>, table: (report: Static<R>, format: 'csv' | 'xlsx') => TableDownload) {
    const schema: FastifySchema = { tags: ['reports'], summary, querystring: query, response: { 200: response }, produces: ['application/json', 'text/csv', XLSX_TYPE] };
    untyped.get(path, { config: { permission: 'reports:read' }, schema }, async (request, reply) => {
      const params = request.query as Static<Q> & { format: 'json' | 'csv' | 'xlsx' };
      const figures = await compute(request.actor!, params);
      return params.format === 'json' ? figures : sendTable(reply, table(figures, params.format));
    });
  }

  report(
    '/reports/tax-summary',
    'Tax for a period: invoiced less credited, per tax code, component (CGST/SGST/IGST…), rate and supply type, per currency',
    TaxSummaryQuery,
    TaxSummary,
    (actor, query) => taxSummary(database.db, actor, query),
    taxSummaryTable,
  );
  report(
    '/reports/ar-aging',
    'Accounts receivable aging: what each client owed at the end of a day, by days past due, per currency, with days sales outstanding',
    ArAgingQuery,
    ArAging,
    (actor, query) => arAging(database.db, actor, query.as_of ?? today(), query.client_id),
    arAgingTable,
  );
  report(
    '/reports/revenue',
    'Revenue per day, week, month or quarter: invoiced, credited, collected and refunded per currency, per client, and in the base currency at recorded rates',
    RevenueQuery,
    Revenue,
    (actor, query) => revenue(database.db, actor, query),
    revenueTable,
  );
  report(
    '/reports/clients',
    'Client behaviour: lifetime value, collected, average days to pay, on-time rate and last activity, top clients first, per currency',
    ClientsReportQuery,
    ClientsReport,
    (actor, query) => clientsReport(database.db, actor, query, today()),
    clientsReportTable,
  );

  app.get(
    '/analytics/executive-dashboard',
    {
      config: { permission: 'reports:read' },
      schema: { tags: ['analytics'], summary: 'The executive dashboard (seed 000): users, integrations, activity, revenue, cash flow and receivables in the base currency, daily trends', querystring: DashboardQuery, response: { 200: ExecutiveDashboard } },
    },
    async (request) => executiveDashboard(database.db, request.actor!, request.query, today()),
  );

  const sendSvg = async (reply: FastifyReply, { name, chart }: { name: string; chart: BarChart }) =>
    reply.type('image/svg+xml').header('content-disposition', `inline; filename="${name}.svg"`).header('cache-control', 'no-store').send(await barChartSvg(chart));
  const chartSchema = <Q extends TObject>(summary: string, querystring: Q) => ({ tags: ['reports'], summary, querystring, produces: ['image/svg+xml'] });

  app.get(
    '/reports/revenue/chart',
    { config: { permission: 'reports:read' }, schema: chartSchema('The revenue trend as an SVG bar chart: invoiced and collected per interval', RevenueChartQuery) },
    async (request, reply) => sendSvg(reply, await revenueChartFor(database.db, request.actor!, request.query)),
  );
  app.get(
    '/reports/ar-aging/chart',
    { config: { permission: 'reports:read' }, schema: chartSchema('Receivables aging as an SVG bar chart: what one currency’s clients owed per bucket of days past due', ArAgingChartQuery) },
    async (request, reply) => sendSvg(reply, await agingChartFor(database.db, request.actor!, request.query, today())),
  );

  app.get(
    '/analytics/forecast/revenue',
    {
      config: { permission: 'reports:read' },
      schema: { tags: ['analytics'], summary: 'Monthly revenue forecast with prediction intervals and a backtest (MSTL/ETS)', querystring: ForecastQuery, response: { 200: RevenueForecast } },
    },
    async (request) => revenueForecast(database.db, request.actor!, request.query, today()),
  );

  app.get(
    '/analytics/churn-risk',
    {
      config: { permission: 'reports:read' },
      schema: { tags: ['analytics'], summary: 'Clients at risk of churning, from recency, frequency and payment behaviour, with the reasons for each', querystring: ChurnRiskQuery, response: { 200: ChurnRisk } },
    },
    async (request) => churnRisk(database.db, request.actor!, request.query, today()),
  );
};
