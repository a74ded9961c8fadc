/** Calendar dates of billing (YYYY-MM-DD, UTC): today, recurring periods, late-fee periods. */
import type { Kernel } from '../../kernel/kernel';

/** Today in UTC, by the kernel's clock. */
export const today = (kernel: Kernel): string => kernel.now().toISOString().slice(0, 10);

export type Interval = 'weekly' | 'monthly' | 'yearly';

const parse = (day: string) => {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return { y, m, d };
};
const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * The start date of period `n` (0 = `start`), always counted from `start` so a month end stays a
 * month end: monthly from Jan 31 gives Feb 28 (29 in leap years), Mar 31, Apr 30, …; yearly from
 * Feb 29 gives Feb 28 in common years.
 */
export function periodDate(start: string, interval: Interval, every: number, n: number): string {
  if (interval === 'weekly') {
    return new Date(Date.parse(`${start}T00:00:00Z`) + n * every * 7 * 86_400_000).toISOString().slice(0, 10);
  }
  const { y, m, d } = parse(start);
  const months = (m - 1) + n * every * (interval === 'yearly' ? 12 : 1);
  const year = y + Math.floor(months / 12);
  const month = (months % 12) + 1;
  return `${pad(year, 4)}-${pad(month)}-${pad(Math.min(d, daysIn(year, month)))}`;
}
