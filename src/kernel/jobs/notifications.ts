/**
 * One NOTIFY channel carries what instances tell each other about jobs. Payloads stay far below
 * PostgreSQL's 8000-byte limit (a step is at most 200 characters). Within one transaction
 * identical payloads are delivered once, so enqueueing 1,000 jobs wakes each worker once.
 */
export const JOBS_CHANNEL = 'deskbase_jobs';

export type JobNotice =
  /** Jobs are due now in this queue: idle workers fetch at once instead of at their next poll. */
  | { kind: 'enqueued'; queue: string }
  | { kind: 'progress'; id: string; version: number; progress: number; step: string | null; updated_at: string }
  /** The job's state changed (`status` as its sender saw it); readers fetch the job again. */
  | { kind: 'status'; id: string; status: string };

export function parseNotice(payload: string): JobNotice | null {
  try {
    const notice = JSON.parse(payload) as JobNotice;
    return typeof notice === 'object' && notice !== null && typeof notice.kind === 'string' ? notice : null;
  } catch {
    return null;
  }
}
