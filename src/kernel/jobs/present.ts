import type PgBoss from 'pg-boss';
import { publicJobId } from './job-ids';
import type { JobRun } from './runs';
import type { JobPriority, JobStatus, JobView } from './types';

/** pg-boss stores priorities as integers, higher first. */
export const PRIORITY_VALUES: Record<JobPriority, number> = { low: -10, normal: 0, high: 10, urgent: 20 };

const priorityName = (value: number): JobPriority => (value >= 20 ? 'urgent' : value >= 10 ? 'high' : value > -10 ? 'normal' : 'low');

/** What presentJob reads of a pg-boss job (getJobById's columns, or the same aliases in a list query). */
export type BossJob = Pick<PgBoss.JobWithMetadata<unknown>, 'state' | 'priority' | 'retryCount' | 'retryLimit' | 'startedOn' | 'output' | 'createdOn' | 'startAfter' | 'completedOn'>;

type BossState = BossJob['state'];

const STATUS: Record<BossState, JobStatus> = {
  created: 'queued',
  retry: 'retrying',
  active: 'running',
  completed: 'completed',
  cancelled: 'cancelled',
  failed: 'failed',
};

/** The pg-boss state behind each status (the mapping is one to one). */
export const BOSS_STATE = Object.fromEntries(Object.entries(STATUS).map(([state, status]) => [status, state])) as Record<JobStatus, BossState>;

const iso = (value: Date | string) => new Date(value).toISOString();
const isoOrNull = (value: Date | string | null) => (value === null ? null : iso(value));

/**
 * The message of the last failure. Our runs store `{ message }`; pg-boss's own failures (a job
 * whose instance died, expired by the supervisor) store `{ value: { message } }`.
 */
function lastError(output: unknown): { message: string } | null {
  const stored = output as { message?: unknown; value?: { message?: unknown } } | null;
  const message = stored?.message ?? stored?.value?.message;
  return typeof message === 'string' ? { message } : null;
}

export function presentJob(run: JobRun, job: BossJob): JobView {
  const status = STATUS[job.state];
  const output = job.output as { value?: unknown } | null;
  return {
    id: publicJobId(run.id),
    queue: run.queue,
    status,
    priority: priorityName(job.priority),
    // Completion is visible in pg-boss a moment before the run's own update.
    progress: status === 'completed' ? 100 : run.progress,
    step: run.step,
    // retry_count counts the runs after the first one, once the job has started.
    attempts: job.retryCount + (job.startedOn ? 1 : 0),
    max_attempts: job.retryLimit + 1,
    result: status === 'completed' ? (output?.value ?? null) : null,
    error: status === 'failed' || status === 'retrying' ? lastError(job.output) : null,
    created_at: iso(job.createdOn),
    run_at: iso(job.startAfter),
    started_at: isoOrNull(job.startedOn),
    finished_at: isoOrNull(job.completedOn),
    updated_at: iso(run.updatedAt),
  };
}
