import type PgBoss from 'pg-boss';
import type { Db } from '../db/database';
import { publicJobId } from './job-ids';
import { JobInterruption, type FetchedJob } from './runner';
import { announceStatus, saveProgress, STEP_MAX_LENGTH } from './runs';
import type { JobContext, JobHandler } from './types';

export interface JobLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface ExecutionDeps {
  boss: PgBoss;
  db: Db;
  log: JobLog;
}

const ERROR_MAX_LENGTH = 1000;

/** Rows pg-boss changed: its typings say void, its commands answer `{ affected }`. */
export const affectedBy = (result: unknown): number => (result as { affected?: number } | undefined)?.affected ?? 0;

/** Settles with the promise, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * Progress writes for one run: at most one in flight and one waiting (which always carries the
 * latest report), so a handler reporting in a tight loop costs a few writes, not thousands.
 * Reports after the run ended are ignored (they would overwrite the final progress). Each attempt
 * starts at 0 with no step (announceStatus 'running').
 */
function progressReporter(deps: ExecutionDeps, jobUuid: string, log: object) {
  let waiting: { percent: number; step: string | null } | null = null;
  let saved = { percent: 0, step: null as string | null };
  let chain = Promise.resolve();
  let ended = false;
  const report = (percent: number, step?: string): Promise<void> => {
    if (ended) return Promise.resolve();
    const alreadyQueued = waiting !== null;
    waiting = { percent: Math.min(100, Math.max(0, Math.round(Number.isFinite(percent) ? percent : 0))), step: step?.slice(0, STEP_MAX_LENGTH) ?? null };
    if (!alreadyQueued) {
      chain = chain.then(async () => {
        const next = waiting!;
        waiting = null;
        // A report that changes nothing (e.g. 50.2 % after 50 %) costs nothing.
        if (ended || (next.percent === saved.percent && next.step === saved.step)) return;
        saved = next;
        await saveProgress(deps.db, jobUuid, next.percent, next.step).catch((error: unknown) => deps.log.warn({ ...log, err: error }, 'job progress not saved'));
      });
    }
    return chain;
  };
  const end = async () => {
    ended = true;
    await chain;
  };
  return { report, end };
}

/**
 * One attempt of one job: announce it, run the handler (until it settles or the signal aborts),
 * then complete or fail it in pg-boss, which schedules the retry or keeps it as failed (the dead
 * letter) with the last error. A cancelled run is left as cancelled.
 */
export async function runAttempt(deps: ExecutionDeps, handler: JobHandler, job: FetchedJob, signal: AbortSignal): Promise<void> {
  const attempt = job.retryCount + 1;
  const log = { job_id: publicJobId(job.id), queue: job.name, attempt };
  await announceStatus(deps.db, job.id, 'running').catch((error: unknown) => deps.log.warn({ ...log, err: error }, 'job start not announced'));
  const progress = progressReporter(deps, job.id, log);
  const context: JobContext = { jobId: publicJobId(job.id), attempt, signal, progress: progress.report };
  let status: string;
  try {
    const result = await untilAborted(handler(job.data, context), signal);
    await progress.end();
    // JSON now, so that what is stored is exactly what readers get back.
    const completed = await deps.boss.complete(job.name, job.id, JSON.parse(JSON.stringify({ value: result ?? null })) as object);
    // 0 rows: it was cancelled, or expired and handed to another run, meanwhile.
    status = affectedBy(completed) > 0 ? 'completed' : 'changed';
  } catch (error) {
    await progress.end();
    if (error instanceof JobInterruption && error.kind === 'cancelled') {
      status = 'cancelled';
    } else {
      const message = (error instanceof Error ? error.message : String(error)).slice(0, ERROR_MAX_LENGTH) || 'Failed';
      const failed = await deps.boss.fail(job.name, job.id, { message });
      status = affectedBy(failed) === 0 ? 'changed' : job.retryCount < job.retryLimit ? 'retrying' : 'failed';
      deps.log.warn({ ...log, err: error, final: status === 'failed' }, 'job attempt failed');
    }
  }
  await announceStatus(deps.db, job.id, status);
}
