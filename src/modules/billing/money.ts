import Decimal from 'decimal.js';
import type { FieldError } from '../../kernel/http/problem';

/** Exact decimal arithmetic for money, rates and quantities: 40 significant digits, half-up. */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = InstanceType<typeof Dec>;

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));
const minorDigitsCache = new Map<string, number>();

/** ISO 4217 codes this runtime knows (upper case, three letters). */
export const isCurrency = (code: string): boolean => CURRENCIES.has(code);

/** Digits after the decimal point of the currency's minor unit: 2 for USD and INR, 0 for JPY, 3 for KWD. */
export function minorDigits(currency: string): number {
  let digits = minorDigitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    minorDigitsCache.set(currency, digits);
  }
  return digits;
}

/** The amount as the API writes it: a string with exactly the currency's minor digits, rounded half-up. */
export const formatAmount = (value: Decimal.Value, currency: string): string => new Dec(value).toFixed(minorDigits(currency), Decimal.ROUND_HALF_UP);

const DECIMAL_TEXT = /^-?\d{1,18}(\.\d{1,12})?$/;

/**
 * Reads an amount given as a string or a number. Refuses (as a field error) anything that is not
 * a plain decimal, a negative value where `allowNegative` is false, and more decimals than the
 * currency has: an amount is never rounded silently on the way in.
 */
export function parseAmount(input: string | number, field: string, currency: string, { allowNegative = false } = {}): Dec | FieldError {
  const text = typeof input === 'number' ? (Number.isFinite(input) ? String(input) : '') : input.trim();
  if (!DECIMAL_TEXT.test(text)) return { field, message: 'must be a decimal amount such as 1500.00' };
  const value = new Dec(text);
  if (!allowNegative && value.isNegative()) return { field, message: 'must not be negative' };
  if (value.decimalPlaces() > minorDigits(currency)) return { field, message: `must have at most ${minorDigits(currency)} decimal places in ${currency}` };
  return value;
}

export const isFieldError = (value: unknown): value is FieldError => typeof value === 'object' && value !== null && 'field' in value && 'message' in value;
