import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type Static } from '@sinclair/typebox';
import { and, eq, max, ne, sql } from 'drizzle-orm';
import type { Actor } from '../../kernel/auth/actor';
import type { Executor } from '../../kernel/db/database';
import { ClientParams } from './clients/schemas';
import type { ClientService } from './clients/service';
import { amountRemainingSql } from './invoices/balance';
import { invoices } from './invoices/tables';
import { Dec, formatMoney } from './money';
import { payments } from './payments/tables';

const strict = { additionalProperties: false } as const;
const Money = Type.String();
const Instant = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const ClientSummary = Type.Object(
  {
    client_id: Type.String(),
    invoices: Type.Object(
      {
        count: Type.Integer({ description: 'Drafts included.' }),
        by_status: Type.Record(Type.String(), Type.Integer()),
        overdue: Type.Integer(),
      },
      strict,
    ),
    balances: Type.Array(
      Type.Object(
        {
          currency: Type.String(),
          invoiced: Money,
          paid: Money,
          credited: Money,
          outstanding: Type.String({ description: 'Still owed on open invoices (total − paid − credited − discount taken).' }),
          overdue: Type.String({ description: 'The part of `outstanding` on invoices past their due date.' }),
        },
        strict,
      ),
      { description: 'Per currency, on finalized invoices (void ones excluded): amounts in different currencies are never added.' },
    ),
    payments: Type.Array(Type.Object({ currency: Type.String(), count: Type.Integer(), received: Money, refunded: Money, credit: Type.String({ description: 'Unapplied: usable on later invoices.' }) }, strict)),
    last_invoice_at: Instant,
    last_payment_at: Instant,
    last_activity_at: Instant,
  },
  { $id: 'ClientSummary', ...strict },
);
export type ClientSummary = Static<typeof ClientSummary>;

const iso = (value: Date | string | null | undefined) => (value ? new Date(value).toISOString() : null);
const money = (value: string | null, currency: string) => formatMoney(new Dec(value ?? '0'), currency);

/** The relationship view of a client (seed 001): its invoices, what it owes, what it paid, when it last did something. */
export async function clientSummary(executor: Executor, clients: ClientService, actor: Actor, clientId: string): Promise<ClientSummary> {
  await clients.get(executor, actor, clientId);
  const mine = and(eq(invoices.organizationId, actor.organizationId), eq(invoices.clientId, clientId));
  const byStatus = await executor.select({ status: invoices.status, n: sql<number>`count(*)::int`, overdue: sql<number>`count(*) filter (where ${invoices.overdue})::int` }).from(invoices).where(mine).groupBy(invoices.status);
  const balances = await executor
    .select({
      currency: invoices.currency,
      invoiced: sql<string>`sum(${invoices.total})`,
      paid: sql<string>`sum(${invoices.amountPaid})`,
      credited: sql<string>`sum(${invoices.amountCredited})`,
      outstanding: sql<string>`coalesce(sum(${amountRemainingSql(invoices)}) filter (where ${invoices.status} = 'open'), 0)`,
      overdue: sql<string>`coalesce(sum(${amountRemainingSql(invoices)}) filter (where ${invoices.status} = 'open' and ${invoices.overdue}), 0)`,
    })
    .from(invoices)
    .where(and(mine, ne(invoices.status, 'draft'), ne(invoices.status, 'void')))
    .groupBy(invoices.currency)
    .orderBy(invoices.currency);
  const received = await executor
    .select({
      currency: payments.currency,
      count: sql<number>`count(*)::int`,
      received: sql<string>`coalesce(sum(${payments.amount}) filter (where ${payments.creditNoteId} is null), 0)`,
      refunded: sql<string>`sum(${payments.refundedAmount})`,
      credit: sql<string>`sum(${payments.unappliedAmount})`,
    })
    .from(payments)
    .where(and(eq(payments.organizationId, actor.organizationId), eq(payments.clientId, clientId)))
    .groupBy(payments.currency)
    .orderBy(payments.currency);
  const [lastInvoice] = await executor.select({ at: max(invoices.updatedAt) }).from(invoices).where(mine);
  const [lastPayment] = await executor.select({ at: max(payments.createdAt) }).from(payments).where(and(eq(payments.organizationId, actor.organizationId), eq(payments.clientId, clientId)));
  const lastInvoiceAt = iso(lastInvoice?.at);
  const lastPaymentAt = iso(lastPayment?.at);
  return {
    client_id: clientId,
    invoices: {
      count: byStatus.reduce((n, s) => n + s.n, 0),
      by_status: Object.fromEntries(byStatus.map((s) => [s.status, s.n])),
      overdue: byStatus.reduce((n, s) => n + s.overdue, 0),
    },
    balances: balances.map((b) => ({ currency: b.currency, invoiced: money(b.invoiced, b.currency), paid: money(b.paid, b.currency), credited: money(b.credited, b.currency), outstanding: money(b.outstanding, b.currency), overdue: money(b.overdue, b.currency) })),
    payments: received.map((p) => ({ currency: p.currency, count: p.count, received: money(p.received, p.currency), refunded: money(p.refunded, p.currency), credit: money(p.credit, p.currency) })),
    last_invoice_at: lastInvoiceAt,
    last_payment_at: lastPaymentAt,
    last_activity_at: [lastInvoiceAt, lastPaymentAt].filter((t): t is string => t !== null).sort().at(-1) ?? null,
  };
}

/** GET /api/v1/clients/{id}/summary. */
export function clientSummaryRoutes(clients: ClientService): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/clients/:id/summary',
      { config: { permission: 'client:read' }, schema: { tags: ['clients'], summary: 'The client’s relationship view: invoices, balances per currency, payments, last activity', params: ClientParams, response: { 200: ClientSummary } } },
      async (request, reply) => reply.header('cache-control', 'no-store').send(await clientSummary(app.kernel.database.db, clients, request.actor!, request.params.id)),
    );
  };
}
