import { dictionary } from '@zxcvbn-ts/language-common';
import type { FieldError } from '../../kernel/http/problem';
import { translate, type Locale } from '../../kernel/i18n/index';
import { passwordProblems } from './passwords';

const COMMON_PASSWORDS = new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
const NAME = /^[\p{L}][\p{L} '\-]{0,48}[\p{L}]$/u;

/** Seed 003 §11.1 plus a refusal of the ~50,000 most common passwords (zxcvbn's list). */
export function passwordErrors(field: string, password: string, locale: Locale): FieldError[] {
  const keys = passwordProblems(password);
  if (COMMON_PASSWORDS.has(password.toLowerCase())) keys.push('validation.password.common');
  return keys.map((key) => ({ field, message: translate(locale, key) }));
}

/** Seed 003 §11.3: 2-50 letters, spaces, hyphens, apostrophes. */
export function nameErrors(fields: Record<string, string | undefined>, locale: Locale): FieldError[] {
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined && !NAME.test(value.trim()))
    .map(([field]) => ({ field, message: translate(locale, 'validation.name') }));
}

/** "jean-luc o'neil" → "Jean-Luc O'Neil" (seed 003 §11.3 automatic capitalization). */
export const capitalizeName = (name: string) =>
  name.trim().replace(/\s+/g, ' ').replace(/(^|[\s'\-])(\p{L})/gu, (_, sep: string, letter: string) => sep + letter.toUpperCase());

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

// RFC 5322's common form: a dot-atom local part and a domain with a top-level label (seed 003 §11.2).
const EMAIL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

export function emailErrors(field: string, email: string, locale: Locale): FieldError[] {
  const normalized = normalizeEmail(email);
  return normalized.length <= 254 && EMAIL.test(normalized) ? [] : [{ field, message: translate(locale, 'validation.format', { format: 'email' }) }];
}
