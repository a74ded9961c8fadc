/** How many of a schedule's backups to keep: the newest of each of the last N days, weeks and months. */
export interface RetentionPolicy {
  keepDaily: number;
  keepWeekly: number;
  keepMonthly: number;
  /** The schedule's time zone: days, weeks and months start at its midnight. */
  timezone: string;
}

function localDate(instant: Date, timezone: string): { year: number; month: number; day: number } {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const part = (type: string) => Number(parts.find((p) => p.type === type)!.value);
  return { year: part('year'), month: part('month'), day: part('day') };
}

/** ISO 8601 week (Monday first; week 1 holds the year's first Thursday), as `2026-W48`. */
function isoWeek({ year, month, day }: { year: number; month: number; day: number }): string {
  const date = new Date(Date.UTC(year, month - 1, day));
  const weekday = date.getUTCDay() || 7;
  date.setUTCDate(date.getUTCDate() + 4 - weekday);
  const weekYear = date.getUTCFullYear();
  const week = Math.ceil(((date.getTime() - Date.UTC(weekYear, 0, 1)) / 86_400_000 + 1) / 7);
  return `${weekYear}-W${String(week).padStart(2, '0')}`;
}

/**
 * The ids to keep among a schedule's completed backups (grandfather-father-son, as restic and
 * borg do it): walking from the newest, the first backup of each new day is kept until
 * `keepDaily` days have one, and likewise for weeks and months. A backup kept by any rule is
 * kept; the newest is always kept.
 */
export function backupsToKeep(backups: { id: string; createdAt: Date }[], policy: RetentionPolicy): Set<string> {
  const newestFirst = [...backups].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  const keep = new Set<string>(newestFirst.slice(0, 1).map((b) => b.id));
  const rules: [number, (d: ReturnType<typeof localDate>) => string][] = [
    [policy.keepDaily, (d) => `${d.year}-${d.month}-${d.day}`],
    [policy.keepWeekly, isoWeek],
    [policy.keepMonthly, (d) => `${d.year}-${d.month}`],
  ];
  for (const [count, periodOf] of rules) {
    const periods = new Set<string>();
    for (const backup of newestFirst) {
      if (periods.size >= count) break;
      const period = periodOf(localDate(backup.createdAt, policy.timezone));
      if (periods.has(period)) continue;
      periods.add(period);
      keep.add(backup.id);
    }
  }
  return keep;
}
