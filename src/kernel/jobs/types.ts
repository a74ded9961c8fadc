/** What modules see of the job queue (docs/jobs.md). */

export type JobPriority = 'low' | 'normal' | 'high' | 'urgent';

export type JobStatus = 'queued' | 'running' | 'retrying' | 'completed' | 'failed' | 'cancelled';

/** Queue names: lower case and digits, words joined by `.`, `_` or `-` (`billing.render_invoice`). */
export const QUEUE_NAME = /^[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*$/;

export const FINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled'];

export interface WorkOptions {
  /** Jobs of this queue running at once on each instance (default 1). */
  concurrency?: number;
  /** A run taking longer is aborted (its signal fires) and counts as a failed attempt (default 900). */
  timeoutSeconds?: number;
  /** Attempts after the first one fails (default 2). */
  retryLimit?: number;
  /** Wait before the first retry (default 5); with backoff it doubles on each retry, plus up to 100% jitter. */
  retryDelaySeconds?: number;
  /** false: every retry waits exactly retryDelaySeconds (default true). */
  retryBackoff?: boolean;
  /**
   * How pg-boss limits jobs sharing a `singletonKey` (default `standard`: it does not):
   * `short`: one queued; `singleton`: one running; `stately`: one queued and one running.
   */
  policy?: 'standard' | 'short' | 'singleton' | 'stately';
}

export interface EnqueueOptions {
  /** The organization whose users may read the job; null for platform jobs nobody reads over HTTP. */
  organizationId: string | null;
  /** Actor who started it (`usr_…`); callers without `job:read_all` read only their own jobs. */
  createdBy?: string | null;
  priority?: JobPriority;
  /** Not before this instant, or this many seconds from now. */
  startAfter?: Date | number;
  /** With the queue's `policy`, keeps duplicates out: enqueue answers null instead of a new id. */
  singletonKey?: string;
  /** Overrides the queue's retryLimit for this job. */
  retryLimit?: number;
  /** Overrides the queue's timeoutSeconds for this job. */
  timeoutSeconds?: number;
}

export interface JobContext {
  /** Public id (`job_…`). */
  jobId: string;
  /** 1 for the first run, 2 for the first retry, … */
  attempt: number;
  /** Aborted on timeout, cancellation and shutdown: pass it to fetch(), check it between steps. */
  signal: AbortSignal;
  /**
   * Reports progress (0-100) and the current step, seen by GET /jobs/{id} and its event stream on
   * every instance. Cheap to call often: while one write is in flight only the latest report waits.
   */
  progress(percent: number, step?: string): Promise<void>;
}

/** Runs one job; what it resolves to (JSON) becomes the job's `result`, what it throws its `error`. */
export type JobHandler<Data = unknown, Result = unknown> = (data: Data, context: JobContext) => Promise<Result>;

export interface ScheduleOptions {
  /** IANA time zone the cron expression is read in (default UTC). */
  timezone?: string;
  priority?: JobPriority;
}

export interface JobView {
  id: string;
  queue: string;
  status: JobStatus;
  priority: JobPriority;
  progress: number;
  step: string | null;
  attempts: number;
  max_attempts: number;
  result: unknown;
  error: { message: string } | null;
  created_at: string;
  run_at: string;
  started_at: string | null;
  finished_at: string | null;
  updated_at: string;
}
