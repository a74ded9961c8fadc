import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { recordAudit, type RequestOrigin } from '../../../kernel/audit/audit';
import type { Actor } from '../../../kernel/auth/actor';
import type { Executor } from '../../../kernel/db/database';
import { groupBy } from '../../../kernel/db/group';
import { newId } from '../../../kernel/db/ids';
import { emitEvent } from '../../../kernel/events/outbox';
import { paginate } from '../../../kernel/http/pagination';
import { invalidStateTransition, notFound, validationFailed, type FieldError } from '../../../kernel/http/problem';
import type { Locale } from '../../../kernel/i18n/index';
import type { Kernel } from '../../../kernel/kernel';
import { recordActivity } from '../delivery/activity';
import { amountRemaining } from '../invoices/balance';
import { nextNumber } from '../invoices/sequences';
import { presentLine, type InvoiceService } from '../invoices/service';
import { invoices } from '../invoices/tables';
import { referencedIn } from '../master-data/index';
import { documentTotals, lineAmounts, storedLine, type LineInput as TotalsLine } from '../invoices/totals';
import { Dec, formatMoney, isFieldError, parseAmount } from '../money';
import { payments } from '../payments/tables';
import type { BillingSettingsService } from '../settings/service';
import { capToInvoiceLines, creditedByLine, resolveCreditLines } from './lines';
import type { CreateCreditNoteBody, CreditNote, ListCreditNotesQuery } from './schemas';
import { creditNoteLines, creditNotes } from './tables';

type Row = typeof creditNotes.$inferSelect;
type LineRow = typeof creditNoteLines.$inferSelect;
type InvoiceRow = typeof invoices.$inferSelect;

export interface CreditNoteServiceDeps {
  invoices: InvoiceService;
  settings: BillingSettingsService;
}

/** Invoices a credit note may correct: finalized and not void (a draft is edited, a void invoice owes nothing). */
const CREDITABLE = new Set<InvoiceRow['status']>(['open', 'paid', 'uncollectible']);

export function presentCreditNote(row: Row, lines: LineRow[]): CreditNote {
  const money = (value: string) => formatMoney(new Dec(value), row.currency);
  return {
    id: row.id,
    number: row.number,
    invoice_id: row.invoiceId,
    invoice_number: row.invoiceNumber,
    client_id: row.clientId,
    currency: row.currency,
    issue_date: row.issueDate,
    reason: row.reason,
    memo: row.memo,
    supply_type: row.supplyType,
    subtotal: money(row.subtotal),
    discount_total: money(row.discountTotal),
    tax_total: money(row.taxTotal),
    total: money(row.total),
    applied_to_invoice: money(row.appliedToInvoice),
    credited_to_balance: money(row.creditedToBalance),
    credit_payment_id: row.creditPaymentId,
    tax_breakdown: row.taxBreakdown,
    hsn_summary: row.hsnSummary,
    lines: lines.map((l) => ({ ...presentLine(l, row.currency), invoice_line_id: l.invoiceLineId })),
    version: 1,
    created_at: row.createdAt.toISOString(),
  };
}

/**
 * Credit notes: corrections of finalized invoices, numbered from their own sequence. The total
 * first lowers what the invoice still owes; what exceeds it (money already paid) becomes client
 * credit, a payments row without money received that the payments endpoints apply or refund.
 * Every method runs in the caller's transaction (`tx`), never through another connection.
 */
export function creditNoteService(kernel: Kernel, deps: CreditNoteServiceDeps) {
  async function present(executor: Executor, rows: Row[]): Promise<CreditNote[]> {
    if (rows.length === 0) return [];
    const lines = await executor.select().from(creditNoteLines).where(inArray(creditNoteLines.creditNoteId, rows.map((r) => r.id))).orderBy(asc(creditNoteLines.creditNoteId), asc(creditNoteLines.position));
    const linesOf = groupBy(lines, (l) => l.creditNoteId);
    return rows.map((row) => presentCreditNote(row, linesOf.get(row.id) ?? []));
  }

  /**
   * The credit note's lines: a lump sum (`amount`, untaxed) or lines resolved against the invoice
   * (`resolveCreditLines`) within what is left of each invoice line (`capToInvoiceLines`).
   */
  async function linesOf(tx: Executor, invoice: InvoiceRow, body: CreateCreditNoteBody, locale: Locale, errors: FieldError[]) {
    const currency = invoice.currency;
    if ((body.lines === undefined) === (body.amount === undefined)) {
      errors.push({ field: 'lines', message: 'give either lines or amount' });
      return [];
    }
    if (body.amount !== undefined) {
      const parsed = parseAmount(body.amount, 'amount', currency);
      if (isFieldError(parsed)) errors.push(parsed);
      else if (parsed.isZero()) errors.push({ field: 'amount', message: 'must be greater than 0' });
      if (isFieldError(parsed) || parsed.isZero()) return [];
      const input: TotalsLine = { quantity: new Dec(1), unitPrice: parsed, discountPercent: new Dec(0), taxCode: null, hsnSacCode: null };
      return [{ original: undefined, description: body.memo?.trim() || `Credit on invoice ${invoice.number}`, input, amounts: lineAmounts(input, currency, invoice.supplyType) }];
    }
    const lines = await resolveCreditLines(tx, invoice, body.lines!, errors);
    if (lines.some((l) => l.original)) capToInvoiceLines(lines, await creditedByLine(tx, invoice), locale, errors);
    return lines;
  }

  return {
    present,

    /** Whether a credit note line names the tax code (master data refuses to delete it meanwhile). */
    usesTaxCode: referencedIn(creditNoteLines, creditNoteLines, creditNoteLines.taxCodeId),

    /** Issues a credit note on an open, paid or uncollectible invoice (locked for the transaction). */
    async create(tx: Executor, origin: RequestOrigin, actor: Actor, invoiceId: string, body: CreateCreditNoteBody, locale: Locale = 'en'): Promise<CreditNote> {
      const invoice = await deps.invoices.load(tx, actor, invoiceId, true);
      if (!CREDITABLE.has(invoice.status)) throw invalidStateTransition('problem.INVALID_STATE_TRANSITION.credit_note', { status: invoice.status });
      const currency = invoice.currency;
      const errors: FieldError[] = [];
      const lines = await linesOf(tx, invoice, body, locale, errors);
      if (errors.length > 0) throw validationFailed(errors);
      const totals = documentTotals(lines, currency);
      const field = body.amount !== undefined ? 'amount' : 'lines';
      const creditable = new Dec(invoice.total).minus(invoice.amountCredited);
      if (!totals.total.greaterThan(0)) throw validationFailed([{ field, message: 'the credit note’s total must be greater than 0' }]);
      if (totals.total.greaterThan(creditable)) {
        throw validationFailed([{ field, message: `total ${formatMoney(totals.total, currency)} ${currency} is more than the ${formatMoney(creditable, currency)} ${currency} still creditable on invoice ${invoice.number} (its total less earlier credit notes)` }]);
      }
      const remaining = Dec.max(0, amountRemaining(invoice));
      const applied = Dec.min(totals.total, remaining);
      const toBalance = totals.total.minus(applied);

      const now = kernel.now();
      const issueDate = now.toISOString().slice(0, 10);
      const settings = await deps.settings.read(tx, actor.organizationId);
      const number = await nextNumber(tx, actor.organizationId, 'credit_note', settings.credit_note_number_pattern, new Date(`${issueDate}T00:00:00Z`));
      const id = newId('cn');
      let creditPaymentId: string | null = null;
      if (toBalance.greaterThan(0)) {
        // Client credit, held like an overpayment so that POST /payments/{id}/allocations applies it and refunds give it back.
        creditPaymentId = newId('pay');
        await tx.insert(payments).values({
          id: creditPaymentId,
          organizationId: actor.organizationId,
          clientId: invoice.clientId,
          amount: toBalance.toFixed(),
          currency,
          date: issueDate,
          method: 'other',
          reference: number,
          provider: 'manual',
          providerReference: null,
          status: 'succeeded',
          unappliedAmount: toBalance.toFixed(),
          notes: `Credit note ${number} on invoice ${invoice.number}`,
          creditNoteId: id,
          createdBy: actor.id,
          createdAt: now,
          updatedAt: now,
        });
      }
      const [row] = await tx
        .insert(creditNotes)
        .values({
          id,
          organizationId: actor.organizationId,
          number,
          invoiceId: invoice.id,
          invoiceNumber: invoice.number!,
          clientId: invoice.clientId,
          currency,
          issueDate,
          reason: body.reason,
          memo: body.memo?.trim() ?? '',
          supplyType: invoice.supplyType,
          subtotal: totals.subtotal.toFixed(),
          discountTotal: totals.discountTotal.toFixed(),
          taxTotal: totals.taxTotal.toFixed(),
          total: totals.total.toFixed(),
          appliedToInvoice: applied.toFixed(),
          creditedToBalance: toBalance.toFixed(),
          creditPaymentId,
          taxBreakdown: totals.taxBreakdown,
          hsnSummary: totals.hsnSummary,
          createdBy: actor.id,
          createdAt: now,
        })
        .returning();
      await tx.insert(creditNoteLines).values(
        lines.map(({ original, description, input, amounts }, position) => ({
          id: newId('cnl'),
          organizationId: actor.organizationId,
          creditNoteId: id,
          position,
          invoiceLineId: original?.id ?? null,
          description,
          ...storedLine(input, amounts, currency),
        })),
      );

      // Credited in full while open: nothing is owed any more, the invoice is paid (as Stripe does).
      const credited = new Dec(invoice.amountCredited).plus(totals.total);
      const settled = invoice.status === 'open' && !amountRemaining({ ...invoice, amountCredited: credited.toFixed() }).greaterThan(0);
      const [invoiceRow] = await tx
        .update(invoices)
        .set({ amountCredited: credited.toFixed(), ...(settled ? { status: 'paid' as const, paidAt: now, overdue: false } : {}), version: sql`${invoices.version} + 1`, updatedAt: now })
        .where(eq(invoices.id, invoice.id))
        .returning();
      if (settled) await deps.invoices.recordRow(tx, origin, actor, 'invoice.paid', invoiceRow!, { credit_note_id: id });

      const [creditNote] = await present(tx, [row!]);
      await recordActivity(tx, { organizationId: actor.organizationId, invoiceId: invoice.id, type: 'credit_note_created', actorId: actor.id, actorType: actor.type, details: { credit_note_id: id, number, total: creditNote!.total }, at: now });
      await recordAudit(tx, origin, {
        organizationId: actor.organizationId,
        actorId: actor.id,
        actorType: actor.type,
        action: 'credit_note.created',
        resourceType: 'credit_note',
        resourceId: id,
        metadata: { number, invoice_id: invoice.id, invoice_number: invoice.number, total: creditNote!.total, currency, reason: body.reason },
      });
      await emitEvent(tx, { organizationId: actor.organizationId, type: 'credit_note.created', data: creditNote! });
      return creditNote!;
    },

    async get(executor: Executor, actor: Actor, id: string): Promise<CreditNote> {
      const [row] = await executor.select().from(creditNotes).where(and(eq(creditNotes.organizationId, actor.organizationId), eq(creditNotes.id, id)));
      if (!row) throw notFound('CREDIT_NOTE_NOT_FOUND');
      return (await present(executor, [row]))[0]!;
    },

    async list(executor: Executor, actor: Actor, query: ListCreditNotesQuery) {
      const t = creditNotes;
      const page = await paginate({
        executor,
        table: t,
        where: and(eq(t.organizationId, actor.organizationId), query.invoice_id ? eq(t.invoiceId, query.invoice_id) : undefined, query.client_id ? eq(t.clientId, query.client_id) : undefined),
        sortColumns: { created_at: t.createdAt },
        idColumn: t.id,
        params: query,
        cursors: kernel.cursors,
      });
      return { ...page, items: await present(executor, page.items) };
    },
  };
}

export type CreditNoteService = ReturnType<typeof creditNoteService>;
