import { computeTax, type SupplyType } from '../master-data/index';
import { Dec, formatMoney, formatRate, roundMoney } from '../money';
import type { HsnSummaryEntry, TaxBreakdownEntry } from './tables';

/** A tax code as the totals need it: its rates per component and supply type. */
export interface LineTaxCode {
  id: string;
  code: string;
  components: { name: string; rate: string; applies_to: 'intra_state' | 'inter_state' | 'all' }[];
}

export interface LineInput {
  quantity: Dec;
  unitPrice: Dec;
  discountPercent: Dec;
  taxCode: LineTaxCode | null;
  hsnSacCode: string | null;
}

export interface LineAmounts {
  amount: Dec;
  discountAmount: Dec;
  taxableAmount: Dec;
  taxAmount: Dec;
  total: Dec;
  components: { name: string; rate: string; amount: Dec }[];
}

/**
 * One line, rounded per line (the GST rule): amount = quantity × unit price, rounded half-up to
 * the currency's minor unit; discount = amount × discount % rounded; taxable = amount − discount;
 * each tax component = taxable × its rate rounded; tax = sum of the rounded components.
 */
export function lineAmounts(line: LineInput, currency: string, supply: SupplyType): LineAmounts {
  const amount = roundMoney(line.quantity.times(line.unitPrice), currency);
  const discountAmount = roundMoney(amount.times(line.discountPercent).dividedBy(100), currency);
  const taxableAmount = amount.minus(discountAmount);
  const tax = line.taxCode ? computeTax(line.taxCode, taxableAmount, currency, supply) : { calculatedTax: new Dec(0), breakdown: {} };
  const rates = new Map(line.taxCode?.components.map((c) => [c.name, c.rate]) ?? []);
  const components = Object.entries(tax.breakdown).map(([name, value]) => ({ name, rate: formatRate(rates.get(name) ?? '0'), amount: value }));
  return { amount, discountAmount, taxableAmount, taxAmount: tax.calculatedTax, total: taxableAmount.plus(tax.calculatedTax), components };
}

/** A line's input and amounts as its row stores them (invoice and credit note lines alike). */
export function storedLine(input: LineInput, amounts: LineAmounts, currency: string) {
  return {
    quantity: input.quantity.toFixed(),
    unitPrice: input.unitPrice.toFixed(),
    discountPercent: input.discountPercent.toFixed(),
    taxCodeId: input.taxCode?.id ?? null,
    hsnSacCode: input.hsnSacCode,
    amount: amounts.amount.toFixed(),
    discountAmount: amounts.discountAmount.toFixed(),
    taxableAmount: amounts.taxableAmount.toFixed(),
    taxAmount: amounts.taxAmount.toFixed(),
    total: amounts.total.toFixed(),
    taxComponents: amounts.components.map((c) => ({ name: c.name, rate: c.rate, amount: formatMoney(c.amount, currency) })),
  };
}

export interface DocumentTotals {
  subtotal: Dec;
  discountTotal: Dec;
  taxTotal: Dec;
  total: Dec;
  taxBreakdown: TaxBreakdownEntry[];
  hsnSummary: HsnSummaryEntry[];
}

/** Document totals: sums of the rounded line figures, so that every printed column adds up. */
export function documentTotals(lines: { input: LineInput; amounts: LineAmounts }[], currency: string): DocumentTotals {
  const zero = new Dec(0);
  const sum = (pick: (a: LineAmounts) => Dec) => lines.reduce((total, l) => total.plus(pick(l.amounts)), zero);
  const breakdown = new Map<string, { entry: Omit<TaxBreakdownEntry, 'taxable_amount' | 'amount'>; taxable: Dec; amount: Dec }>();
  const hsn = new Map<string, { taxable: Dec; components: Map<string, Dec>; tax: Dec }>();
  for (const { input, amounts } of lines) {
    for (const component of amounts.components) {
      const key = `${input.taxCode!.id}\u0000${component.name}`;
      const entry = breakdown.get(key) ?? { entry: { tax_code_id: input.taxCode!.id, tax_code: input.taxCode!.code, component: component.name, rate: component.rate }, taxable: zero, amount: zero };
      breakdown.set(key, { ...entry, taxable: entry.taxable.plus(amounts.taxableAmount), amount: entry.amount.plus(component.amount) });
    }
    if (input.hsnSacCode) {
      const entry = hsn.get(input.hsnSacCode) ?? { taxable: zero, components: new Map<string, Dec>(), tax: zero };
      for (const component of amounts.components) entry.components.set(component.name, (entry.components.get(component.name) ?? zero).plus(component.amount));
      hsn.set(input.hsnSacCode, { taxable: entry.taxable.plus(amounts.taxableAmount), components: entry.components, tax: entry.tax.plus(amounts.taxAmount) });
    }
  }
  const subtotal = sum((a) => a.amount);
  const discountTotal = sum((a) => a.discountAmount);
  const taxTotal = sum((a) => a.taxAmount);
  return {
    subtotal,
    discountTotal,
    taxTotal,
    total: subtotal.minus(discountTotal).plus(taxTotal),
    taxBreakdown: [...breakdown.values()].map(({ entry, taxable, amount }) => ({ ...entry, taxable_amount: formatMoney(taxable, currency), amount: formatMoney(amount, currency) })),
    hsnSummary: [...hsn.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([code, e]) => ({
        hsn_sac_code: code,
        taxable_amount: formatMoney(e.taxable, currency),
        components: Object.fromEntries([...e.components].map(([name, value]) => [name, formatMoney(value, currency)])),
        tax_amount: formatMoney(e.tax, currency),
      })),
  };
}
