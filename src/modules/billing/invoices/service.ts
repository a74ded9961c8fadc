import { and, asc, eq, gte, ilike, inArray, lte, ne, or, sql } from 'drizzle-orm';
import { hasPermission } from '../../../kernel/access/permissions';
import { recordAudit, type RequestOrigin } from '../../../kernel/audit/audit';
import type { Actor } from '../../../kernel/auth/actor';
import type { Executor } from '../../../kernel/db/database';
import { newId } from '../../../kernel/db/ids';
import { emitEvent } from '../../../kernel/events/outbox';
import { assertVersion } from '../../../kernel/http/etag';
import { paginate } from '../../../kernel/http/pagination';
import { invalidStateTransition, notFound, ProblemError, validationFailed, type FieldError } from '../../../kernel/http/problem';
import type { Kernel } from '../../../kernel/kernel';
import type { Address } from '../addresses';
import { indianState } from '../india-gst';
import type { Client } from '../clients/schemas';
import type { ClientService } from '../clients/service';
import { activityTypeOf, recordActivity } from '../delivery/activity';
import { invoiceActivities } from '../delivery/tables';
import { installmentsOf, paymentTermsExist, taxCodeInForce, termsByIds, type SupplyType } from '../master-data/index';
import { billingUnits } from '../master-data/tables';
import { Dec, formatMoney, formatPlain, formatRate, isCurrency } from '../money';
import type { BillingSettings } from '../settings/schemas';
import type { BillingSettingsService } from '../settings/service';
import type { CreateInvoiceBody, Invoice, InvoiceSummary, LineInput, ListInvoicesQuery, UpdateInvoiceBody } from './schemas';
import { amountRemaining, amountRemainingSql } from './balance';
import { nextNumber } from './sequences';
import { invoiceLines, invoices, type InstallmentEntry } from './tables';
import { documentTotals, lineAmounts, storedLine, type LineInput as TotalsLine } from './totals';

type Row = typeof invoices.$inferSelect;
type LineRow = typeof invoiceLines.$inferSelect;

export interface InvoiceServiceDeps {
  clients: ClientService;
  settings: BillingSettingsService;
  /** The latest recorded rate of `currency` on or before `date` (exchange-rates/), or null. */
  recordedRate?: (executor: Executor, organizationId: string, currency: string, date: string) => Promise<string | null>;
}

const DECIMAL = /^\d{1,18}(\.\d{1,12})?$/;

/** A decimal from the API, or a field error: within [min, max] and with at most `places` decimals. */
export function decimal(value: string | number | undefined, field: string, errors: FieldError[], { places, min, max, above = false }: { places: number; min?: number; max?: number; above?: boolean }): Dec {
  const text = value === undefined ? '0' : typeof value === 'number' ? String(value) : value.trim();
  if (!DECIMAL.test(text)) {
    errors.push({ field, message: 'must be a non-negative decimal number' });
    return new Dec(0);
  }
  const parsed = new Dec(text);
  if (parsed.decimalPlaces() > places) errors.push({ field, message: `must have at most ${places} decimal places` });
  if (above && parsed.lessThanOrEqualTo(min ?? 0)) errors.push({ field, message: `must be greater than ${min ?? 0}` });
  if (max !== undefined && parsed.greaterThan(max)) errors.push({ field, message: `must be at most ${max}` });
  return parsed;
}

/**
 * CGST + SGST when the place of supply is the issuer's own Indian state, IGST for another state
 * or an export; other countries' taxes apply the same components either way.
 */
export function supplyTypeOf(issuer: Address | null, placeOfSupply: string | null): SupplyType {
  if (issuer?.country !== 'IN' || !issuer.state) return 'intra_state';
  return placeOfSupply === issuer.state ? 'intra_state' : 'inter_state';
}

/**
 * amount_paid is net of refunds: settled wins (something paid or credited and nothing remaining),
 * then whether refunds gave part or all of it back.
 */
const paymentStatusOf = (row: Row): Invoice['payment_status'] => {
  const paid = new Dec(row.amountPaid);
  if ((paid.greaterThan(0) || new Dec(row.amountCredited).greaterThan(0)) && !amountRemaining(row).greaterThan(0)) return 'paid';
  if (new Dec(row.amountRefunded).greaterThan(0)) return paid.isZero() ? 'refunded' : 'partially_refunded';
  return paid.isZero() ? 'unpaid' : 'partially_paid';
};

const iso = (date: Date | null) => date?.toISOString() ?? null;

/** The invoice without its lines, as lists show it. */
export function presentSummary(row: Row): InvoiceSummary {
  const money = (value: string) => formatMoney(new Dec(value), row.currency);
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    payment_status: paymentStatusOf(row),
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
    amount_remaining: formatMoney(amountRemaining(row), row.currency),
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
    lines: lines.map((l) => ({ ...presentLine(l, row.currency), unit_id: l.unitId })),
  };
}

/** A computed line as the API shows it (invoice and credit note lines share these columns). */
export function presentLine(l: Omit<LineRow, 'invoiceId' | 'unitId' | 'organizationId' | 'position'>, currency: string) {
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

  async function load(executor: Executor, actor: Actor, id: string, lock = false): Promise<Row> {
    const query = executor.select().from(invoices).where(scoped(actor, id));
    const [row] = lock ? await query.for('update') : await query;
    if (!row) throw notFound('INVOICE_NOT_FOUND');
    return row;
  }

  async function clientOf(tx: Executor, actor: Actor, clientId: string): Promise<Client> {
    try {
      return await deps.clients.get(tx, actor, clientId);
    } catch (error) {
      if (error instanceof ProblemError && error.status === 404) throw validationFailed([{ field: 'client_id', message: 'no such client in this organization' }]);
      throw error;
    }
  }

  /** Checks each line, resolves its tax code in force on the issue date, and computes its amounts. */
  async function computeLines(tx: Executor, actor: Actor, input: DraftInput, supply: SupplyType, errors: FieldError[]) {
    const unitIds = [...new Set(input.lines.map((l) => l.unit_id).filter((u): u is string => Boolean(u)))];
    const units = unitIds.length === 0 ? [] : await tx.select({ id: billingUnits.id }).from(billingUnits).where(and(eq(billingUnits.organizationId, actor.organizationId), inArray(billingUnits.id, unitIds)));
    const knownUnits = new Set(units.map((u) => u.id));
    // Lines mostly share a few tax codes: each is looked up once per invoice.
    const taxCodes = new Map<string, ReturnType<typeof taxCodeInForce>>();
    const taxCodeFor = (id: string) => {
      if (!taxCodes.has(id)) taxCodes.set(id, taxCodeInForce(tx, actor.organizationId, id, input.issue_date));
      return taxCodes.get(id)!;
    };
    const computed = [];
    for (const [i, line] of input.lines.entries()) {
      const field = (name: string) => `lines[${i}].${name}`;
      const quantity = decimal(line.quantity, field('quantity'), errors, { places: 6, min: 0, above: true });
      const unitPrice = decimal(line.unit_price, field('unit_price'), errors, { places: 6 });
      const discountPercent = decimal(line.discount_percent, field('discount_percent'), errors, { places: 4, max: 100 });
      if (line.unit_id && !knownUnits.has(line.unit_id)) errors.push({ field: field('unit_id'), message: 'no such unit in this organization' });
      const taxCode = line.tax_code_id ? await taxCodeFor(line.tax_code_id) : null;
      if (line.tax_code_id && !taxCode) errors.push({ field: field('tax_code_id'), message: `no such tax code in force on ${input.issue_date}` });
      const totalsLine: TotalsLine = { quantity, unitPrice, discountPercent, taxCode: taxCode ? { id: taxCode.id, code: taxCode.code, components: taxCode.components } : null, hsnSacCode: line.hsn_sac_code ?? taxCode?.hsn_sac_code ?? null };
      computed.push({ line, input: totalsLine, amounts: lineAmounts(totalsLine, input.currency, supply) });
    }
    return computed;
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
    const exchangeRate = input.exchange_rate === null ? null : decimal(input.exchange_rate, 'exchange_rate', errors, { places: 10, min: 0, above: true });
    if (input.payment_terms_id) {
      if (!(await paymentTermsExist(tx, actor.organizationId, input.payment_terms_id))) errors.push({ field: 'payment_terms_id', message: 'no such payment terms in this organization' });
    }
    const lines = await computeLines(tx, actor, { ...input, currency }, supply, errors);
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
    lines: lines.map((l) => ({ description: l.description, quantity: formatPlain(l.quantity), unit_price: formatPlain(l.unitPrice), unit_id: l.unitId, discount_percent: formatPlain(l.discountPercent), tax_code_id: l.taxCodeId, hsn_sac_code: l.hsnSacCode })),
  });

  /** The client's balance still owed on finalized invoices of this currency. */
  async function outstanding(tx: Executor, actor: Actor, clientId: string, currency: string): Promise<Dec> {
    const [row] = await tx
      .select({ owed: sql<string>`coalesce(sum(${amountRemainingSql}), 0)` })
      .from(invoices)
      .where(and(eq(invoices.organizationId, actor.organizationId), eq(invoices.clientId, clientId), eq(invoices.currency, currency), eq(invoices.status, 'open')));
    return new Dec(row?.owed ?? '0');
  }

  /** The first of these payment terms the organization has (one query). */
  async function termsOf(tx: Executor, actor: Actor, ids: (string | null)[]) {
    const found = await termsByIds(tx, actor.organizationId, ids);
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
        issue_date: kernel.now().toISOString().slice(0, 10),
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

    async list(executor: Executor, actor: Actor, query: ListInvoicesQuery) {
      const t = invoices;
      const pattern = query.q ? `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
      const page = await paginate({
        executor,
        table: t,
        where: and(
          eq(t.organizationId, actor.organizationId),
          query.status ? eq(t.status, query.status) : undefined,
          query.client_id ? eq(t.clientId, query.client_id) : undefined,
          query.currency ? eq(t.currency, query.currency.toUpperCase()) : undefined,
          query.overdue === undefined ? undefined : eq(t.overdue, query.overdue),
          query.issued_after ? gte(t.issueDate, query.issued_after) : undefined,
          query.issued_before ? lte(t.issueDate, query.issued_before) : undefined,
          pattern ? or(ilike(t.number, pattern), ilike(t.notes, pattern)) : undefined,
        ),
        sortColumns: { created_at: t.createdAt, issue_date: t.issueDate },
        idColumn: t.id,
        params: query,
        cursors: kernel.cursors,
      });
      return { ...page, items: page.items.map(presentSummary) };
    },

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

    /** Whether the client has any invoice (a client with invoices cannot be deleted). */
    async clientHasInvoices(tx: Executor, organizationId: string, clientId: string): Promise<boolean> {
      const [row] = await tx.select({ id: invoices.id }).from(invoices).where(and(eq(invoices.organizationId, organizationId), eq(invoices.clientId, clientId))).limit(1);
      return row !== undefined;
    },
  };
}

export type InvoiceService = ReturnType<typeof invoiceService>;
export type { LineInput };
