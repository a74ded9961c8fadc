import { and, asc, desc, eq, gt, gte, inArray, lte, sql } from 'drizzle-orm';
import { recordAudit, type RequestOrigin } from '../../../kernel/audit/audit';
import type { Actor } from '../../../kernel/auth/actor';
import type { Executor } from '../../../kernel/db/database';
import { groupBy } from '../../../kernel/db/group';
import { newId } from '../../../kernel/db/ids';
import { emitEvent } from '../../../kernel/events/outbox';
import { paginate } from '../../../kernel/http/pagination';
import { invalidStateTransition, notFound, ProblemError, validationFailed, type FieldError } from '../../../kernel/http/problem';
import type { Kernel } from '../../../kernel/kernel';
import type { ClientService } from '../clients/service';
import type { InvoiceService } from '../invoices/service';
import { earlyDiscount } from '../invoices/amount-due';
import { today } from '../dates';
import { termsByIds, type TermsRow } from '../master-data/index';
import { amountRemaining } from '../invoices/balance';
import { invoices } from '../invoices/tables';
import { Dec, formatMoney, isCurrency, isFieldError, parseAmount } from '../money';
import { loaderOf } from '../rows';
import type { PaymentGatewayRegistry } from './gateway';
import type { ApplyCreditBody, ClientCredit, CreatePaymentBody, CreateRefundBody, ListPaymentsQuery, Payment, Refund } from './schemas';
import { paymentAllocations, paymentRefunds, payments, type RefundAllocation } from './tables';

type Row = typeof payments.$inferSelect;
type AllocationRow = typeof paymentAllocations.$inferSelect;
type RefundRow = typeof paymentRefunds.$inferSelect;
type InvoiceRow = typeof invoices.$inferSelect;

export interface PaymentServiceDeps {
  clients: ClientService;
  invoices: InvoiceService;
  gateways: PaymentGatewayRegistry;
}

/** Invoice statuses that take payments: open ones, and uncollectible ones (a late payment is still welcome). */
const PAYABLE = new Set<InvoiceRow['status']>(['open', 'uncollectible']);
/** Invoice statuses a payment's allocation can be reversed on (a paid invoice opens again). */
const REVERSIBLE = new Set<InvoiceRow['status']>(['open', 'paid', 'uncollectible']);

interface AllocationPlan {
  field: string;
  invoiceId: string;
  amount: Dec;
  /** Early-payment discount granted with this allocation (it settles the invoice within the terms' window). */
  discount?: Dec;
}

const scoped = (actor: Actor, id: string) => and(eq(payments.organizationId, actor.organizationId), eq(payments.id, id));

/** An amount greater than 0 with at most the currency's minor digits; zero (and a field error) otherwise. */
function positiveAmount(input: string | number, field: string, currency: string, errors: FieldError[]): Dec {
  const parsed = parseAmount(input, field, currency);
  if (isFieldError(parsed)) errors.push(parsed);
  else if (parsed.isZero()) errors.push({ field, message: 'must be greater than 0' });
  else return parsed;
  return new Dec(0);
}

function presentRefund(row: RefundRow): Refund {
  const money = (value: string) => formatMoney(new Dec(value), row.currency);
  return {
    id: row.id,
    payment_id: row.paymentId,
    amount: money(row.amount),
    currency: row.currency,
    reason: row.reason,
    date: row.date,
    from_unapplied: money(row.fromUnapplied),
    allocations: row.allocations,
    provider: row.provider,
    provider_reference: row.providerReference,
    created_at: row.createdAt.toISOString(),
  };
}

export function presentPayment(row: Row, allocations: AllocationRow[], refunds: RefundRow[]): Payment {
  const money = (value: Dec | string) => formatMoney(new Dec(value), row.currency);
  const applied = allocations.reduce((sum, a) => sum.plus(a.amount).minus(a.refundedAmount), new Dec(0));
  return {
    id: row.id,
    client_id: row.clientId,
    amount: money(row.amount),
    currency: row.currency,
    date: row.date,
    method: row.method,
    reference: row.reference,
    provider: row.provider,
    provider_reference: row.providerReference,
    status: row.status,
    amount_applied: money(applied),
    amount_unapplied: money(row.unappliedAmount),
    amount_refunded: money(row.refundedAmount),
    notes: row.notes,
    credit_note_id: row.creditNoteId,
    allocations: allocations.map((a) => ({ id: a.id, invoice_id: a.invoiceId, amount: money(a.amount), amount_refunded: money(a.refundedAmount), applied_on: a.appliedOn, created_at: a.createdAt.toISOString() })),
    refunds: refunds.map(presentRefund),
    version: row.version,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/**
 * Payments: money received (with the `manual` provider or a registered gateway), allocated to
 * open invoices of the same client and currency; the unallocated rest is the client's credit,
 * applicable later; refunds reverse allocations and/or give credit back.
 * Every method runs in the caller's transaction (`tx`), never through another connection.
 */
export function paymentService(kernel: Kernel, deps: PaymentServiceDeps) {
  async function present(executor: Executor, rows: Row[]): Promise<Payment[]> {
    const ids = rows.map((r) => r.id);
    if (ids.length === 0) return [];
    // One after the other: a transaction is one connection.
    const allocations = await executor.select().from(paymentAllocations).where(inArray(paymentAllocations.paymentId, ids)).orderBy(asc(paymentAllocations.createdAt), asc(paymentAllocations.id));
    const refunds = await executor.select().from(paymentRefunds).where(inArray(paymentRefunds.paymentId, ids)).orderBy(asc(paymentRefunds.createdAt), asc(paymentRefunds.id));
    const allocationsOf = groupBy(allocations, (a) => a.paymentId);
    const refundsOf = groupBy(refunds, (r) => r.paymentId);
    return rows.map((row) => presentPayment(row, allocationsOf.get(row.id) ?? [], refundsOf.get(row.id) ?? []));
  }

  async function presentOne(executor: Executor, row: Row): Promise<Payment> {
    const [payment] = await present(executor, [row]);
    return payment!;
  }

  const load = loaderOf<Row>(payments, payments, 'PAYMENT_NOT_FOUND');

  /** Amounts and distinct invoices of `allocations[]`, each problem as a field error. */
  function parseAllocations(inputs: CreatePaymentBody['allocations'], currency: string, errors: FieldError[]): AllocationPlan[] {
    const plans: AllocationPlan[] = [];
    const seen = new Set<string>();
    for (const [i, input] of (inputs ?? []).entries()) {
      const field = `allocations[${i}]`;
      if (seen.has(input.invoice_id)) errors.push({ field: `${field}.invoice_id`, message: 'appears twice; allocate to each invoice once' });
      seen.add(input.invoice_id);
      const amount = positiveAmount(input.amount, `${field}.amount`, currency, errors);
      if (!amount.isZero()) plans.push({ field, invoiceId: input.invoice_id, amount });
    }
    return plans;
  }

  /** The invoices, locked (FOR UPDATE, in id order so that concurrent payments never deadlock). */
  async function lockInvoices(tx: Executor, actor: Actor, ids: string[]): Promise<Map<string, InvoiceRow>> {
    if (ids.length === 0) return new Map();
    const rows = await tx
      .select()
      .from(invoices)
      .where(and(eq(invoices.organizationId, actor.organizationId), inArray(invoices.id, [...new Set(ids)])))
      .orderBy(asc(invoices.id))
      .for('update');
    return new Map(rows.map((r) => [r.id, r]));
  }

  /**
   * Checks each allocation against its locked invoice: same client and currency, payable, at most
   * what remains. Paid on `date` within the terms' early-payment window, an allocation of at least
   * the amount remaining less the discount settles the invoice: the difference is the discount taken.
   */
  async function checkAgainstInvoices(tx: Executor, actor: Actor, plans: AllocationPlan[], locked: Map<string, InvoiceRow>, payment: { clientId: string; currency: string; date: string }, errors: FieldError[]) {
    const terms: Map<string, TermsRow> = await termsByIds(tx, actor.organizationId, [...locked.values()].map((i) => i.paymentTermsId));
    for (const plan of plans) {
      const invoice = locked.get(plan.invoiceId);
      if (!invoice) {
        errors.push({ field: `${plan.field}.invoice_id`, message: 'no such invoice in this organization' });
        continue;
      }
      if (invoice.clientId !== payment.clientId) errors.push({ field: `${plan.field}.invoice_id`, message: 'belongs to another client than the payment' });
      else if (!PAYABLE.has(invoice.status)) errors.push({ field: `${plan.field}.invoice_id`, message: `is ${invoice.status}; only open or uncollectible invoices take payments` });
      else if (invoice.currency !== payment.currency) errors.push({ field: `${plan.field}.invoice_id`, message: `is in ${invoice.currency}, the payment in ${payment.currency}` });
      else {
        const remaining = amountRemaining(invoice);
        const discount = earlyDiscount(invoice, invoice.paymentTermsId ? terms.get(invoice.paymentTermsId) : undefined, payment.date);
        if (discount && plan.amount.lessThan(remaining) && plan.amount.greaterThanOrEqualTo(remaining.minus(discount.amount))) plan.discount = remaining.minus(plan.amount);
        if (plan.amount.greaterThan(remaining)) errors.push({ field: `${plan.field}.amount`, message: `is more than the invoice’s amount remaining (${formatMoney(remaining, invoice.currency)} ${invoice.currency})` });
      }
    }
  }

  /** Writes checked allocations: the rows (one insert), and each invoice's amount paid (status `paid` once nothing remains). */
  async function allocate(tx: Executor, origin: RequestOrigin, actor: Actor, paymentId: string, plans: AllocationPlan[], locked: Map<string, InvoiceRow>, appliedOn: string) {
    if (plans.length === 0) return;
    const now = kernel.now();
    await tx
      .insert(paymentAllocations)
      .values(plans.map((plan) => ({ id: newId('pal'), organizationId: actor.organizationId, paymentId, invoiceId: plan.invoiceId, amount: plan.amount.toFixed(), appliedOn, createdBy: actor.id, createdAt: now })));
    for (const plan of plans) {
      const invoice = locked.get(plan.invoiceId)!;
      const paid = new Dec(invoice.amountPaid).plus(plan.amount);
      const discountTaken = new Dec(invoice.discountTaken).plus(plan.discount ?? 0);
      const settled = !amountRemaining({ ...invoice, amountPaid: paid.toFixed(), discountTaken: discountTaken.toFixed() }).greaterThan(0);
      const [row] = await tx
        .update(invoices)
        .set({ amountPaid: paid.toFixed(), discountTaken: discountTaken.toFixed(), ...(settled ? { status: 'paid' as const, paidAt: now, overdue: false } : {}), version: sql`${invoices.version} + 1`, updatedAt: now })
        .where(eq(invoices.id, invoice.id))
        .returning();
      locked.set(invoice.id, row!);
      if (settled) await deps.invoices.recordRow(tx, origin, actor, 'invoice.paid', row!, { payment_id: paymentId, ...(plan.discount ? { discount_taken: plan.discount.toFixed() } : {}) });
    }
  }

  async function record(tx: Executor, origin: RequestOrigin, actor: Actor, action: string, payment: Payment, metadata: Record<string, unknown> = {}, data: Record<string, unknown> = payment) {
    await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action, resourceType: 'payment', resourceId: payment.id, metadata: { amount: payment.amount, currency: payment.currency, ...metadata } });
    await emitEvent(tx, { organizationId: actor.organizationId, type: action, data });
  }

  const sum = (plans: { amount: Dec }[]) => plans.reduce((total, p) => total.plus(p.amount), new Dec(0));

  return {
    present,

    /** Records money received and applies it to the given invoices; the rest is the client's credit. */
    /** `operationKey`: the request's (kernel/http/idempotency.ts), handed to the provider. */
    async create(tx: Executor, origin: RequestOrigin, actor: Actor, body: CreatePaymentBody, operationKey: string | null = null): Promise<Payment> {
      const errors: FieldError[] = [];
      const currency = body.currency.toUpperCase();
      if (!isCurrency(currency)) errors.push({ field: 'currency', message: 'must be an ISO 4217 currency code such as INR or USD' });
      const client = await deps.clients.named(tx, actor, body.client_id, errors);
      const providerName = body.provider ?? 'manual';
      const gateway = deps.gateways.get(providerName);
      if (!gateway) errors.push({ field: 'provider', message: `must be one of ${deps.gateways.names().join(', ')}` });
      const amount = positiveAmount(body.amount, 'amount', currency, errors);
      const plans = parseAllocations(body.allocations, currency, errors);
      const allocated = sum(plans);
      if (!amount.isZero() && allocated.greaterThan(amount)) errors.push({ field: 'allocations', message: `add up to ${formatMoney(allocated, currency)}, more than the payment’s amount ${formatMoney(amount, currency)}` });
      if (errors.length > 0) throw validationFailed(errors);

      const date = body.date ?? today(kernel);
      const locked = await lockInvoices(tx, actor, plans.map((p) => p.invoiceId));
      if (client) await checkAgainstInvoices(tx, actor, plans, locked, { clientId: body.client_id, currency, date }, errors);
      if (errors.length > 0) throw validationFailed(errors);

      const id = newId('pay');
      const reference = body.reference?.trim() || null;
      const result = await gateway!.createPayment({ organizationId: actor.organizationId, paymentId: id, idempotencyKey: operationKey ?? id, clientId: body.client_id, amount, currency, method: body.method, date, reference, providerData: body.provider_data ?? {} });
      const now = kernel.now();
      const [row] = await tx
        .insert(payments)
        .values({
          id,
          organizationId: actor.organizationId,
          clientId: body.client_id,
          amount: amount.toFixed(),
          currency,
          date,
          method: body.method,
          reference,
          provider: gateway!.name,
          providerReference: result.providerReference,
          status: 'succeeded',
          unappliedAmount: amount.minus(allocated).toFixed(),
          notes: body.notes?.trim() ?? '',
          createdBy: actor.id,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      await allocate(tx, origin, actor, id, plans, locked, date);
      const payment = await presentOne(tx, row!);
      await record(tx, origin, actor, 'payment.received', payment, { client_id: body.client_id, invoices: plans.map((p) => p.invoiceId) });
      return payment;
    },

    /** Applies a payment's unapplied amount (the client's credit) to invoices. */
    async applyCredit(tx: Executor, origin: RequestOrigin, actor: Actor, id: string, body: ApplyCreditBody): Promise<Payment> {
      const current = await load(tx, actor, id, true);
      const errors: FieldError[] = [];
      const plans = parseAllocations(body.allocations, current.currency, errors);
      const allocated = sum(plans);
      const unapplied = new Dec(current.unappliedAmount);
      if (allocated.greaterThan(unapplied)) errors.push({ field: 'allocations', message: `add up to ${formatMoney(allocated, current.currency)}, more than the payment’s unapplied amount ${formatMoney(unapplied, current.currency)}` });
      if (errors.length > 0) throw validationFailed(errors);
      const locked = await lockInvoices(tx, actor, plans.map((p) => p.invoiceId));
      const appliedOn = today(kernel);
      await checkAgainstInvoices(tx, actor, plans, locked, { ...current, date: appliedOn }, errors);
      if (errors.length > 0) throw validationFailed(errors);
      await allocate(tx, origin, actor, id, plans, locked, appliedOn);
      const now = kernel.now();
      const [row] = await tx
        .update(payments)
        .set({ unappliedAmount: unapplied.minus(allocated).toFixed(), version: sql`${payments.version} + 1`, updatedAt: now })
        .where(scoped(actor, id))
        .returning();
      const payment = await presentOne(tx, row!);
      await record(tx, origin, actor, 'payment.applied', payment, { invoices: plans.map((p) => ({ invoice_id: p.invoiceId, amount: p.amount.toFixed() })) });
      return payment;
    },

    /**
     * Gives money back. The named allocations are reversed (their invoices owe it again: a paid
     * invoice is open again), the rest comes from the unapplied credit; without allocations the
     * credit goes first, then the newest allocations.
     */
    async refund(tx: Executor, origin: RequestOrigin, actor: Actor, id: string, body: CreateRefundBody, operationKey: string | null = null): Promise<Refund> {
      const current = await load(tx, actor, id, true);
      const currency = current.currency;
      const errors: FieldError[] = [];
      const amount = positiveAmount(body.amount, 'amount', currency, errors);
      const refundable = new Dec(current.amount).minus(current.refundedAmount);
      if (amount.greaterThan(refundable)) errors.push({ field: 'amount', message: `is more than the ${formatMoney(refundable, currency)} ${currency} still refundable` });
      if (errors.length > 0) throw validationFailed(errors);

      // Allocation rows, newest first; they change only under the payment's lock, which we hold.
      const rows = await tx.select().from(paymentAllocations).where(eq(paymentAllocations.paymentId, id)).orderBy(desc(paymentAllocations.createdAt), desc(paymentAllocations.id));
      const rowsOf = groupBy(rows, (a) => a.invoiceId);
      const net = (a: AllocationRow) => new Dec(a.amount).minus(a.refundedAmount);
      const unapplied = new Dec(current.unappliedAmount);
      const reversals = new Map<string, Dec>(); // invoice → amount reversed
      let fromUnapplied: Dec;
      if (body.allocations !== undefined) {
        const plans = parseAllocations(body.allocations, currency, errors);
        for (const plan of plans) {
          const available = (rowsOf.get(plan.invoiceId) ?? []).reduce((total, a) => total.plus(net(a)), new Dec(0));
          if (plan.amount.greaterThan(available)) errors.push({ field: `${plan.field}.amount`, message: `is more than the ${formatMoney(available, currency)} ${currency} of this payment applied to that invoice` });
          reversals.set(plan.invoiceId, plan.amount);
        }
        const reversed = sum(plans);
        fromUnapplied = amount.minus(reversed);
        if (fromUnapplied.isNegative()) errors.push({ field: 'allocations', message: `add up to ${formatMoney(reversed, currency)}, more than the refund’s amount` });
        else if (fromUnapplied.greaterThan(unapplied)) errors.push({ field: 'amount', message: `is more than the reversed allocations plus the payment’s unapplied amount (${formatMoney(unapplied, currency)} ${currency})` });
      } else {
        fromUnapplied = Dec.min(unapplied, amount);
        let rest = amount.minus(fromUnapplied);
        for (const a of rows) {
          if (rest.isZero()) break;
          const take = Dec.min(net(a), rest);
          if (take.isZero()) continue;
          reversals.set(a.invoiceId, (reversals.get(a.invoiceId) ?? new Dec(0)).plus(take));
          rest = rest.minus(take);
        }
      }
      if (errors.length > 0) throw validationFailed(errors);
      const gateway = deps.gateways.get(current.provider);
      if (!gateway) throw new ProblemError(422, 'PAYMENT_PROVIDER_UNAVAILABLE', { params: { provider: current.provider } });

      // Everything the refund changes is locked and checked before the provider is asked: once it
      // has given the money back, nothing here refuses. The invoices are locked in id order, as
      // payments lock them, and must still hold what this payment put on them.
      const locked = await lockInvoices(tx, actor, [...reversals.keys()]);
      for (const [invoiceId, total] of reversals) {
        const invoice = locked.get(invoiceId);
        if (!invoice || !REVERSIBLE.has(invoice.status) || new Dec(invoice.amountPaid).lessThan(total)) {
          throw invalidStateTransition('problem.INVALID_STATE_TRANSITION.refund_invoice', { invoice: invoice?.number ?? invoiceId, status: invoice?.status ?? 'missing' });
        }
      }

      // The provider is called last, for a refund that is valid; if it throws, nothing was written.
      const refundId = newId('rfd');
      const result = await gateway.refund({ organizationId: actor.organizationId, paymentId: id, refundId, idempotencyKey: operationKey ?? refundId, providerReference: current.providerReference, amount, currency, reason: body.reason.trim() });

      const now = kernel.now();
      const reversedEntries: RefundAllocation[] = [];
      for (const [invoiceId, total] of reversals) {
        let rest = total;
        for (const a of rowsOf.get(invoiceId) ?? []) {
          if (rest.isZero()) break;
          const take = Dec.min(net(a), rest);
          if (take.isZero()) continue;
          await tx.update(paymentAllocations).set({ refundedAmount: new Dec(a.refundedAmount).plus(take).toFixed() }).where(eq(paymentAllocations.id, a.id));
          rest = rest.minus(take);
        }
        const invoice = locked.get(invoiceId)!;
        const reopened = invoice.status === 'paid';
        const [row] = await tx
          .update(invoices)
          .set({
            amountPaid: new Dec(invoice.amountPaid).minus(total).toFixed(),
            amountRefunded: new Dec(invoice.amountRefunded).plus(total).toFixed(),
            // The early-payment discount was granted for paying: giving the payment back withdraws it.
            discountTaken: '0',
            ...(reopened ? { status: 'open' as const, paidAt: null } : {}),
            version: sql`${invoices.version} + 1`,
            updatedAt: now,
          })
          .where(eq(invoices.id, invoiceId))
          .returning();
        reversedEntries.push({ invoice_id: invoiceId, amount: formatMoney(total, currency) });
        await deps.invoices.recordRow(tx, origin, actor, 'invoice.payment_refunded', row!, { payment_id: id, refund_id: refundId, amount: total.toFixed(), reopened });
      }
      const [refundRow] = await tx
        .insert(paymentRefunds)
        .values({ id: refundId, organizationId: actor.organizationId, paymentId: id, amount: amount.toFixed(), currency, reason: body.reason.trim(), date: body.date ?? today(kernel), fromUnapplied: fromUnapplied.toFixed(), allocations: reversedEntries, provider: gateway.name, providerReference: result.providerReference, createdBy: actor.id, createdAt: now })
        .returning();
      const refunded = new Dec(current.refundedAmount).plus(amount);
      const [row] = await tx
        .update(payments)
        .set({
          unappliedAmount: unapplied.minus(fromUnapplied).toFixed(),
          refundedAmount: refunded.toFixed(),
          status: refunded.greaterThanOrEqualTo(current.amount) ? 'refunded' : 'partially_refunded',
          version: sql`${payments.version} + 1`,
          updatedAt: now,
        })
        .where(scoped(actor, id))
        .returning();
      const refund = presentRefund(refundRow!);
      const payment = await presentOne(tx, row!);
      await record(tx, origin, actor, 'payment.refunded', payment, { refund_id: refundId, refund_amount: refund.amount }, { ...payment, refund });
      return refund;
    },

    async get(executor: Executor, actor: Actor, id: string): Promise<Payment> {
      return presentOne(executor, await load(executor, actor, id));
    },

    async getRefund(executor: Executor, actor: Actor, paymentId: string, refundId: string): Promise<Refund> {
      const [row] = await executor
        .select()
        .from(paymentRefunds)
        .where(and(eq(paymentRefunds.organizationId, actor.organizationId), eq(paymentRefunds.paymentId, paymentId), eq(paymentRefunds.id, refundId)));
      if (!row) throw notFound('REFUND_NOT_FOUND');
      return presentRefund(row);
    },

    async list(executor: Executor, actor: Actor, query: ListPaymentsQuery) {
      const t = payments;
      const page = await paginate({
        executor,
        table: t,
        where: and(
          eq(t.organizationId, actor.organizationId),
          query.client_id ? eq(t.clientId, query.client_id) : undefined,
          query.invoice_id
            ? inArray(
                t.id,
                executor
                  .select({ id: paymentAllocations.paymentId })
                  .from(paymentAllocations)
                  .where(and(eq(paymentAllocations.organizationId, actor.organizationId), eq(paymentAllocations.invoiceId, query.invoice_id))),
              )
            : undefined,
          query.method ? eq(t.method, query.method) : undefined,
          query.currency ? eq(t.currency, query.currency.toUpperCase()) : undefined,
          query.status ? eq(t.status, query.status) : undefined,
          query.has_credit === undefined ? undefined : query.has_credit ? gt(t.unappliedAmount, '0') : eq(t.unappliedAmount, '0'),
          query.paid_after ? gte(t.date, query.paid_after) : undefined,
          query.paid_before ? lte(t.date, query.paid_before) : undefined,
        ),
        sortColumns: { created_at: t.createdAt, date: t.date },
        idColumn: t.id,
        params: query,
        cursors: kernel.cursors,
      });
      return { ...page, items: await present(executor, page.items) };
    },

    /** The client's credit: the unapplied amounts of its payments, per currency. */
    async clientCredit(executor: Executor, actor: Actor, clientId: string): Promise<ClientCredit> {
      await deps.clients.get(executor, actor, clientId);
      const rows = await executor
        .select({ currency: payments.currency, amount: sql<string>`sum(${payments.unappliedAmount})` })
        .from(payments)
        .where(and(eq(payments.organizationId, actor.organizationId), eq(payments.clientId, clientId), gt(payments.unappliedAmount, '0')))
        .groupBy(payments.currency)
        .orderBy(asc(payments.currency));
      return { client_id: clientId, balances: rows.map((r) => ({ currency: r.currency, amount: formatMoney(new Dec(r.amount), r.currency) })) };
    },
  };
}

export type PaymentService = ReturnType<typeof paymentService>;
