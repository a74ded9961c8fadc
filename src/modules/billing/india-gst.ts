/**
 * India's GST identifiers: the states (ISO 3166-2:IN subdivision codes, which decide CGST+SGST
 * versus IGST) and the GSTIN, whose first two digits are the registering state's GST code.
 */

/** GST state code → ISO 3166-2:IN subdivision (current codes; 97 and 99 are not states). */
const GST_STATE_CODES: Record<string, string> = {
  '01': 'JK', '02': 'HP', '03': 'PB', '04': 'CH', '05': 'UK', '06': 'HR', '07': 'DL', '08': 'RJ', '09': 'UP', '10': 'BR',
  '11': 'SK', '12': 'AR', '13': 'NL', '14': 'MN', '15': 'MZ', '16': 'TR', '17': 'ML', '18': 'AS', '19': 'WB', '20': 'JH',
  '21': 'OD', '22': 'CG', '23': 'MP', '24': 'GJ', '25': 'DH', '26': 'DH', '27': 'MH', '28': 'AP', '29': 'KA', '30': 'GA',
  '31': 'LD', '32': 'KL', '33': 'TN', '34': 'PY', '35': 'AN', '36': 'TS', '37': 'AP', '38': 'LA',
};

/** Codes ISO retired in 2023 (and Daman and Diu, merged in 2020), still common in address data. */
const RENAMED_STATES: Record<string, string> = { CT: 'CG', OR: 'OD', TG: 'TS', UT: 'UK', DD: 'DH', DN: 'DH' };

const INDIAN_STATES = new Set(Object.values(GST_STATE_CODES));

/** The current ISO code of an Indian state or union territory (`ka` → `KA`, `OR` → `OD`), or null. */
export function indianState(code: string): string | null {
  const upper = code.trim().toUpperCase();
  const current = RENAMED_STATES[upper] ?? upper;
  return INDIAN_STATES.has(current) ? current : null;
}

const GSTIN = /^(\d{2})[A-Z]{5}\d{4}[A-Z][1-9A-Z]Z[0-9A-Z]$/;
const BASE36 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The 15th character of a GSTIN: the GSTN's mod-36 checksum over the first 14. */
export function gstinCheckCharacter(first14: string): string {
  let sum = 0;
  for (let i = 0; i < 14; i++) {
    const product = BASE36.indexOf(first14[i]!) * (i % 2 === 0 ? 1 : 2);
    sum += Math.floor(product / 36) + (product % 36);
  }
  return BASE36[(36 - (sum % 36)) % 36]!;
}

export type GstinCheck = { valid: true; state: string | null } | { valid: false; reason: string };

/** Format, checksum and state of a GSTIN (`state` null for codes 97 and 99, which are not states). */
export function checkGstin(value: string): GstinCheck {
  const match = GSTIN.exec(value);
  if (!match) return { valid: false, reason: 'is not a GSTIN (15 characters: state code, PAN, entity number, Z, check character)' };
  const code = match[1]!;
  if (!GST_STATE_CODES[code] && code !== '97' && code !== '99') return { valid: false, reason: `starts with ${code}, which is not a GST state code` };
  if (gstinCheckCharacter(value.slice(0, 14)) !== value[14]) return { valid: false, reason: 'has a wrong check character (last character): it was mistyped' };
  return { valid: true, state: GST_STATE_CODES[code] ?? null };
}
