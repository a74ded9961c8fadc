import { validationFailed } from '../../kernel/http/problem';

/** Calendar days as `YYYY-MM-DD` in UTC, the form every report takes and answers. */
const DAY_MS = 86_400_000;
const time = (day: string) => Date.parse(`${day}T00:00:00Z`);

export const dayBefore = (day: string, days: number) => new Date(time(day) - days * DAY_MS).toISOString().slice(0, 10);
export const daysBetween = (from: string, to: string) => Math.round((time(to) - time(from)) / DAY_MS);

/** A period whose end comes before its start is a 422 on `to`. */
export function checkPeriod(from: string, to: string): void {
  if (to < from) throw validationFailed([{ field: 'to', message: 'must not be before from' }]);
}
