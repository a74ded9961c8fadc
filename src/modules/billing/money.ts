import Decimal from 'decimal.js';
import { sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { FieldError } from '../../kernel/http/problem';

/**
 * Exact decimal arithmetic for billing: money, rates, quantities and conversion factors are
 * never binary floating point. 40 significant digits hold any numeric(32,16) value exactly,
 * and the default rounding is half-up (commercial: 0.5 away from zero).
 */
export const Dec = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
export type Dec = InstanceType<typeof Dec>;

/** Currency used when a request names none (seed 000's examples carry no currency). */
export const DEFAULT_CURRENCY = 'USD';

/** ISO 4217 minor units that differ from 2. */
const MINOR_DIGITS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
};

/** Digits after the decimal point of a currency's minor unit (2 for INR, USD, KHR). */
export const minorDigits = (currency: string) => MINOR_DIGITS[currency] ?? 2;

/** Rounds half-up to the currency's minor unit. */
export const roundMoney = (value: Dec, currency: string): Dec => value.toDecimalPlaces(minorDigits(currency), Dec.ROUND_HALF_UP);

/** `"1500.00"`: rounded half-up and written with exactly the currency's minor digits. */
export const formatMoney = (value: Dec, currency: string): string => value.toFixed(minorDigits(currency), Dec.ROUND_HALF_UP);

const currenciesWith = (digits: number) => sql.raw(Object.keys(MINOR_DIGITS).filter((code) => MINOR_DIGITS[code] === digits).map((code) => `'${code}'`).join(', '));
const NO_MINOR_UNIT = currenciesWith(0);
const THREE_DIGITS = currenciesWith(3);

/** {@link formatMoney} in SQL, for items the database writes as JSON (half away from zero: half-up here). */
export const moneyTextSql = (amount: AnyPgColumn | SQL, currency: AnyPgColumn): SQL<string> =>
  sql<string>`round(${amount}, CASE WHEN ${currency} IN (${NO_MINOR_UNIT}) THEN 0 WHEN ${currency} IN (${THREE_DIGITS}) THEN 3 ELSE 2 END)::text`;

/** Whether a stored amount (numeric text, canonical: `-` only before a non-zero value) is above zero. */
export const isPositiveAmount = (text: string): boolean => !text.startsWith('-') && /[1-9]/.test(text);

/** A rate or percentage: at least two decimals, more only when they matter (`"18.00"`, `"2.125"`). */
export const formatRate = (value: Dec | string): string => {
  const d = new Dec(value);
  return d.toFixed(Math.max(2, d.decimalPlaces()));
};

/** A quantity or factor without trailing zeros (`"0.001"`, `"1000"`). */
export const formatPlain = (value: Dec | string): string => new Dec(value).toFixed();

/** A JSON input that may be a decimal string or a number, as an exact decimal (numbers via their shortest text). */
export const toDec = (value: string | number): Dec => new Dec(typeof value === 'number' ? String(value) : value);

const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** ISO 4217 codes this runtime knows (upper case, three letters). */
export const isCurrency = (code: string): boolean => CURRENCIES.has(code);

/** What an exact decimal read from the API must be. Bounds are compared exactly. */
export interface DecimalRule {
  /** Inclusive lower bound. */
  min?: Decimal.Value;
  /** Exclusive lower bound. */
  above?: Decimal.Value;
  /** Inclusive upper bound. */
  max?: Decimal.Value;
  /** Most digits after the decimal point. */
  places: number;
  /** Most digits before it (more is not a decimal this field takes); unlimited when absent. */
  digits?: number;
}

/** One rule a decimal input breaks: `format` (not a plain decimal) comes alone. */
export type DecimalFault = { kind: 'format' } | { kind: 'minimum' | 'above' | 'maximum'; limit: string } | { kind: 'places'; places: number };

const DECIMAL_TEXT = /^-?(\d+)(?:\.\d+)?$/;

/**
 * The one reader of decimal inputs (a string, or a JSON number read through its shortest text):
 * the exact value and every rule it breaks, in the order minimum, above, maximum, places (or
 * `format` alone, with 0 as the value). Each API keeps its own wording of the faults (`parseAmount`
 * below, the line fields of invoices and credit notes, master data's localized `Checks`).
 */
export function readDecimal(input: string | number, rule: DecimalRule): { value: Dec; faults: DecimalFault[] } {
  const text = typeof input === 'number' ? (Number.isFinite(input) ? new Dec(String(input)).toFixed() : '') : input.trim();
  const match = DECIMAL_TEXT.exec(text);
  if (!match || (rule.digits !== undefined && match[1]!.length > rule.digits)) return { value: new Dec(0), faults: [{ kind: 'format' }] };
  const value = new Dec(text);
  const faults: DecimalFault[] = [];
  if (rule.min !== undefined && value.lessThan(rule.min)) faults.push({ kind: 'minimum', limit: String(rule.min) });
  if (rule.above !== undefined && value.lessThanOrEqualTo(rule.above)) faults.push({ kind: 'above', limit: String(rule.above) });
  if (rule.max !== undefined && value.greaterThan(rule.max)) faults.push({ kind: 'maximum', limit: String(rule.max) });
  if (value.decimalPlaces() > rule.places) faults.push({ kind: 'places', places: rule.places });
  return { value, faults };
}

/**
 * Reads an amount given as a string or a number. Refuses (as a field error) anything that is not
 * a plain decimal, a negative value where `allowNegative` is false, and more decimals than the
 * currency has: an amount is never rounded silently on the way in.
 */
export function parseAmount(input: string | number, field: string, currency: string, { allowNegative = false } = {}): Dec | FieldError {
  const { value, faults } = readDecimal(input, { min: allowNegative ? undefined : 0, places: minorDigits(currency), digits: 18 });
  const fault = faults[0];
  if (!fault) return value;
  if (fault.kind === 'format') return { field, message: 'must be a decimal amount such as 1500.00' };
  if (fault.kind === 'minimum') return { field, message: 'must not be negative' };
  return { field, message: `must have at most ${minorDigits(currency)} decimal places in ${currency}` };
}

export const isFieldError = (value: unknown): value is FieldError => typeof value === 'object' && value !== null && 'field' in value && 'message' in value;
