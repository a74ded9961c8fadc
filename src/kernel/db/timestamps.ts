/**
 * Decoding `timestamp with time zone` values read as text, for hot read paths (list pages).
 *
 * Drizzle turns the text PostgreSQL sends (`2026-11-27 20:00:00.123+00` with the default
 * DateStyle) into `new Date(text)`, and module presenters then turn that Date back into text
 * with `toISOString()`; both steps go through V8's slow generic date code (~0.3 µs and ~0.5 µs
 * here, twice per row of a typical resource). {@link decodeTimestamptz} returns the same Date,
 * computed without the generic parser, which also remembers its ISO text: as long as its time
 * is not changed (`setHours`...), `toISOString()` and `JSON.stringify` answer it without
 * formatting it again. Any other text (another time zone, DateStyle or precision, a year before
 * 100 or after 9999, infinity) goes to `new Date(text)`, exactly as Drizzle does.
 */
export class DbTimestamp extends Date {
  readonly #time: number;
  readonly #iso: string;

  constructor(time: number, iso: string) {
    super(time);
    this.#time = time;
    this.#iso = iso;
  }

  override toISOString(): string {
    return this.getTime() === this.#time ? this.#iso : super.toISOString();
  }
}

const ZERO = 48;
const digit = (text: string, i: number) => text.charCodeAt(i) - ZERO;
const two = (text: string, i: number) => digit(text, i) * 10 + digit(text, i + 1);
const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/**
 * Fast path for `YYYY-MM-DD HH:MM:SS[.f{1,6}]+00`: what PostgreSQL sends for a timestamptz under
 * DateStyle ISO and TimeZone UTC (PGlite's defaults, and the usual server configuration).
 */
export function decodeTimestamptz(text: string): Date {
  const n = text.length;
  if (
    n < 22 ||
    n > 29 ||
    text.charCodeAt(4) !== 45 || // -
    text.charCodeAt(7) !== 45 ||
    text.charCodeAt(10) !== 32 || // space
    text.charCodeAt(13) !== 58 || // :
    text.charCodeAt(16) !== 58 ||
    text.charCodeAt(n - 3) !== 43 || // +
    text.charCodeAt(n - 2) !== ZERO ||
    text.charCodeAt(n - 1) !== ZERO
  ) {
    return new Date(text);
  }
  for (const i of DIGITS) {
    const d = digit(text, i);
    if (d < 0 || d > 9) return new Date(text);
  }
  // Fraction: nothing, or a dot and 1 to 6 digits; milliseconds are its first three (V8 truncates too).
  let ms = 0;
  let fraction = '000';
  const fractionEnd = n - 3;
  if (fractionEnd !== 19) {
    if (text.charCodeAt(19) !== 46 || fractionEnd === 20) return new Date(text);
    for (let i = 20; i < fractionEnd; i++) {
      const d = digit(text, i);
      if (d < 0 || d > 9) return new Date(text);
    }
    fraction = (text.slice(20, Math.min(fractionEnd, 23)) + '00').slice(0, 3);
    ms = digit(fraction, 0) * 100 + digit(fraction, 1) * 10 + digit(fraction, 2);
  }
  const year = two(text, 0) * 100 + two(text, 2);
  // Date.UTC reads years 0-99 as 1900-1999.
  if (year < 100) return new Date(text);
  const time = Date.UTC(year, two(text, 5) - 1, two(text, 8), two(text, 11), two(text, 14), two(text, 17), ms);
  return new DbTimestamp(time, `${text.slice(0, 10)}T${text.slice(11, 19)}.${fraction}Z`);
}
