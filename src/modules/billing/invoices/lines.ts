import type { Executor } from '../../../kernel/db/database';
import type { FieldError } from '../../../kernel/http/problem';
import { taxCodesInForce, type SupplyType } from '../master-data/index';
import { Dec, readDecimal } from '../money';
import { lineAmounts, type LineAmounts, type LineInput, type LineTaxCode } from './totals';

/**
 * A non-negative decimal field of an invoice or a credit note (line figures, exchange rate), read
 * by `readDecimal`; what it breaks goes to `errors` under `field` (every fault, in English, as these
 * endpoints have always answered). A value that is not a decimal reads as 0.
 */
export function decimal(value: string | number | undefined, field: string, errors: FieldError[], rule: { places: number; above?: number; max?: number }): Dec {
  const { value: parsed, faults } = readDecimal(value ?? '0', { min: 0, digits: 18, ...rule });
  if (faults.some((f) => f.kind === 'format' || f.kind === 'minimum')) {
    errors.push({ field, message: 'must be a non-negative decimal number' });
    return new Dec(0);
  }
  for (const fault of faults) {
    if (fault.kind === 'places') errors.push({ field, message: `must have at most ${fault.places} decimal places` });
  }
  for (const fault of faults) {
    if (fault.kind === 'above') errors.push({ field, message: `must be greater than ${fault.limit}` });
    if (fault.kind === 'maximum') errors.push({ field, message: `must be at most ${fault.limit}` });
  }
  return parsed;
}

/** The figures of one line as the API received them (a credit note fills them in from the invoice line first). */
export interface LineFields {
  quantity?: string | number;
  unit_price?: string | number;
  discount_percent?: string | number;
  tax_code_id?: string | null;
  /** Absent: the tax code's HSN/SAC code, if it has one. */
  hsn_sac_code?: string | null;
  /** The tax as a document already froze it (a credit note line repeating its invoice line's): used instead of looking up tax_code_id. */
  frozen_tax?: LineTaxCode;
}

export interface ComputedLine {
  input: LineInput;
  amounts: LineAmounts;
}

/**
 * The one line computation of invoices and credit notes: checks each line's figures (quantity
 * > 0 and unit price ≥ 0 with up to 6 decimals, discount 0-100 % with up to 4), resolves its tax
 * code to the version in force on `taxDate` (all the lines' tax codes in one lookup), and computes
 * its amounts rounded per line (`lineAmounts`) for the document's currency and supply type.
 * Problems go to `errors` as `lines[i].<field>`; the result keeps one entry per line either way.
 */
export async function computeLines(
  tx: Executor,
  organizationId: string,
  lines: LineFields[],
  document: { currency: string; supply: SupplyType; taxDate: string },
  errors: FieldError[],
): Promise<ComputedLine[]> {
  const looked = lines.filter((l) => !l.frozen_tax).map((l) => l.tax_code_id);
  const taxCodes = await taxCodesInForce(tx, organizationId, looked.filter((id): id is string => Boolean(id)), document.taxDate);
  return lines.map((line, i) => {
    const field = (name: string) => `lines[${i}].${name}`;
    const quantity = decimal(line.quantity, field('quantity'), errors, { places: 6, above: 0 });
    const unitPrice = decimal(line.unit_price, field('unit_price'), errors, { places: 6 });
    const discountPercent = decimal(line.discount_percent, field('discount_percent'), errors, { places: 4, max: 100 });
    const taxCode = line.tax_code_id && !line.frozen_tax ? (taxCodes.get(line.tax_code_id) ?? null) : null;
    if (line.tax_code_id && !line.frozen_tax && !taxCode) errors.push({ field: field('tax_code_id'), message: `no such tax code in force on ${document.taxDate}` });
    const input: LineInput = {
      quantity,
      unitPrice,
      discountPercent,
      taxCode: line.frozen_tax ?? (taxCode ? { id: taxCode.id, code: taxCode.code, components: taxCode.components } : null),
      hsnSacCode: line.hsn_sac_code !== undefined ? line.hsn_sac_code : (taxCode?.hsn_sac_code ?? null),
    };
    return { input, amounts: lineAmounts(input, document.currency, document.supply) };
  });
}
