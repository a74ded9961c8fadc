import { and, eq, lt, sql } from 'drizzle-orm';
import type { Executor } from '../db/database';
import { JOBS_CHANNEL } from './notifications';
import { jobRuns } from './tables';

export type JobRun = typeof jobRuns.$inferSelect;

export const STEP_MAX_LENGTH = 200;

const wakeNotice = (queue: string) => sql`pg_notify(${JOBS_CHANNEL}, json_build_object('kind', 'enqueued', 'queue', ${queue}::text)::text)`;

/**
 * Records who a new job belongs to, in the enqueueing transaction; `wake` also tells the idle
 * workers of its queue on every instance, once that transaction commits (same statement).
 */
export async function insertRun(executor: Executor, run: { id: string; organizationId: string | null; queue: string; createdBy: string | null }, wake: boolean): Promise<void> {
  await executor.execute(sql`
    WITH run AS (
      INSERT INTO ${jobRuns} (id, organization_id, queue, created_by) VALUES (${run.id}, ${run.organizationId}, ${run.queue}, ${run.createdBy}) RETURNING queue
    )
    SELECT ${wake ? wakeNotice(run.queue) : sql`NULL`} FROM run`);
}

/** Wakes the idle workers of `queue` on every instance, once the caller's transaction commits. */
export async function wakeWorkers(executor: Executor, queue: string): Promise<void> {
  await executor.execute(sql`SELECT ${wakeNotice(queue)}`);
}

/** Stores the progress of a running job and tells every instance, in one statement. */
export async function saveProgress(executor: Executor, id: string, progress: number, step: string | null): Promise<void> {
  await executor.execute(sql`
    WITH run AS (
      UPDATE ${jobRuns} SET progress = ${progress}, step = ${step}, version = version + 1, updated_at = now()
      WHERE id = ${id} RETURNING id, version, progress, step, updated_at
    )
    SELECT pg_notify(${JOBS_CHANNEL}, json_build_object('kind', 'progress', 'id', id, 'version', version, 'progress', progress, 'step', step, 'updated_at', updated_at)::text) FROM run`);
}

/**
 * Marks a state change (`running` resets the progress of a new attempt) and tells every
 * instance; answers the run's new version and time. Jobs without a run (cron) change nothing
 * and notify no one (null).
 */
export async function announceStatus(executor: Executor, id: string, status: string): Promise<Pick<JobRun, 'version' | 'updatedAt'> | null> {
  const result = await executor.execute<{ version: number; updated_at: Date | string }>(sql`
    WITH run AS (
      UPDATE ${jobRuns} SET
        version = version + 1,
        updated_at = now(),
        progress = CASE ${status} WHEN 'running' THEN 0 ELSE progress END,
        step = CASE ${status} WHEN 'running' THEN NULL ELSE step END
      WHERE id = ${id} RETURNING id, version, updated_at
    )
    SELECT pg_notify(${JOBS_CHANNEL}, json_build_object('kind', 'status', 'id', id, 'status', ${status}::text)::text), version, updated_at FROM run`);
  const row = result.rows[0];
  // Drivers differ: a Date, or the timestamp's text.
  return row ? { version: row.version, updatedAt: new Date(row.updated_at) } : null;
}

export async function findRun(executor: Executor, id: string): Promise<JobRun | undefined> {
  const [run] = await executor.select().from(jobRuns).where(eq(jobRuns.id, id));
  return run;
}

/** Forgets runs untouched for `days` (pg-boss deletes its own records of them on the same schedule). */
export async function pruneRuns(executor: Executor, days: number): Promise<void> {
  const cutoff = sql`now() - make_interval(days => ${days})`;
  await executor.delete(jobRuns).where(and(lt(jobRuns.createdAt, cutoff), lt(jobRuns.updatedAt, cutoff)));
}
