import { describe, expect, it } from 'vitest';
import { DbTimestamp, decodeTimestamptz } from './timestamps';

/** What Drizzle does with the same text (PgTimestamp.mapFromDriverValue, with time zone). */
const drizzle = (text: string) => new Date(text);
const same = (text: string) => {
  const fast = decodeTimestamptz(text);
  const slow = drizzle(text);
  expect(Object.is(fast.getTime(), slow.getTime()), text).toBe(true);
  expect(fast).toBeInstanceOf(Date);
  if (!Number.isNaN(slow.getTime())) {
    expect(fast.toISOString(), text).toBe(slow.toISOString());
    expect(JSON.stringify({ at: fast })).toBe(JSON.stringify({ at: slow }));
  }
};

describe('decodeTimestamptz', () => {
  it('reads PostgreSQL timestamptz text exactly as new Date(text) does', () => {
    for (const text of [
      '2026-11-27 20:00:00+00',
      '2026-11-27 20:00:00.1+00',
      '2026-11-27 20:00:00.12+00',
      '2026-11-27 20:00:00.123+00',
      '2026-11-27 20:00:00.1239+00',
      '2026-11-27 20:00:00.123456+00',
      '2026-11-27 20:00:00.999999+00',
      '1970-01-01 00:00:00+00',
      '1969-12-31 23:59:59.999+00',
      '2024-02-29 12:34:56.007+00',
      '0150-06-01 01:02:03.4+00',
      '9999-12-31 23:59:59.999+00',
    ]) {
      same(text);
      expect(decodeTimestamptz(text)).toBeInstanceOf(DbTimestamp);
    }
  });

  it('leaves any other text to new Date(text)', () => {
    for (const text of [
      '2026-11-27 20:00:00+01',
      '2026-11-27 20:00:00.5-03',
      '2026-11-27 20:00:00+05:30',
      '2026-11-27 20:00:00+05:30:15',
      '0050-01-01 00:00:00+00',
      '0001-01-01 00:00:00+00 BC',
      '12026-01-01 00:00:00+00',
      'infinity',
      '-infinity',
      '2026-11-27T20:00:00.000Z',
      'Fri Nov 27 20:00:00 2026 UTC',
      '2026-11-27 20:00:00.+00',
      '2026-11-27 20:00:00.1234567+00',
      '2026-1x-27 20:00:00+00',
    ]) {
      same(text);
      expect(decodeTimestamptz(text)).not.toBeInstanceOf(DbTimestamp);
    }
  });

  it('matches new Date(text) on random instants', () => {
    for (let i = 0; i < 5_000; i++) {
      const ms = Math.floor((Math.random() - 0.3) * 4e12);
      const iso = new Date(ms).toISOString();
      const digits = Math.floor(Math.random() * 7);
      const fraction = digits ? `.${(iso.slice(20, 23) + '987').slice(0, digits)}` : '';
      same(`${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction}+00`);
    }
  });

  it('formats again once its time is changed', () => {
    const date = decodeTimestamptz('2026-11-27 20:00:00.123+00');
    date.setUTCHours(5);
    expect(date.toISOString()).toBe('2026-11-27T05:00:00.123Z');
    expect(JSON.stringify(date)).toBe('"2026-11-27T05:00:00.123Z"');
    date.setTime(NaN);
    expect(() => date.toISOString()).toThrow(RangeError);
  });
});
