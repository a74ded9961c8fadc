import { Type, type Static } from '@sinclair/typebox';
import type { FieldError } from '../../kernel/http/problem';
import { checkGstin, indianState } from './india-gst';

const Line = (maxLength: number) => Type.String({ maxLength });

export const AddressInput = Type.Object(
  {
    line1: Type.String({ minLength: 1, maxLength: 200 }),
    line2: Type.Optional(Type.Union([Line(200), Type.Null()])),
    city: Type.String({ minLength: 1, maxLength: 100 }),
    state: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 10 }), Type.Null()], { description: 'Subdivision code (ISO 3166-2 without the country), e.g. `KA` for Karnataka; required in India, where it decides CGST+SGST or IGST.' })),
    postal_code: Type.Optional(Type.Union([Line(20), Type.Null()])),
    country: Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166-1 alpha-2, e.g. `IN`.' }),
  },
  { additionalProperties: false },
);
export type AddressInput = Static<typeof AddressInput>;

export const Address = Type.Object(
  {
    line1: Type.String(),
    line2: Type.Union([Type.String(), Type.Null()]),
    city: Type.String(),
    state: Type.Union([Type.String(), Type.Null()]),
    postal_code: Type.Union([Type.String(), Type.Null()]),
    country: Type.String(),
  },
  { additionalProperties: false },
);
export type Address = Static<typeof Address>;

const regions = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
// Codes Intl names but ISO 3166-1 does not assign to a country.
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ']);

/** An assigned ISO 3166-1 alpha-2 country code (upper case). */
export function isCountry(code: string): boolean {
  if (!/^[A-Z]{2}$/.test(code) || NOT_COUNTRIES.has(code)) return false;
  return regions.of(code) !== undefined;
}

const blankToNull = (value: string | null | undefined) => (value === undefined || value === null || value.trim() === '' ? null : value.trim());

/**
 * Checks and normalises an address: country upper case and assigned; in India the state is
 * required and stored as its current ISO code (`OR` becomes `OD`). Errors name `field.…`.
 */
export function normalizeAddress(input: AddressInput, field: string, errors: FieldError[]): Address {
  const country = input.country.toUpperCase();
  if (!isCountry(country)) errors.push({ field: `${field}.country`, message: 'must be an ISO 3166-1 alpha-2 country code such as IN or US' });
  let state = blankToNull(input.state)?.toUpperCase() ?? null;
  if (country === 'IN') {
    const known = state === null ? null : indianState(state);
    if (known === null) errors.push({ field: `${field}.state`, message: 'must be the code of an Indian state or union territory, such as KA or MH' });
    else state = known;
  }
  return { line1: input.line1.trim(), line2: blankToNull(input.line2), city: input.city.trim(), state, postal_code: blankToNull(input.postal_code), country };
}

/** A tax id as stored: in India a GSTIN, checked for format, checksum and the state it is registered in. */
export function checkTaxId(taxId: string | null | undefined, address: Address, field: string, errors: FieldError[]): string | null {
  const value = taxId?.trim() ?? '';
  if (value === '') return null;
  if (address.country !== 'IN') return value;
  const gstin = value.toUpperCase();
  const check = checkGstin(gstin);
  if (!check.valid) errors.push({ field, message: check.reason });
  else if (check.state !== null && address.state !== null && check.state !== address.state) {
    errors.push({ field, message: `is registered in state ${check.state}, but the address is in ${address.state}` });
  }
  return gstin;
}
