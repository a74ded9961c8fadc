import { eq } from 'drizzle-orm';
import type { Executor } from '../../../kernel/db/database';
import type { FieldError } from '../../../kernel/http/problem';
import { computeLines, type ComputedLine } from '../invoices/lines';
import { invoiceLines, type invoices } from '../invoices/tables';
import type { CreditNoteLineInput } from './schemas';

type InvoiceRow = typeof invoices.$inferSelect;
type InvoiceLineRow = typeof invoiceLines.$inferSelect;

/** A credit note line, computed, with the invoice line it credits (if any). */
export interface CreditLine extends ComputedLine {
  original: InvoiceLineRow | undefined;
  description: string;
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
      },
    };
  });
  const computed = await computeLines(tx, invoice.organizationId, resolved.map((r) => r.fields), { currency: invoice.currency, supply: invoice.supplyType, taxDate: invoice.issueDate }, errors);
  return computed.map((line, i) => ({ ...line, original: resolved[i]!.original, description: resolved[i]!.description }));
}
