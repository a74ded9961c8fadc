import type { FastifySchemaValidationError } from 'fastify/types/schema';
import { translate, type Locale } from '../i18n/index';
import type { FieldError } from './problem';

/** Turns Ajv errors into one localized, field-level message per field (`address.city`, `items[2].qty`). */
export function fieldErrors(errors: FastifySchemaValidationError[], locale: Locale): FieldError[] {
  const byField = new Map<string, FastifySchemaValidationError>();
  for (const error of errors) {
    const field = fieldOf(error);
    const existing = byField.get(field);
    // A union reports one error per branch plus `anyOf`: the `anyOf` one speaks for all.
    if (!existing || error.keyword === 'anyOf') byField.set(field, error);
  }
  return [...byField].map(([field, error]) => ({ field, message: messageOf(error, locale) }));
}

function fieldOf(error: FastifySchemaValidationError): string {
  const segments = (error.instancePath ?? '')
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') segments.push(String(params.missingProperty));
  if (error.keyword === 'additionalProperties') segments.push(String(params.additionalProperty));
  return segments.reduce((path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : path ? `${path}.${s}` : s), '') || '(body)';
}

const LIMIT_KEYWORDS = new Set([
  'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minItems', 'maxItems',
]);

function messageOf(error: FastifySchemaValidationError, locale: Locale): string {
  const params = error.params as Record<string, unknown>;
  const keyword = error.keyword;
  if (LIMIT_KEYWORDS.has(keyword)) return translate(locale, `validation.${keyword}`, { limit: params.limit });
  switch (keyword) {
    case 'required':
    case 'pattern':
    case 'additionalProperties':
    case 'uniqueItems':
    case 'anyOf':
      return translate(locale, `validation.${keyword}`);
    case 'type':
      return translate(locale, 'validation.type', { type: params.type });
    case 'format':
      return translate(locale, 'validation.format', { format: params.format });
    case 'enum':
      return translate(locale, 'validation.enum', { values: (params.allowedValues as unknown[]).join(', ') });
    case 'const':
      return translate(locale, 'validation.const', { value: params.allowedValue });
    default:
      return translate(locale, 'validation.invalid');
  }
}
