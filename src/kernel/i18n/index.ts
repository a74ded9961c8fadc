import { en, km, LOCALES, type Catalog, type Locale } from './messages';

export { LOCALES, type Locale };

const catalogs: Record<Locale, Catalog> = { en: { ...en }, km: { ...km } };

/** Lets a module add its own messages; every key must exist in English (the fallback). */
export function registerMessages(messages: Record<Locale, Catalog>): void {
  for (const locale of LOCALES) Object.assign(catalogs[locale], messages[locale]);
}

export function hasMessage(key: string): boolean {
  return key in catalogs.en;
}

/** Fills `{name}` placeholders; falls back to English, then to the key itself. */
export function translate(locale: Locale, key: string, params: Record<string, unknown> = {}): string {
  const template = catalogs[locale][key] ?? catalogs.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Picks the best supported locale from an Accept-Language header (RFC 9110 quality values). */
export function negotiateLocale(header: string | undefined): Locale {
  if (!header) return 'en';
  let best: Locale = 'en';
  let bestQ = -1;
  for (const part of header.split(',').slice(0, 20)) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.find((p) => p.trim().startsWith('q='));
    const q = qParam ? Number(qParam.trim().slice(2)) : 1;
    if (!(q > 0)) continue;
    const primary = range.split('-')[0] as Locale;
    const locale = range === '*' ? 'en' : LOCALES.includes(primary) ? primary : undefined;
    if (locale && q > bestQ) {
      best = locale;
      bestQ = q;
    }
  }
  return best;
}
