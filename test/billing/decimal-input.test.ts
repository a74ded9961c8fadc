import { describe, expect, it } from 'vitest';
import type { FieldError } from '../../src/kernel/http/problem';
import '../../src/modules/billing/messages';
import { decimal } from '../../src/modules/billing/invoices/lines';
import { Checks } from '../../src/modules/billing/master-data/common';
import { parseAmount, readDecimal, type DecimalRule } from '../../src/modules/billing/money';

describe('readDecimal: the one reader of decimal inputs', () => {
  const rule: DecimalRule = { above: 0, max: 100, places: 2, digits: 3 };
  it.each<[string | number, string, string[]]>([
    ['12.5', '12.5', []],
    [' 7 ', '7', []],
    [12.25, '12.25', []],
    [1e-7, '1e-7', ['places']],
    ['0', '0', ['above']],
    ['100.001', '100.001', ['maximum', 'places']],
    ['-3', '-3', ['above']],
    ['1000', '0', ['format']],
    ['1e3', '0', ['format']],
    ['12.', '0', ['format']],
    ['', '0', ['format']],
    [Number.NaN, '0', ['format']],
  ])('%j reads as %s with faults %j', (input, value, faults) => {
    const read = readDecimal(input, rule);
    expect(read.value.equals(value)).toBe(true);
    expect(read.faults.map((f) => f.kind)).toEqual(faults);
  });

  it('keeps each API’s wording of the faults', () => {
    // Amounts (payments, client credit limits, credit note amounts): the first fault, in English.
    expect(parseAmount('12.345', 'amount', 'INR')).toEqual({ field: 'amount', message: 'must have at most 2 decimal places in INR' });
    expect(parseAmount('-1', 'amount', 'INR')).toEqual({ field: 'amount', message: 'must not be negative' });
    expect(String(parseAmount('-1.50', 'amount', 'INR', { allowNegative: true }))).toBe('-1.5');
    expect(parseAmount('1,000', 'amount', 'INR')).toEqual({ field: 'amount', message: 'must be a decimal amount such as 1500.00' });
    expect(parseAmount('1000000000000000000', 'amount', 'INR')).toEqual({ field: 'amount', message: 'must be a decimal amount such as 1500.00' });

    // Invoice and credit note figures: every fault, in English; negative is not a decimal they take.
    const errors: FieldError[] = [];
    expect(decimal('-2', 'q', errors, { places: 6, above: 0 }).isZero()).toBe(true);
    decimal('100.00001', 'r', errors, { places: 4, max: 100 });
    decimal('100.5', 'd', errors, { places: 4, max: 100 });
    expect(errors).toEqual([
      { field: 'q', message: 'must be a non-negative decimal number' },
      { field: 'r', message: 'must have at most 4 decimal places' },
      { field: 'r', message: 'must be at most 100' },
      { field: 'd', message: 'must be at most 100' },
    ]);

    // Master data: the first fault, localized.
    const checks = new Checks('km');
    checks.decimal('rate', '101', { min: '0', max: '100', places: 4 });
    checks.decimal('factor', '0', { above: '0', places: 16 });
    const english = new Checks('en');
    english.decimal('rate', '1.00001', { min: '0', max: '100', places: 4 });
    english.decimal('limit', 1e21, { min: '0', max: '9999999999999999', places: 2 });
    expect(checks.errors.map((e) => e.field)).toEqual(['rate', 'factor']);
    expect(checks.errors[0]!.message).toContain('100');
    expect(english.errors).toEqual([
      { field: 'rate', message: 'must have at most 4 decimal places' },
      { field: 'limit', message: 'must be at most 9999999999999999' },
    ]);
  });
});
