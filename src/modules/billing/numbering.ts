/**
 * Document number patterns such as `INV-{YYYY}-{SEQ:4}`: literal text, date tokens ({YYYY}, {YY},
 * {MM}) and exactly one {SEQ:n}, the sequence padded to n digits (it grows past n when needed).
 * The sequence restarts whenever the date part changes: yearly with {YYYY}, monthly with {MM},
 * never without a date token.
 */

const TOKEN = /\{(YYYY|YY|MM|SEQ:(\d{1,2}))\}/g;
const LITERAL = /^[A-Za-z0-9\-_/.#]*$/;
export const MAX_PATTERN_LENGTH = 50;

/** Why the pattern cannot be used, or null when it can. */
export function patternProblem(pattern: string): string | null {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) return `must be 1 to ${MAX_PATTERN_LENGTH} characters`;
  const sequences = [...pattern.matchAll(TOKEN)].filter((m) => m[2] !== undefined);
  if (sequences.length !== 1) return 'must contain exactly one {SEQ:n}, e.g. INV-{YYYY}-{SEQ:4}';
  const width = Number(sequences[0]![2]);
  if (width < 1 || width > 10) return '{SEQ:n} takes a width from 1 to 10';
  const literal = pattern.replace(TOKEN, '');
  if (/[{}]/.test(literal)) return 'has an unknown token: only {YYYY}, {YY}, {MM} and {SEQ:n} exist';
  if (!LITERAL.test(literal)) return 'may contain only letters, digits and - _ / . # besides its tokens';
  return null;
}

function fill(pattern: string, date: Date, sequence: (width: number) => string): string {
  const year = String(date.getUTCFullYear());
  const parts: Record<string, string> = { YYYY: year, YY: year.slice(-2), MM: String(date.getUTCMonth() + 1).padStart(2, '0') };
  return pattern.replace(TOKEN, (token, name: string, width?: string) => (width ? sequence(Number(width)) : (parts[name] ?? token)));
}

/** The pattern rendered for `date` (UTC) and `sequence`. */
export const renderNumber = (pattern: string, date: Date, sequence: number): string => fill(pattern, date, (width) => String(sequence).padStart(width, '0'));

/** Numbers sharing a scope share one sequence: the pattern rendered for the date, without its sequence. */
export const sequenceScope = (pattern: string, date: Date): string => fill(pattern, date, () => '{SEQ}');
