import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { stringify } from 'csv-stringify/sync';
import { originOf } from '../../../kernel/audit/audit';
import { ProblemError, renderProblem, validationFailed } from '../../../kernel/http/problem';
import type { InvoiceDeliveryService } from '../delivery/service';
import { presentSummary, type InvoiceService } from './service';

export const MAX_BULK_IDS = 500;
const ACTIONS = ['finalize', 'send', 'void', 'delete', 'export'] as const;
type BulkAction = (typeof ACTIONS)[number];
/** The permission of each action: the same as the single action's. */
const PERMISSION: Record<BulkAction, string> = { finalize: 'invoice:finalize', send: 'invoice:send', void: 'invoice:void', delete: 'invoice:delete', export: 'invoice:read' };

export const BulkInvoicesBody = Type.Object(
  {
    action: Type.Union(ACTIONS.map((a) => Type.Literal(a)), { description: 'Permission as for the single action: invoice:finalize, invoice:send, invoice:void, invoice:delete; export needs invoice:read.' }),
    ids: Type.Array(Type.String({ maxLength: 64 }), { minItems: 1, maxItems: MAX_BULK_IDS }),
    reason: Type.Optional(Type.String({ minLength: 3, maxLength: 500, description: 'Required by void.' })),
    fail_fast: Type.Optional(Type.Boolean({ default: false, description: 'Stop at the first failure; the rest are reported as skipped.' })),
  },
  { additionalProperties: false },
);
export type BulkInvoicesBody = Static<typeof BulkInvoicesBody>;

export const BulkInvoicesReport = Type.Object(
  {
    action: Type.String(),
    total: Type.Integer(),
    successful: Type.Integer(),
    failed: Type.Integer(),
    skipped: Type.Integer(),
    errors: Type.Array(Type.Object({ index: Type.Integer(), id: Type.String(), code: Type.String(), message: Type.String() }, { additionalProperties: false })),
    duration_seconds: Type.Number(),
    throughput_per_second: Type.Number(),
  },
  { $id: 'BulkInvoicesReport', additionalProperties: false },
);

export const EXPORT_COLUMNS = ['number', 'id', 'client_id', 'customer', 'status', 'payment_status', 'issue_date', 'due_date', 'currency', 'subtotal', 'discount_total', 'tax_total', 'total', 'amount_paid', 'amount_remaining'] as const;

/**
 * POST /invoices/bulk: finalize, send, void or delete up to 500 invoices, each in its own
 * transaction (one failure undoes nothing else), answered with the bulk report; `export` answers
 * those invoices as CSV instead.
 */
export function invoiceBulkRoutes(deps: { invoices: InvoiceService; delivery: InvoiceDeliveryService }): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { database } = app.kernel;

    app.post(
      '/invoices/bulk',
      {
        config: { permission: 'invoice:read', rateLimit: 'bulk' },
        schema: {
          tags: ['invoices'],
          summary: 'Finalize, send, void, delete or export up to 500 invoices',
          description: 'Each invoice in its own transaction. `export` answers `text/csv` (columns: ' + EXPORT_COLUMNS.join(', ') + ') of the invoices found, in the order given; the other actions answer the bulk report.',
          body: BulkInvoicesBody,
          response: { 200: BulkInvoicesReport },
          produces: ['application/json', 'text/csv'],
        },
      },
      async (request, reply) => {
        const actor = request.actor!;
        const { action, ids, reason, fail_fast: failFast = false } = request.body;
        // The single action's permission, checked (and a denial audited) like a route's.
        await app.auth.require(request, PERMISSION[action]);
        if (action === 'void' && !reason?.trim()) throw validationFailed([{ field: 'reason', message: 'is required to void invoices' }]);
        const origin = originOf(request);

        if (action === 'export') {
          const rows = (await deps.invoices.loadMany(database.db, actor, ids)).map((row) => {
            const s = presentSummary(row);
            return [s.number ?? '', s.id, s.client_id, row.customer?.name ?? '', s.status, s.payment_status, s.issue_date, s.due_date ?? '', s.currency, s.subtotal, s.discount_total, s.tax_total, s.total, s.amount_paid, s.amount_remaining];
          });
          const csv = stringify([[...EXPORT_COLUMNS], ...rows], { bom: true });
          return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="invoices.csv"').header('cache-control', 'private, no-store').send(csv as never);
        }

        const run = (id: string): Promise<unknown> => {
          switch (action) {
            case 'finalize':
              return database.transaction((tx) => deps.invoices.finalize(tx, origin, actor, id));
            case 'void':
              return database.transaction((tx) => deps.invoices.void(tx, origin, actor, id, reason!));
            case 'delete':
              return database.transaction((tx) => deps.invoices.remove(tx, origin, actor, id));
            case 'send':
              return deps.delivery.send(origin, actor, id, {});
          }
        };
        const started = performance.now();
        const errors: { index: number; id: string; code: string; message: string }[] = [];
        let successful = 0;
        for (const [index, id] of ids.entries()) {
          try {
            await run(id);
            successful++;
          } catch (error) {
            if (!(error instanceof ProblemError)) request.log.error({ err: error, invoiceId: id }, 'bulk invoice action failed');
            const problem = error instanceof ProblemError ? renderProblem(error, request.locale, request.id) : null;
            errors.push({ index, id, code: problem?.code ?? 'INTERNAL_ERROR', message: problem ? (problem.detail ?? problem.title) : 'unexpected error' });
            if (failFast) break;
          }
        }
        const duration = (performance.now() - started) / 1000;
        return {
          action,
          total: ids.length,
          successful,
          failed: errors.length,
          skipped: ids.length - successful - errors.length,
          errors,
          duration_seconds: Math.round(duration * 1000) / 1000,
          throughput_per_second: duration > 0 ? Math.round(((successful + errors.length) / duration) * 100) / 100 : successful + errors.length,
        };
      },
    );
  };
}
