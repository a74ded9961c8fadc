import { describe, expect, it } from 'vitest';
import { en, km } from './messages';
import { negotiateLocale, translate } from './index';

describe('Accept-Language negotiation', () => {
  it.each([
    [undefined, 'en'],
    ['km', 'km'],
    ['km-KH', 'km'],
    ['en-US,en;q=0.9', 'en'],
    ['fr-FR, km;q=0.8, en;q=0.5', 'km'],
    ['en;q=0.4, km;q=0.6', 'km'],
    ['km;q=0, en', 'en'],
    ['de, fr', 'en'],
    ['*', 'en'],
    ['garbage;;;', 'en'],
  ])('%s → %s', (header, locale) => {
    expect(negotiateLocale(header)).toBe(locale);
  });
});

describe('translation', () => {
  it('fills placeholders and falls back to English, then to the key', () => {
    expect(translate('km', 'validation.minLength', { limit: 8 })).toBe('ត្រូវមានយ៉ាងហោចណាស់ 8 តួអក្សរ');
    expect(translate('en', 'validation.minLength', { limit: 8 })).toBe('must be at least 8 characters long');
    expect(translate('km', 'no.such.key')).toBe('no.such.key');
  });

  it('has a Khmer message for every English one, with the same placeholders', () => {
    expect(Object.keys(km).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(en)) {
      const placeholders = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
      expect(placeholders(km[key]!), key).toEqual(placeholders(text));
    }
  });
});
