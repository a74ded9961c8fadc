import { today } from '../dates';
import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import { hasPermission } from '../../../kernel/access/permissions';
import { recordAudit, type RequestOrigin } from '../../../kernel/audit/audit';
import type { Actor } from '../../../kernel/auth/actor';
import type { Executor } from '../../../kernel/db/database';
import { newId } from '../../../kernel/db/ids';
import { emitEvent } from '../../../kernel/events/outbox';
import { assertVersion } from '../../../kernel/http/etag';
import { invalidStateTransition, ProblemError, validationFailed, type FieldError } from '../../../kernel/http/problem';
import type { Kernel } from '../../../kernel/kernel';
import type { Address } from '../addresses';
import { indianState } from '../india-gst';
import type { Client } from '../clients/schemas';
import type { ClientService } from '../clients/service';
import { activityTypeOf, recordActivity } from '../delivery/activity';
import { invoiceActivities } from '../delivery/tables';
import { installmentsOf, keepCategories, keepPaymentTerms, keepUnits, paymentTermsExist, referencedIn, salesCategoryProblem, type SupplyType } from '../master-data/index';
import { Dec, formatMoney, formatPlain, formatRate, isCurrency } from '../money';
import { loaderOf } from '../rows';
import type { BillingSettings } from '../settings/schemas';
import type { BillingSettingsService } from '../settings/service';
import type { CreateInvoiceBody, Invoice, InvoiceSummary, LineInput, ListInvoicesQuery, UpdateInvoiceBody } from './schemas';
import { amountRemaining, amountRemainingSql, paymentStatusOf } from './balance';
import { listInvoices } from './listing';
import { nextNumber } from './sequences';
import { invoiceLines, invoices, type InstallmentEntry } from './tables';
import { computeLines, decimal } from './lines';
import { documentTotals, storedLine } from './totals';

type Row = typeof invoices.$inferSelect;
type LineRow = typeof invoiceLines.$inferSelect;

export interface InvoiceServiceDeps {
  clients: ClientService;
  settings: BillingSettingsService;
  /** The latest recorded rate of `currency` on or before `date` (exchange-rates/), or null. */
  recordedRate?: (executor: Executor, organizationId: string, currency: string, date: string) => Promise<string | null>;
}

/**
 * CGST + SGST when the place of supply is the issuer's own Indian state, IGST for another state
 * or an export; other countries' taxes apply the same components either way.
 */
export function supplyTypeOf(issuer: Address | null, placeOfSupply: string | null): SupplyType {
  if (issuer?.country !== 'IN' || !issuer.state) return 'intra_state';
  return placeOfSupply === issuer.state ? 'intra_state' : 'inter_state';
}

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** The invoice without its lines, as lists show it. */
export function presentSummary(row: Row): InvoiceSummary {
  const money = (value: string) => formatMoney(new Dec(value), row.currency);
  const remaining = amountRemaining(row);
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    payment_status: paymentStatusOf(row, remaining),
    overdue: row.overdue,
    client_id: row.clientId,
    currency: row.currency,
    issue_date: row.issueDate,
    due_date: row.dueDate,
    place_of_supply: row.placeOfSupply,
    supply_type: row.supplyType,
    payment_terms_id: row.paymentTermsId,
    exchange_rate: row.exchangeRate === null ? null : formatPlain(row.exchangeRate),
    notes: row.notes,
    subtotal: money(row.subtotal),
    discount_total: money(row.discountTotal),
    tax_total: money(row.taxTotal),
    total: money(row.total),
    amount_paid: money(row.amountPaid),
    amount_remaining: formatMoney(remaining, row.currency),
    amount_refunded: money(row.amountRefunded),
    amount_credited: money(row.amountCredited),
    discount_taken: money(row.discountTaken),
    tax_breakdown: row.taxBreakdown,
    hsn_summary: row.hsnSummary,
    installments: row.installments,
    issuer: row.issuer ? { name: row.issuer.name, address: row.issuer.address, tax_id: row.issuer.tax_id, logo_file_id: row.issuer.logo_file_id ?? null } : null,
    customer: row.customer ? { name: row.customer.name, address: row.customer.address, tax_id: row.customer.tax_id } : null,
    void_reason: row.voidReason,
    finalized_at: iso(row.finalizedAt),
    sent_at: iso(row.sentAt),
    viewed_at: iso(row.viewedAt),
    paid_at: iso(row.paidAt),
    voided_at: iso(row.voidedAt),
    marked_uncollectible_at: iso(row.markedUncollectibleAt),
    version: row.version,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function presentInvoice(row: Row, lines: LineRow[]): Invoice {
  return {
    ...presentSummary(row),
    lines: lines.map((l) => ({ ...presentLine(l, row.currency), unit_id: l.unitId, category_id: l.categoryId })),
  };
}

/** A computed line as the API shows it (invoice and credit note lines share these columns). */
export function presentLine(l: Omit<LineRow, 'invoiceId' | 'unitId' | 'categoryId' | 'organizationId' | 'position'>, currency: string) {
  const money = (value: string) => formatMoney(new Dec(value), currency);
  return {
    id: l.id,
    description: l.description,
    quantity: formatPlain(l.quantity),
    unit_price: formatPlain(l.unitPrice),
    discount_percent: formatRate(l.discountPercent),
    tax_code_id: l.taxCodeId,
    hsn_sac_code: l.hsnSacCode,
    amount: money(l.amount),
    discount_amount: money(l.discountAmount),
    taxable_amount: money(l.taxableAmount),
    tax_amount: money(l.taxAmount),
    total: money(l.total),
    tax_components: l.taxComponents,
  };
}

type DraftInput = Required<Omit<CreateInvoiceBody, 'exchange_rate'>> & { exchange_rate: string | number | null };

const scoped = (actor: Actor, id: string) => and(eq(invoices.organizationId, actor.organizationId), eq(invoices.id, id));

/** Invoices: drafts with computed totals, then the finalize / void / uncollectible lifecycle. */
export function invoiceService(kernel: Kernel, deps: InvoiceServiceDeps) {
  async function linesOf(executor: Executor, ids: string[]): Promise<Map<string, LineRow[]>> {
    const byInvoice = new Map<string, LineRow[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return byInvoice;
    const rows = await executor.select().from(invoiceLines).where(inArray(invoiceLines.invoiceId, ids)).orderBy(asc(invoiceLines.invoiceId), asc(invoiceLines.position));
    for (const row of rows) byInvoice.get(row.invoiceId)?.push(row);
    return byInvoice;
  }

  async function present(executor: Executor, rows: Row[]): Promise<Invoice[]> {
    const lines = await linesOf(executor, rows.map((r) => r.id));
    return rows.map((row) => presentInvoice(row, lines.get(row.id) ?? []));
  }

  const load = loaderOf<Row>(invoices, invoices, 'INVOICE_NOT_FOUND');

  /** The client the invoice names; none in the organization: 422 on `client_id` (nothing else can be checked without it). */
  async function clientOf(tx: Executor, actor: Actor, clientId: string): Promise<Client> {
    const errors: FieldError[] = [];
    const client = await deps.clients.named(tx, actor, clientId, errors);
    if (!client) throw validationFailed(errors);
    return client;
  }

  /**
   * Checks each line's unit (kept FOR KEY SHARE until commit, so that none is deleted under the
   * lines), then computes the lines (`computeLines`, shared with credit notes) with the taxes in
   * force on the issue date.
   */
  async function linesOfDraft(tx: Executor, actor: Actor, input: DraftInput, supply: SupplyType, errors: FieldError[]) {
    const knownUnits = await keepUnits(tx, actor.organizationId, input.lines.map((l) => l.unit_id));
    const knownCategories = await keepCategories(tx, actor.organizationId, input.lines.map((l) => l.category_id));
    for (const [i, line] of input.lines.entries()) {
      if (line.unit_id && !knownUnits.has(line.unit_id)) errors.push({ field: `lines[${i}].unit_id`, message: 'no such unit in this organization' });
      const categoryProblem = line.category_id ? salesCategoryProblem(knownCategories.get(line.category_id)) : undefined;
      if (categoryProblem) errors.push({ field: `lines[${i}].category_id`, message: categoryProblem });
    }
    const fields = input.lines.map((l) => ({ ...l, hsn_sac_code: l.hsn_sac_code ?? undefined }));
    const computed = await computeLines(tx, actor.organizationId, fields, { currency: input.currency, supply, taxDate: input.issue_date }, errors);
    return computed.map((line, i) => ({ line: input.lines[i]!, ...line }));
  }

  /** Everything a draft stores, checked as a whole; throws 422 with every problem at once. */
  async function checkDraft(tx: Executor, actor: Actor, input: DraftInput) {
    const errors: FieldError[] = [];
    const client = await clientOf(tx, actor, input.client_id);
    const currency = input.currency.toUpperCase();
    if (!isCurrency(currency)) errors.push({ field: 'currency', message: 'must be an ISO 4217 currency code such as INR or USD' });
    if (input.due_date !== null && input.due_date < input.issue_date) errors.push({ field: 'due_date', message: 'must not be before issue_date' });
    const settings = await deps.settings.read(tx, actor.organizationId);
    let placeOfSupply: string | null = null;
    if (settings.address?.country === 'IN') {
      const given = input.place_of_supply ?? (client.billing_address.country === 'IN' ? client.billing_address.state : null);
      placeOfSupply = given === null ? null : indianState(given);
      if (given !== null && placeOfSupply === null) errors.push({ field: 'place_of_supply', message: 'must be the code of an Indian state or union territory, such as KA' });
    } else if (input.place_of_supply) {
      errors.push({ field: 'place_of_supply', message: 'applies only when the organization’s billing address is in India' });
    }
    const supply = supplyTypeOf(settings.address, placeOfSupply);
    const exchangeRate = input.exchange_rate === null ? null : decimal(input.exchange_rate, 'exchange_rate', errors, { places: 10, above: 0 });
    if (input.payment_terms_id) {
      if (!(await paymentTermsExist(tx, actor.organizationId, input.payment_terms_id))) errors.push({ field: 'payment_terms_id', message: 'no such payment terms in this organization' });
    }
    const lines = await linesOfDraft(tx, actor, { ...input, currency }, supply, errors);
    if (errors.length > 0) throw validationFailed(errors);
    const totals = documentTotals(lines, currency);
    return { client, settings, currency, placeOfSupply, supply, exchangeRate, lines, totals };
  }

  type Checked = Awaited<ReturnType<typeof checkDraft>>;

  const storedColumns = (input: DraftInput, checked: Checked) => ({
    clientId: input.client_id,
    currency: checked.currency,
    issueDate: input.issue_date,
    dueDate: input.due_date,
    dueDateGiven: input.due_date !== null,
    placeOfSupply: checked.placeOfSupply,
    supplyType: checked.supply,
    paymentTermsId: input.payment_terms_id,
    exchangeRate: checked.exchangeRate?.toFixed() ?? null,
    notes: input.notes,
    subtotal: checked.totals.subtotal.toFixed(),
    discountTotal: checked.totals.discountTotal.toFixed(),
    taxTotal: checked.totals.taxTotal.toFixed(),
    total: checked.totals.total.toFixed(),
    taxBreakdown: checked.totals.taxBreakdown,
    hsnSummary: checked.totals.hsnSummary,
  });

  async function replaceLines(tx: Executor, actor: Actor, invoiceId: string, { lines, currency }: Pick<Checked, 'lines' | 'currency'>): Promise<void> {
    await tx.delete(invoiceLines).where(eq(invoiceLines.invoiceId, invoiceId));
    await tx.insert(invoiceLines).values(
      lines.map(({ line, input, amounts }, position) => ({
        id: newId('inl'),
        organizationId: actor.organizationId,
        invoiceId,
        position,
        description: line.description.trim(),
        unitId: line.unit_id ?? null,
        categoryId: line.category_id ?? null,
        ...storedLine(input, amounts, currency),
      })),
    );
  }

  async function record(tx: Executor, origin: RequestOrigin, actor: Actor, action: string, invoice: Invoice, metadata: Record<string, unknown> = {}): Promise<Invoice> {
    await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action, resourceType: 'invoice', resourceId: invoice.id, metadata: { number: invoice.number, ...metadata } });
    await emitEvent(tx, { organizationId: actor.organizationId, type: action, data: invoice });
    await recordActivity(tx, { organizationId: actor.organizationId, invoiceId: invoice.id, type: activityTypeOf(action), actorId: actor.id, actorType: actor.type, at: kernel.now() });
    return invoice;
  }

  async function reload(tx: Executor, row: Row): Promise<Invoice> {
    const [invoice] = await present(tx, [row]);
    return invoice!;
  }

  const fromRow = (row: Row, lines: LineRow[]): DraftInput => ({
    client_id: row.clientId,
    currency: row.currency,
    issue_date: row.issueDate,
    due_date: row.dueDateGiven ? row.dueDate : null,
    place_of_supply: row.placeOfSupply,
    payment_terms_id: row.paymentTermsId,
    exchange_rate: row.exchangeRate,
    notes: row.notes,
    lines: lines.map((l) => ({ description: l.description, quantity: formatPlain(l.quantity), unit_price: formatPlain(l.unitPrice), unit_id: l.unitId, category_id: l.categoryId, discount_percent: formatPlain(l.discountPercent), tax_code_id: l.taxCodeId, hsn_sac_code: l.hsnSacCode })),
  });

  /** The client's balance still owed on finalized invoices of this currency. */
  async function outstanding(tx: Executor, actor: Actor, clientId: string, currency: string): Promise<Dec> {
    const [row] = await tx
      .select({ owed: sql<string>`coalesce(sum(${amountRemainingSql(invoices)}), 0)` })
      .from(invoices)
      .where(and(eq(invoices.organizationId, actor.organizationId), eq(invoices.clientId, clientId), eq(invoices.currency, currency), eq(invoices.status, 'open')));
    return new Dec(row?.owed ?? '0');
  }

  /** The first of these payment terms the organization has (one query), kept until commit: the invoice stores its id. */
  async function termsOf(tx: Executor, actor: Actor, ids: (string | null)[]) {
    const found = await keepPaymentTerms(tx, actor.organizationId, ids);
    return ids.map((id) => (id ? found.get(id) : undefined)).find((term) => term !== undefined) ?? null;
  }

  function issuerOf(settings: BillingSettings) {
    return { name: settings.legal_name, address: settings.address, tax_id: settings.tax_id, logo_file_id: settings.logo_file_id };
  }

  /** The organization's invoices with these ids, in the order given; unknown ids are left out (one query). */
  async function loadMany(executor: Executor, actor: Actor, ids: string[]): Promise<Row[]> {
    if (ids.length === 0) return [];
    const rows = await executor.select().from(invoices).where(and(eq(invoices.organizationId, actor.organizationId), inArray(invoices.id, ids)));
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id)).filter((row): row is Row => row !== undefined);
  }

  return {
    load,
    loadMany,
    present,
    /** Audit entry, event (the invoice as the API shows it) and timeline entry of a change another billing service made to the row. */
    recordRow: async (tx: Executor, origin: RequestOrigin, actor: Actor, action: string, row: Row, metadata: Record<string, unknown> = {}) => record(tx, origin, actor, action, await reload(tx, row), metadata),

    async create(tx: Executor, origin: RequestOrigin, actor: Actor, body: CreateInvoiceBody): Promise<Invoice> {
      const client = await clientOf(tx, actor, body.client_id);
      const input: DraftInput = {
        currency: client.currency,
        issue_date: today(kernel),
        due_date: null,
        place_of_supply: null,
        payment_terms_id: client.payment_terms_id,
        exchange_rate: null,
        notes: '',
        ...body,
      };
      const checked = await checkDraft(tx, actor, input);
      const now = kernel.now();
      const [row] = await tx
        .insert(invoices)
        .values({ id: newId('inv'), organizationId: actor.organizationId, status: 'draft', ...storedColumns(input, checked), createdBy: actor.id, createdAt: now, updatedAt: now })
        .returning();
      await replaceLines(tx, actor, row!.id, checked);
      return record(tx, origin, actor, 'invoice.created', await reload(tx, row!));
    },

    async get(executor: Executor, actor: Actor, id: string): Promise<Invoice> {
      return reload(executor, await load(executor, actor, id));
    },

    list: (executor: Executor, actor: Actor, query: ListInvoicesQuery) => listInvoices(executor, actor, query, kernel.cursors),

    /** Drafts only: the lines, when given, replace the current ones; totals are computed again. */
    async update(tx: Executor, origin: RequestOrigin, actor: Actor, id: string, patch: UpdateInvoiceBody, expectedVersion?: number[]): Promise<Invoice> {
      const current = await load(tx, actor, id, true);
      assertVersion(expectedVersion, current.version);
      if (current.status !== 'draft') throw invalidStateTransition('problem.INVALID_STATE_TRANSITION.invoice_edit', { status: current.status });
      const lines = (await linesOf(tx, [id])).get(id) ?? [];
      const input: DraftInput = { ...fromRow(current, lines), ...patch } as DraftInput;
      const checked = await checkDraft(tx, actor, input);
      const [row] = await tx
        .update(invoices)
        .set({ ...storedColumns(input, checked), version: sql`${invoices.version} + 1`, updatedAt: kernel.now() })
        .where(scoped(actor, id))
        .returning();
      await replaceLines(tx, actor, id, checked);
      return record(tx, origin, actor, 'invoice.updated', await reload(tx, row!), { fields: Object.keys(patch) });
    },

    async remove(tx: Executor, origin: RequestOrigin, actor: Actor, id: string, expectedVersion?: number[]): Promise<void> {
      const current = await load(tx, actor, id, true);
      assertVersion(expectedVersion, current.version);
      if (current.status !== 'draft') throw invalidStateTransition('problem.INVALID_STATE_TRANSITION.invoice_delete', { status: current.status });
      const invoice = await reload(tx, current);
      await tx.delete(invoiceLines).where(eq(invoiceLines.invoiceId, id));
      await tx.delete(invoices).where(scoped(actor, id));
      await tx.delete(invoiceActivities).where(eq(invoiceActivities.invoiceId, id));
      await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'invoice.deleted', resourceType: 'invoice', resourceId: id });
      await emitEvent(tx, { organizationId: actor.organizationId, type: 'invoice.deleted', data: invoice });
    },

    /**
     * draft → open: totals computed afresh with the tax codes in force on the issue date, the
     * number taken from the organization's sequence, due date and installments from the payment
     * terms, issuer and customer frozen as they are now. Refused over the client's credit limit.
     */
    async finalize(tx: Executor, origin: RequestOrigin, actor: Actor, id: string, expectedVersion?: number[]): Promise<Invoice> {
      const current = await load(tx, actor, id, true);
      assertVersion(expectedVersion, current.version);
      if (current.status !== 'draft') throw invalidStateTransition('problem.INVALID_STATE_TRANSITION.invoice_finalize', { status: current.status });
      const input = fromRow(current, (await linesOf(tx, [id])).get(id) ?? []);
      const checked = await checkDraft(tx, actor, input);
      const { client, settings, currency, totals } = checked;
      if (currency !== settings.base_currency && checked.exchangeRate === null) {
        const recorded = await deps.recordedRate?.(tx, actor.organizationId, currency, input.issue_date);
        if (recorded) checked.exchangeRate = new Dec(recorded);
      }
      if (currency !== settings.base_currency && checked.exchangeRate === null) {
        throw validationFailed([{ field: 'exchange_rate', message: `is required to finalize an invoice in ${currency} when the base currency is ${settings.base_currency}` }]);
      }
      if (client.credit_limit !== null && client.currency === currency && !hasPermission(actor.permissions, 'invoice:override_credit_limit')) {
        const owed = (await outstanding(tx, actor, client.id, currency)).plus(totals.total);
        if (owed.greaterThan(client.credit_limit)) {
          throw new ProblemError(422, 'CREDIT_LIMIT_EXCEEDED', { params: { limit: client.credit_limit, owed: formatMoney(owed, currency), currency } });
        }
      }
      const term = await termsOf(tx, actor, [input.payment_terms_id, client.payment_terms_id, settings.default_payment_terms_id]);
      const start = Date.parse(`${input.issue_date}T00:00:00Z`);
      const dueDate = input.due_date ?? new Date(start + (term?.paymentDays ?? 0) * 86_400_000).toISOString().slice(0, 10);
      const installments: InstallmentEntry[] = term
        ? installmentsOf({ payment_days: term.paymentDays, payment_schedule: term.paymentSchedule }, input.issue_date, totals.total, currency)
        : [{ due_date: dueDate, percentage: '100.00', amount: formatMoney(totals.total, currency) }];
      const number = await nextNumber(tx, actor.organizationId, 'invoice', settings.invoice_number_pattern, new Date(start));
      const now = kernel.now();
      const [row] = await tx
        .update(invoices)
        .set({
          ...storedColumns(input, checked),
          status: 'open',
          number,
          dueDate,
          paymentTermsId: term?.id ?? null,
          installments,
          issuer: issuerOf(settings),
          customer: { name: client.name, address: client.billing_address, tax_id: client.tax_id, email: client.email },
          finalizedAt: now,
          version: sql`${invoices.version} + 1`,
          updatedAt: now,
        })
        .where(scoped(actor, id))
        .returning();
      await replaceLines(tx, actor, id, checked);
      return record(tx, origin, actor, 'invoice.finalized', await reload(tx, row!));
    },

    /** open → void, only while nothing is paid (afterwards a credit note is the way). */
    async void(tx: Executor, origin: RequestOrigin, actor: Actor, id: string, reason: string, expectedVersion?: number[]): Promise<Invoice> {
      const current = await load(tx, actor, id, true);
      assertVersion(expectedVersion, current.version);
      if (current.status !== 'open') throw invalidStateTransition('problem.INVALID_STATE_TRANSITION.invoice_void', { status: current.status });
      if (!new Dec(current.amountPaid).isZero() || !new Dec(current.amountCredited).isZero()) throw invalidStateTransition('problem.INVALID_STATE_TRANSITION.invoice_void_paid', { status: current.status });
      const now = kernel.now();
      const [row] = await tx
        .update(invoices)
        .set({ status: 'void', voidReason: reason.trim(), voidedAt: now, overdue: false, version: sql`${invoices.version} + 1`, updatedAt: now })
        .where(and(scoped(actor, id), ne(invoices.status, 'void')))
        .returning();
      return record(tx, origin, actor, 'invoice.voided', await reload(tx, row!), { reason });
    },

    /** open → uncollectible: kept on the books, no longer expected to be paid. */
    async markUncollectible(tx: Executor, origin: RequestOrigin, actor: Actor, id: string, expectedVersion?: number[]): Promise<Invoice> {
      const current = await load(tx, actor, id, true);
      assertVersion(expectedVersion, current.version);
      if (current.status !== 'open') throw invalidStateTransition('problem.INVALID_STATE_TRANSITION.invoice_uncollectible', { status: current.status });
      const now = kernel.now();
      const [row] = await tx
        .update(invoices)
        .set({ status: 'uncollectible', markedUncollectibleAt: now, version: sql`${invoices.version} + 1`, updatedAt: now })
        .where(scoped(actor, id))
        .returning();
      return record(tx, origin, actor, 'invoice.marked_uncollectible', await reload(tx, row!));
    },

    /** Whether an invoice, draft or not, names these payment terms. */
    usesPaymentTerms: referencedIn(invoices, invoices, invoices.paymentTermsId),
    /** Whether a line of an invoice, draft or not, names this tax code. */
    usesTaxCode: referencedIn(invoiceLines, invoiceLines, invoiceLines.taxCodeId),
    /** Whether a line of an invoice, draft or not, names this unit. */
    usesUnit: referencedIn(invoiceLines, invoiceLines, invoiceLines.unitId),
    /** Whether a line of an invoice, draft or not, names this category. */
    usesCategory: referencedIn(invoiceLines, invoiceLines, invoiceLines.categoryId),

    /** Whether the client has any invoice (a client with invoices cannot be deleted). */
    async clientHasInvoices(tx: Executor, organizationId: string, clientId: string): Promise<boolean> {
      const [row] = await tx.select({ id: invoices.id }).from(invoices).where(and(eq(invoices.organizationId, organizationId), eq(invoices.clientId, clientId))).limit(1);
      return row !== undefined;
    },
  };
}

export type InvoiceService = ReturnType<typeof invoiceService>;
export type { LineInput };
