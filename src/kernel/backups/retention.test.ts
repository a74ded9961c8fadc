import { describe, expect, it } from 'vitest';
import { backupsToKeep, type RetentionPolicy } from './retention';

/** Backups named by their instant, so that an expectation reads as the dates it keeps. */
const at = (...instants: string[]) => instants.map((iso) => ({ id: iso, createdAt: new Date(iso) }));
/** One backup a day at 02:00 UTC, for `days` days from `first` (YYYY-MM-DD). */
function daily(first: string, days: number) {
  const start = Date.parse(`${first}T02:00:00Z`);
  return Array.from({ length: days }, (_, i) => new Date(start + i * 86_400_000).toISOString()).map((iso) => ({ id: iso.slice(0, 10), createdAt: new Date(iso) }));
}
const policy = (p: Partial<RetentionPolicy>): RetentionPolicy => ({ keepDaily: 0, keepWeekly: 0, keepMonthly: 0, timezone: 'UTC', ...p });
const kept = (backups: { id: string; createdAt: Date }[], p: Partial<RetentionPolicy>) => [...backupsToKeep(backups, policy(p))].sort();

describe('backupsToKeep', () => {
  it('keeps the newest backup of each of the last keepDaily days', () => {
    const backups = daily('2026-03-01', 40); // 2026-03-01 … 2026-04-09
    expect(kept(backups, { keepDaily: 7 })).toEqual(['2026-04-03', '2026-04-04', '2026-04-05', '2026-04-06', '2026-04-07', '2026-04-08', '2026-04-09']);
  });

  it('keeps only the newest backup of a day with several', () => {
    const backups = at(
      '2026-05-01T01:00:00Z', '2026-05-01T09:00:00Z', '2026-05-01T23:00:00Z',
      '2026-05-02T01:00:00Z', '2026-05-02T09:00:00Z', '2026-05-02T23:00:00Z',
      '2026-05-03T01:00:00Z', '2026-05-03T09:00:00Z', '2026-05-03T23:00:00Z',
    );
    expect(kept(backups, { keepDaily: 2 })).toEqual(['2026-05-02T23:00:00Z', '2026-05-03T23:00:00Z']);
    // Days with no backup do not count: the last 3 days that have one.
    expect(kept(at('2026-05-01T05:00:00Z', '2026-05-04T05:00:00Z', '2026-05-10T05:00:00Z', '2026-05-10T06:00:00Z'), { keepDaily: 3 }))
      .toEqual(['2026-05-01T05:00:00Z', '2026-05-04T05:00:00Z', '2026-05-10T06:00:00Z']);
  });

  it('counts weeks as ISO weeks, Monday to Sunday, across the turn of the year', () => {
    // 2026-12-28 (Mon) … 2027-01-03 (Sun) is 2026-W53; 2027-01-04 (Mon) starts 2027-W01; 2026-12-27 (Sun) ends 2026-W52.
    const backups = at(
      '2026-12-21T02:00:00Z', '2026-12-27T02:00:00Z', '2026-12-28T02:00:00Z', '2026-12-31T02:00:00Z',
      '2027-01-01T02:00:00Z', '2027-01-03T02:00:00Z', '2027-01-04T02:00:00Z',
    );
    expect(kept(backups, { keepWeekly: 3 })).toEqual(['2026-12-27T02:00:00Z', '2027-01-03T02:00:00Z', '2027-01-04T02:00:00Z']);
    // Without 2027-01-03, the Friday 2027-01-01 stands for W53, not the Thursday 2026-12-31.
    expect(kept(backups.filter((b) => b.id !== '2027-01-03T02:00:00Z'), { keepWeekly: 2 })).toEqual(['2027-01-01T02:00:00Z', '2027-01-04T02:00:00Z']);
    // And the other way: 2025-12-29 (Mon) … 2026-01-04 (Sun) is 2026-W01.
    const early = at('2025-12-28T02:00:00Z', '2025-12-29T02:00:00Z', '2025-12-31T02:00:00Z', '2026-01-04T02:00:00Z', '2026-01-05T02:00:00Z');
    expect(kept(early, { keepWeekly: 3 })).toEqual(['2025-12-28T02:00:00Z', '2026-01-04T02:00:00Z', '2026-01-05T02:00:00Z']);
  });

  it('keeps the newest backup of each of the last keepMonthly months', () => {
    const backups = daily('2026-01-01', 181).filter((b) => ['01', '15'].includes(b.id.slice(8))); // 1st and 15th, Jan … Jun
    expect(backups).toHaveLength(12);
    expect(kept(backups, { keepMonthly: 3 })).toEqual(['2026-04-15', '2026-05-15', '2026-06-15']);
    expect(kept(daily('2026-01-20', 60), { keepMonthly: 12 })).toEqual(['2026-01-31', '2026-02-28', '2026-03-20']);
  });

  it('keeps the union of the daily, weekly and monthly rules', () => {
    // 2026-04-09 is a Thursday: its week began Monday 04-06; the week before ended Sunday 04-05.
    const backups = daily('2026-03-01', 40);
    expect(kept(backups, { keepDaily: 3, keepWeekly: 2, keepMonthly: 2 })).toEqual(['2026-03-31', '2026-04-05', '2026-04-07', '2026-04-08', '2026-04-09']);
    expect(kept(backups, { keepDaily: 1, keepWeekly: 6 })).toEqual(['2026-03-08', '2026-03-15', '2026-03-22', '2026-03-29', '2026-04-05', '2026-04-09']);
  });

  it('always keeps the newest backup, even when every count is 0', () => {
    expect(kept(daily('2026-03-01', 5), {})).toEqual(['2026-03-05']);
    expect(kept([], { keepDaily: 7, keepWeekly: 4, keepMonthly: 12 })).toEqual([]);
  });

  it('draws the days and months in the schedule’s time zone', () => {
    // 2026-11-29T20:00Z is 2026-11-30 03:00 in Phnom Penh (UTC+7); 2026-11-29T10:00Z is still 11-29 there.
    const days = at('2026-11-28T20:00:00Z', '2026-11-29T10:00:00Z', '2026-11-29T20:00:00Z');
    expect(kept(days, { keepDaily: 2 })).toEqual(['2026-11-28T20:00:00Z', '2026-11-29T20:00:00Z']);
    expect(kept(days, { keepDaily: 2, timezone: 'Asia/Phnom_Penh' })).toEqual(['2026-11-29T10:00:00Z', '2026-11-29T20:00:00Z']);
    // 2026-11-30T20:00Z is already December there.
    const months = at('2026-10-31T20:00:00Z', '2026-11-30T10:00:00Z', '2026-11-30T20:00:00Z');
    expect(kept(months, { keepMonthly: 2 })).toEqual(['2026-10-31T20:00:00Z', '2026-11-30T20:00:00Z']);
    expect(kept(months, { keepMonthly: 2, timezone: 'Asia/Phnom_Penh' })).toEqual(['2026-11-30T10:00:00Z', '2026-11-30T20:00:00Z']);
  });

  it('does not depend on the order of its input', () => {
    const backups = daily('2026-03-01', 40);
    const rules = { keepDaily: 3, keepWeekly: 2, keepMonthly: 2 };
    const expected = kept(backups, rules);
    const shuffled = backups.map((b, i) => ({ b, k: (i * 17) % 41 })).sort((x, y) => x.k - y.k).map(({ b }) => b);
    expect(shuffled.map((b) => b.id)).not.toEqual(backups.map((b) => b.id));
    expect(kept(shuffled, rules)).toEqual(expected);
    expect(kept([...backups].reverse(), rules)).toEqual(expected);
    expect(kept([...backups].reverse(), {})).toEqual(['2026-04-09']);
  });
});
