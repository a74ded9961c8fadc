/**
 * Standard Webhooks' retry schedule: the first attempt at once, then these waits before the
 * 2nd … 10th attempt. Each wait gets ±10% jitter so that failures of one receiver do not retry
 * in lockstep; a Retry-After (429/502/503/504) longer than the wait is honoured, up to a day.
 */
export const STANDARD_RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000];
const MAX_RETRY_AFTER_MS = 86_400_000;

/** The wait before the next attempt after `attemptsMade` failed ones, or null when none is left. */
export function nextDelayMs(delays: readonly number[], attemptsMade: number, retryAfterSeconds: number | null, random: () => number = Math.random): number | null {
  const base = delays[attemptsMade - 1];
  if (base === undefined) return null;
  const jittered = Math.round(base * (0.9 + 0.2 * random()));
  return Math.max(jittered, Math.min((retryAfterSeconds ?? 0) * 1000, MAX_RETRY_AFTER_MS));
}

/** `invoice.paid` matches `invoice.paid`, `invoice.*` and `*`. */
export function matchesEventType(patterns: readonly string[], type: string): boolean {
  return patterns.some((pattern) => pattern === '*' || pattern === type || (pattern.endsWith('.*') && type.startsWith(pattern.slice(0, -1))));
}
