import { and, asc, eq, lte, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import { NO_ORIGIN, recordAudit, type RequestOrigin } from '../../../kernel/audit/audit';
import type { Actor } from '../../../kernel/auth/actor';
import type { Database, Executor } from '../../../kernel/db/database';
import { newId } from '../../../kernel/db/ids';
import { assertVersion } from '../../../kernel/http/etag';
import { paginate } from '../../../kernel/http/pagination';
import { ProblemError, renderProblem, validationFailed, type FieldError } from '../../../kernel/http/problem';
import type { Kernel } from '../../../kernel/kernel';
import type { ClientService } from '../clients/service';
import type { InvoiceDeliveryService } from '../delivery/service';
import type { CreateInvoiceBody } from '../invoices/schemas';
import type { InvoiceService } from '../invoices/service';
import { keepCategories, keepTaxCodes, keepUnits, paymentTermsExist } from '../master-data/index';
import { recordChange } from '../master-data/common';
import { isCurrency } from '../money';
import { loaderOf } from '../rows';
import { periodDate, today, type Interval } from '../dates';
import type { CreateRecurringInvoiceBody, ListRecurringInvoicesQuery, RecurringInvoice, UpdateRecurringInvoiceBody } from './schemas';
import { recurringInvoiceRuns, recurringInvoices, type RecurringTemplate } from './tables';

type Row = typeof recurringInvoices.$inferSelect;

export interface RecurringDeps {
  invoices: InvoiceService;
  clients: ClientService;
  delivery: InvoiceDeliveryService;
  log: FastifyBaseLogger;
}

export interface RunResult {
  created: number;
  finalized: number;
  sent: number;
  failed: number;
}

/** Schedules looked at per run, and periods one schedule may catch up per run (the rest next run). */
const BATCH = 200;
const MAX_PERIODS_PER_RUN = 60;

const iso = (date: Date | null) => date?.toISOString() ?? null;

function present(row: Row): RecurringInvoice {
  return {
    id: row.id,
    client_id: row.clientId,
    template: row.template,
    interval: row.interval,
    interval_count: row.intervalCount,
    start_date: row.startDate,
    end_date: row.endDate,
    count: row.count,
    auto_finalize: row.autoFinalize,
    auto_send: row.autoSend,
    status: row.status,
    next_run_date: row.nextRunDate,
    invoices_generated: row.invoicesGenerated,
    last_run_at: iso(row.lastRunAt),
    last_error: row.lastError,
    version: row.version,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

interface Plan {
  startDate: string;
  interval: Interval;
  intervalCount: number;
  endDate: string | null;
  count: number | null;
}

/** The date of period `period`, or null when the schedule ends before it. */
function nextDate(plan: Plan, period: number, generated: number): string | null {
  if (plan.count !== null && generated >= plan.count) return null;
  const date = periodDate(plan.startDate, plan.interval, plan.intervalCount, period);
  return plan.endDate !== null && date > plan.endDate ? null : date;
}

/** A problem's English detail (or its code), for last_error and the run's record. */
export function describeError(error: unknown): string {
  if (error instanceof ProblemError) {
    const body = renderProblem(error, 'en', '');
    return `${error.code}: ${body.detail ?? body.title}`.slice(0, 1000);
  }
  return 'INTERNAL_ERROR: unexpected error (see the logs)';
}

/** Recurring invoice schedules and the job that turns each due period into an invoice (docs/billing.md). */
export function recurringInvoiceService(kernel: Kernel, deps: RecurringDeps) {
  const database: Database = kernel.database;
  const scoped = (actor: Actor, id: string) => and(eq(recurringInvoices.organizationId, actor.organizationId), eq(recurringInvoices.id, id));

  const load = loaderOf<Row>(recurringInvoices, recurringInvoices, 'RECURRING_INVOICE_NOT_FOUND');

  /** Checks what the API cannot: the client, currency, payment terms, dates and flags together. */
  async function check(tx: Executor, actor: Actor, clientId: string, template: RecurringTemplate, plan: Plan, autoFinalize: boolean, autoSend: boolean) {
    const errors: FieldError[] = [];
    await deps.clients.named(tx, actor, clientId, errors);
    if (template.currency !== undefined && !isCurrency(template.currency.toUpperCase())) errors.push({ field: 'template.currency', message: 'must be an ISO 4217 currency code such as INR or USD' });
    if (template.payment_terms_id) {
      if (!(await paymentTermsExist(tx, actor.organizationId, template.payment_terms_id))) errors.push({ field: 'template.payment_terms_id', message: 'no such payment terms in this organization' });
    }
    // The units and tax codes the lines name by id stay until commit, so that none is deleted under the template (they are checked when an invoice is made).
    await keepUnits(tx, actor.organizationId, template.lines.map((l) => l.unit_id));
    await keepCategories(tx, actor.organizationId, template.lines.map((l) => l.category_id));
    await keepTaxCodes(tx, actor.organizationId, template.lines.map((l) => l.tax_code_id));
    if (plan.endDate !== null && plan.endDate < plan.startDate) errors.push({ field: 'end_date', message: 'must not be before start_date' });
    if (autoSend && !autoFinalize) errors.push({ field: 'auto_send', message: 'requires auto_finalize: a draft cannot be sent' });
    if (errors.length > 0) throw validationFailed(errors);
  }

  async function record(tx: Executor, origin: RequestOrigin, actor: Actor, action: 'created' | 'updated' | 'deleted', schedule: RecurringInvoice, metadata: Record<string, unknown> = {}) {
    await recordChange(tx, { actor, origin, locale: 'en' }, 'recurring_invoice', action, schedule, metadata);
  }

  /** Whether a schedule's template (whatever the schedule's status) matches `pattern` (jsonb containment). */
  async function templatesContain(tx: Executor, organizationId: string, pattern: object): Promise<boolean> {
    const t = recurringInvoices;
    const [row] = await tx.select({ id: t.id }).from(t).where(and(eq(t.organizationId, organizationId), sql`${t.template} @> ${JSON.stringify(pattern)}::jsonb`)).limit(1);
    return row !== undefined;
  }

  /** Claims the schedule's next due period and creates its draft, in one transaction; null when nothing is due. */
  async function generateNext(id: string, day: string) {
    return database.transaction(async (tx) => {
      const [s] = await tx.select().from(recurringInvoices).where(eq(recurringInvoices.id, id)).for('update');
      if (!s || s.status !== 'active' || s.nextRunDate === null || s.nextRunDate > day) return null;
      const period = s.nextRunDate;
      const actor: Actor = { type: 'system', id: s.createdBy ?? 'system', organizationId: s.organizationId, role: 'system', permissions: [] };
      const now = kernel.now();
      // The primary key (schedule, period start) lets each period through once, whatever runs it.
      const [claimed] = await tx.insert(recurringInvoiceRuns).values({ scheduleId: s.id, periodStart: period, organizationId: s.organizationId, createdAt: now }).onConflictDoNothing().returning();
      let invoiceId: string | null = null;
      if (claimed) {
        const { lines, ...rest } = s.template;
        const body: CreateInvoiceBody = { client_id: s.clientId, issue_date: period, lines };
        for (const [key, value] of Object.entries(rest)) if (value !== undefined) (body as Record<string, unknown>)[key] = value;
        invoiceId = (await deps.invoices.create(tx, NO_ORIGIN, actor, body)).id;
        await tx.update(recurringInvoiceRuns).set({ invoiceId }).where(and(eq(recurringInvoiceRuns.scheduleId, s.id), eq(recurringInvoiceRuns.periodStart, period)));
        await recordAudit(tx, NO_ORIGIN, { organizationId: s.organizationId, actorId: null, actorType: 'system', action: 'recurring_invoice.invoice_generated', resourceType: 'recurring_invoice', resourceId: s.id, metadata: { invoice_id: invoiceId, period_start: period } });
      }
      const generated = s.invoicesGenerated + (claimed ? 1 : 0);
      const next = nextDate(s, s.nextPeriod + 1, generated);
      await tx
        .update(recurringInvoices)
        .set({ nextPeriod: s.nextPeriod + 1, nextRunDate: next, status: next === null ? 'completed' : s.status, invoicesGenerated: generated, lastRunAt: now, lastError: null, updatedAt: now })
        .where(eq(recurringInvoices.id, s.id));
      return { schedule: s, actor, period, invoiceId };
    });
  }

  async function noteError(scheduleId: string, period: string | null, column: 'finalizeError' | 'sendError' | null, message: string) {
    await database.transaction(async (tx) => {
      await tx.update(recurringInvoices).set({ lastError: message }).where(eq(recurringInvoices.id, scheduleId));
      if (period && column) await tx.update(recurringInvoiceRuns).set({ [column]: message }).where(and(eq(recurringInvoiceRuns.scheduleId, scheduleId), eq(recurringInvoiceRuns.periodStart, period)));
    });
  }

  /** Every due period of one schedule: create, then finalize and send (each in its own step; failures are noted, not thrown). */
  async function runSchedule(id: string, day: string, result: RunResult) {
    for (let i = 0; i < MAX_PERIODS_PER_RUN; i++) {
      const generated = await generateNext(id, day);
      if (!generated) return;
      const { schedule, actor, period, invoiceId } = generated;
      if (!invoiceId) continue;
      result.created++;
      if (!schedule.autoFinalize) continue;
      try {
        await database.transaction((tx) => deps.invoices.finalize(tx, NO_ORIGIN, actor, invoiceId));
        result.finalized++;
      } catch (error) {
        result.failed++;
        deps.log.warn({ err: error, scheduleId: id, invoiceId }, 'recurring invoice left as a draft: finalizing failed');
        await noteError(id, period, 'finalizeError', describeError(error));
        continue;
      }
      if (!schedule.autoSend) continue;
      try {
        // Renders the PDF outside any transaction, then sends in its own.
        await deps.delivery.send(NO_ORIGIN, actor, invoiceId, {});
        result.sent++;
      } catch (error) {
        result.failed++;
        deps.log.warn({ err: error, scheduleId: id, invoiceId }, 'recurring invoice not sent');
        await noteError(id, period, 'sendError', describeError(error));
      }
    }
  }

  return {
    /** Whether a schedule's template names these payment terms. */
    usesPaymentTerms: (tx: Executor, organizationId: string, termsId: string) => templatesContain(tx, organizationId, { payment_terms_id: termsId }),
    /** Whether a line of a schedule's template names this tax code by its id. */
    usesTaxCode: (tx: Executor, organizationId: string, taxCodeId: string) => templatesContain(tx, organizationId, { lines: [{ tax_code_id: taxCodeId }] }),
    /** Whether a line of a schedule's template names this unit. */
    usesUnit: (tx: Executor, organizationId: string, unitId: string) => templatesContain(tx, organizationId, { lines: [{ unit_id: unitId }] }),
    usesCategory: (tx: Executor, organizationId: string, categoryId: string) => templatesContain(tx, organizationId, { lines: [{ category_id: categoryId }] }),

    async create(tx: Executor, origin: RequestOrigin, actor: Actor, body: CreateRecurringInvoiceBody): Promise<RecurringInvoice> {
      const plan: Plan = { startDate: body.start_date, interval: body.interval, intervalCount: body.interval_count ?? 1, endDate: body.end_date ?? null, count: body.count ?? null };
      const autoFinalize = body.auto_finalize ?? false;
      const autoSend = body.auto_send ?? false;
      await check(tx, actor, body.client_id, body.template, plan, autoFinalize, autoSend);
      const next = nextDate(plan, 0, 0);
      const now = kernel.now();
      const [row] = await tx
        .insert(recurringInvoices)
        .values({ id: newId('rin'), organizationId: actor.organizationId, clientId: body.client_id, template: body.template, ...plan, autoFinalize, autoSend, status: next === null ? 'completed' : (body.status ?? 'active'), nextPeriod: 0, nextRunDate: next, createdBy: actor.id, createdAt: now, updatedAt: now })
        .returning();
      const schedule = present(row!);
      await record(tx, origin, actor, 'created', schedule);
      return schedule;
    },

    async get(executor: Executor, actor: Actor, id: string): Promise<RecurringInvoice> {
      return present(await load(executor, actor, id));
    },

    async list(executor: Executor, actor: Actor, query: ListRecurringInvoicesQuery) {
      const t = recurringInvoices;
      const page = await paginate({
        executor,
        table: t,
        where: and(eq(t.organizationId, actor.organizationId), query.status ? eq(t.status, query.status) : undefined, query.client_id ? eq(t.clientId, query.client_id) : undefined),
        sortColumns: { created_at: t.createdAt },
        idColumn: t.id,
        params: query,
        cursors: kernel.cursors,
      });
      return { ...page, items: page.items.map(present) };
    },

    /**
     * Changes a schedule. Resuming a paused one skips the periods that started while it was paused;
     * the interval and the start date change only before its first invoice.
     */
    async update(tx: Executor, origin: RequestOrigin, actor: Actor, id: string, patch: UpdateRecurringInvoiceBody, expectedVersion?: number[]): Promise<RecurringInvoice> {
      const current = await load(tx, actor, id, true);
      assertVersion(expectedVersion, current.version);
      const replans = patch.interval !== undefined || patch.interval_count !== undefined || patch.start_date !== undefined;
      if (replans && current.nextPeriod > 0) throw new ProblemError(409, 'INVALID_STATE_TRANSITION', { detailKey: 'problem.INVALID_STATE_TRANSITION.recurring_replan' });
      const plan: Plan = {
        startDate: patch.start_date ?? current.startDate,
        interval: patch.interval ?? current.interval,
        intervalCount: patch.interval_count ?? current.intervalCount,
        endDate: patch.end_date === undefined ? current.endDate : patch.end_date,
        count: patch.count === undefined ? current.count : patch.count,
      };
      const template = patch.template ?? current.template;
      const autoFinalize = patch.auto_finalize ?? current.autoFinalize;
      const autoSend = patch.auto_send ?? current.autoSend;
      await check(tx, actor, current.clientId, template, plan, autoFinalize, autoSend);
      const wanted = patch.status ?? (current.status === 'completed' ? 'active' : current.status);
      let period = current.nextPeriod;
      if (current.status === 'paused' && wanted === 'active') {
        const day = today(kernel);
        while (periodDate(plan.startDate, plan.interval, plan.intervalCount, period) < day) period++;
      }
      const next = nextDate(plan, period, current.invoicesGenerated);
      const now = kernel.now();
      const [row] = await tx
        .update(recurringInvoices)
        .set({ template, ...plan, autoFinalize, autoSend, status: next === null ? 'completed' : wanted, nextPeriod: period, nextRunDate: next, version: current.version + 1, updatedAt: now })
        .where(scoped(actor, id))
        .returning();
      const schedule = present(row!);
      await record(tx, origin, actor, 'updated', schedule, { fields: Object.keys(patch) });
      return schedule;
    },

    /** Deletes the schedule; the invoices it generated stay. */
    async remove(tx: Executor, origin: RequestOrigin, actor: Actor, id: string, expectedVersion?: number[]): Promise<void> {
      const current = await load(tx, actor, id, true);
      assertVersion(expectedVersion, current.version);
      await tx.delete(recurringInvoiceRuns).where(eq(recurringInvoiceRuns.scheduleId, id));
      await tx.delete(recurringInvoices).where(scoped(actor, id));
      await record(tx, origin, actor, 'deleted', present(current));
    },

    /**
     * The job: every active schedule whose next period has started (on `day`, default today) gets
     * that period's invoice, once (see generateNext), then finalized and sent when asked. One
     * schedule's failure is noted on it (`last_error`) and does not stop the others.
     */
    async runDue(day: string = today(kernel)): Promise<RunResult> {
      const result: RunResult = { created: 0, finalized: 0, sent: 0, failed: 0 };
      const t = recurringInvoices;
      const due = await database.db.select({ id: t.id }).from(t).where(and(eq(t.status, 'active'), lte(t.nextRunDate, day))).orderBy(asc(t.nextRunDate), asc(t.id)).limit(BATCH);
      for (const { id } of due) {
        try {
          await runSchedule(id, day, result);
        } catch (error) {
          result.failed++;
          deps.log.error({ err: error, scheduleId: id }, 'recurring invoice generation failed');
          await noteError(id, null, null, describeError(error)).catch(() => undefined);
        }
      }
      return result;
    },
  };
}

export type RecurringInvoiceService = ReturnType<typeof recurringInvoiceService>;
