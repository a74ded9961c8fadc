import { and, eq } from 'drizzle-orm';
import type { Executor } from '../../../kernel/db/database';
import type { FieldError } from '../../../kernel/http/problem';
import { translate, type Locale } from '../../../kernel/i18n/index';
import { computeLines, type ComputedLine } from '../invoices/lines';
import { invoiceLines, type invoices } from '../invoices/tables';
import type { LineAmounts, LineInput, LineTaxCode } from '../invoices/totals';
import { Dec, formatPlain } from '../money';
import type { CreditNoteLineInput } from './schemas';
import { creditNoteLines, creditNotes } from './tables';

type InvoiceRow = typeof invoices.$inferSelect;
type InvoiceLineRow = typeof invoiceLines.$inferSelect;

/** A credit note line, computed, with the invoice line it credits (if any). */
export interface CreditLine extends ComputedLine {
  original: InvoiceLineRow | undefined;
  description: string;
}

/**
 * The tax an invoice line was finalized with, as its stored components (those of the invoice's
 * supply type, at the rates of then): a credit of the line repeats it even when the tax code was
 * since deactivated, ended or given other rates.
 */
function frozenTaxOf(invoice: InvoiceRow, line: InvoiceLineRow): LineTaxCode | undefined {
  if (!line.taxCodeId) return undefined;
  const code = invoice.taxBreakdown.find((entry) => entry.tax_code_id === line.taxCodeId)?.tax_code ?? line.taxCodeId;
  return { id: line.taxCodeId, code, components: line.taxComponents.map((c) => ({ name: c.name, rate: c.rate, applies_to: 'all' })) };
}

/**
 * Each line resolved against the invoice: with `invoice_line_id`, what the line leaves out comes
 * from that invoice line (quantity included); then computed exactly like invoice lines
 * (`computeLines`) with the invoice's currency, supply type and the taxes in force on its issue date.
 */
export async function resolveCreditLines(tx: Executor, invoice: InvoiceRow, lines: CreditNoteLineInput[], errors: FieldError[]): Promise<CreditLine[]> {
  const originals = new Map((await tx.select().from(invoiceLines).where(eq(invoiceLines.invoiceId, invoice.id))).map((l) => [l.id, l]));
  const resolved = lines.map((line, i) => {
    const field = (name: string) => `lines[${i}].${name}`;
    const original = line.invoice_line_id ? originals.get(line.invoice_line_id) : undefined;
    if (line.invoice_line_id && !original) errors.push({ field: field('invoice_line_id'), message: 'is not a line of this invoice' });
    const description = line.description?.trim() ?? original?.description;
    if (!description) errors.push({ field: field('description'), message: 'is required without invoice_line_id' });
    if (line.quantity === undefined && !original) errors.push({ field: field('quantity'), message: 'is required without invoice_line_id' });
    if (line.unit_price === undefined && !original) errors.push({ field: field('unit_price'), message: 'is required without invoice_line_id' });
    return {
      original,
      description: description ?? '',
      fields: {
        quantity: line.quantity ?? original?.quantity ?? '1',
        unit_price: line.unit_price ?? original?.unitPrice ?? '0',
        discount_percent: line.discount_percent ?? original?.discountPercent ?? '0',
        tax_code_id: line.tax_code_id !== undefined ? line.tax_code_id : (original?.taxCodeId ?? null),
        hsn_sac_code: line.hsn_sac_code !== undefined ? line.hsn_sac_code : (original?.hsnSacCode ?? undefined),
        frozen_tax: original && (line.tax_code_id === undefined || line.tax_code_id === original.taxCodeId) ? frozenTaxOf(invoice, original) : undefined,
      },
    };
  });
  const computed = await computeLines(tx, invoice.organizationId, resolved.map((r) => r.fields), { currency: invoice.currency, supply: invoice.supplyType, taxDate: invoice.issueDate }, errors);
  return computed.map((line, i) => ({ ...line, original: resolved[i]!.original, description: resolved[i]!.description }));
}

/** What has been credited of one invoice line so far. */
interface Credited {
  quantity: Dec;
  /** Every credit of it kept the line's unit price, discount and tax code (a plain return of part of its quantity). */
  atLineTerms: boolean;
  amounts: LineAmounts;
}

const nothingCredited = (): Credited => {
  const zero = new Dec(0);
  return { quantity: zero, atLineTerms: true, amounts: { amount: zero, discountAmount: zero, taxableAmount: zero, taxAmount: zero, total: zero, components: [] } };
};

type Figures = Pick<InvoiceLineRow, 'unitPrice' | 'discountPercent' | 'taxCodeId'>;
const sameTerms = (a: Figures, b: Figures) => new Dec(a.unitPrice).equals(b.unitPrice) && new Dec(a.discountPercent).equals(b.discountPercent) && a.taxCodeId === b.taxCodeId;
const termsOf = (input: LineInput): Figures => ({ unitPrice: input.unitPrice.toFixed(), discountPercent: input.discountPercent.toFixed(), taxCodeId: input.taxCode?.id ?? null });

/** `a` plus (or, with sign -1, minus) `b`, figure by figure and tax component by component (named as in `a`, then `b`). */
function combine(a: LineAmounts, b: LineAmounts, sign: 1 | -1 = 1): LineAmounts {
  const with_ = (x: Dec, y: Dec) => x.plus(y.times(sign));
  const names = [...new Set([...a.components, ...b.components].map((c) => c.name))];
  const component = (list: LineAmounts['components'], name: string) => list.find((c) => c.name === name);
  return {
    amount: with_(a.amount, b.amount),
    discountAmount: with_(a.discountAmount, b.discountAmount),
    taxableAmount: with_(a.taxableAmount, b.taxableAmount),
    taxAmount: with_(a.taxAmount, b.taxAmount),
    total: with_(a.total, b.total),
    components: names.map((name) => {
      const left = component(a.components, name);
      const right = component(b.components, name);
      return { name, rate: (left ?? right)!.rate, amount: with_(left?.amount ?? new Dec(0), right?.amount ?? new Dec(0)) };
    }),
  };
}

/** A stored line's amounts (invoice and credit note lines share these columns). */
const amountsOf = (row: Pick<InvoiceLineRow, 'amount' | 'discountAmount' | 'taxableAmount' | 'taxAmount' | 'total' | 'taxComponents'>): LineAmounts => ({
  amount: new Dec(row.amount),
  discountAmount: new Dec(row.discountAmount),
  taxableAmount: new Dec(row.taxableAmount),
  taxAmount: new Dec(row.taxAmount),
  total: new Dec(row.total),
  components: row.taxComponents.map((c) => ({ name: c.name, rate: c.rate, amount: new Dec(c.amount) })),
});

/**
 * What the invoice's earlier credit notes credited, per invoice line. Read in the transaction
 * that holds the invoice's row lock, so a concurrent credit note on the invoice waits for this one.
 * (Credit notes cannot be voided: every one counts.)
 */
export async function creditedByLine(tx: Executor, invoice: InvoiceRow): Promise<Map<string, Credited>> {
  const rows = await tx
    .select({ line: creditNoteLines, original: { unitPrice: invoiceLines.unitPrice, discountPercent: invoiceLines.discountPercent, taxCodeId: invoiceLines.taxCodeId } })
    .from(creditNoteLines)
    .innerJoin(creditNotes, eq(creditNotes.id, creditNoteLines.creditNoteId))
    .innerJoin(invoiceLines, eq(invoiceLines.id, creditNoteLines.invoiceLineId))
    .where(and(eq(creditNotes.organizationId, invoice.organizationId), eq(creditNotes.invoiceId, invoice.id)));
  const byLine = new Map<string, Credited>();
  for (const { line, original } of rows) {
    const so = byLine.get(line.invoiceLineId!) ?? nothingCredited();
    byLine.set(line.invoiceLineId!, { quantity: so.quantity.plus(line.quantity), atLineTerms: so.atLineTerms && sameTerms(line, original), amounts: combine(so.amounts, amountsOf(line)) });
  }
  return byLine;
}

/**
 * The quantity cap: a line crediting an invoice line takes at most what is left of that line's
 * quantity after earlier credit notes and the lines above it in this one (422 on
 * `lines[i].quantity` otherwise). The line that credits the whole rest of an invoice line, where
 * every credit of it kept the line's unit price, discount and tax code, takes the rest of the
 * line's amounts instead of recomputing them: per-line rounding of the parts would otherwise add
 * up to a cent more or less than the invoice line itself.
 */
export function capToInvoiceLines(lines: CreditLine[], credited: Map<string, Credited>, locale: Locale, errors: FieldError[]): void {
  for (const [i, line] of lines.entries()) {
    const original = line.original;
    if (!original) continue;
    const so = credited.get(original.id) ?? nothingCredited();
    const left = new Dec(original.quantity).minus(so.quantity);
    if (line.input.quantity.greaterThan(left)) {
      const params = { quantity: formatPlain(line.input.quantity), left: formatPlain(Dec.max(left, 0)), invoiced: formatPlain(original.quantity), credited: formatPlain(so.quantity) };
      errors.push({ field: `lines[${i}].quantity`, message: translate(locale, 'validation.billing.credit_quantity', params) });
      continue;
    }
    const atLineTerms = so.atLineTerms && sameTerms(termsOf(line.input), original);
    if (atLineTerms && line.input.quantity.equals(left)) {
      const rest = combine(amountsOf(original), so.amounts, -1);
      if (!rest.amount.isNegative() && !rest.total.isNegative()) line.amounts = rest;
    }
    credited.set(original.id, { quantity: so.quantity.plus(line.input.quantity), atLineTerms, amounts: combine(so.amounts, line.amounts) });
  }
}
