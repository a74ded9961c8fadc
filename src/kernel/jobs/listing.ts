import { and, eq, gte, lt, sql, type SQL } from 'drizzle-orm';
import { hasPermission } from '../access/permissions';
import type { Actor } from '../auth/actor';
import type { Database } from '../db/database';
import { paginate, type CursorCodec, type Page } from '../http/pagination';
import { BOSS_SCHEMA } from './boss';
import { BOSS_STATE, presentJob, type BossJob } from './present';
import type { JobRun } from './runs';
import type { ListJobsQuery } from './schemas';
import { jobRuns } from './tables';
import type { JobView } from './types';

/**
 * Who may see a job: one of their organization's, and one they started unless they hold
 * `job:read_all`. Platform jobs (no organization) are nobody's.
 */
export const visibleTo = (actor: Actor, run: JobRun): boolean =>
  run.organizationId === actor.organizationId && (run.createdBy === actor.id || hasPermission(actor.permissions, 'job:read_all'));

/** The same rule as visibleTo, as a condition on job_runs. */
const visibleRuns = (actor: Actor): SQL | undefined =>
  and(eq(jobRuns.organizationId, actor.organizationId), hasPermission(actor.permissions, 'job:read_all') ? undefined : eq(jobRuns.createdBy, actor.id));

/**
 * The run's job is still known to pg-boss (in `job`, or in `archive` once finished for 12 hours),
 * in one of `states` when given. Each test is a primary-key lookup on (name, id).
 */
function knownToBoss(states: readonly string[] | undefined): SQL {
  const inStates = states ? sql` AND b.state IN (${sql.join(states.map((state) => sql`${state}`), sql`, `)})` : sql``;
  const exists = (table: 'job' | 'archive') =>
    sql`EXISTS (SELECT 1 FROM ${sql.identifier(BOSS_SCHEMA)}.${sql.identifier(table)} b WHERE b.name = ${jobRuns.queue} AND b.id = ${jobRuns.id}${inStates})`;
  return sql`(${exists('job')} OR ${exists('archive')})`;
}

const BOSS_COLUMNS =
  'id, state, priority, retry_limit AS "retryLimit", retry_count AS "retryCount", start_after AS "startAfter", ' +
  'started_on AS "startedOn", created_on AS "createdOn", completed_on AS "completedOn", output';

/**
 * pg-boss's records of these runs, by id: one statement over `job` and `archive`, so a job being
 * archived meanwhile is found in exactly one of them.
 */
async function bossJobsOf(database: Database, runs: JobRun[]): Promise<Map<string, BossJob>> {
  if (runs.length === 0) return new Map();
  const keys = runs.map((_, i) => `($${2 * i + 1}, $${2 * i + 2}::uuid)`).join(', ');
  const text = ['job', 'archive'].map((table) => `SELECT ${BOSS_COLUMNS} FROM ${BOSS_SCHEMA}.${table} WHERE (name, id) IN (${keys})`).join(' UNION ALL ');
  // database.query, like pg-boss's own reads: timestamps come back as Dates on both drivers.
  const rows = await database.query<BossJob & { id: string }>(text, runs.flatMap((run) => [run.queue, run.id]));
  return new Map(rows.map((row) => [row.id, row]));
}

/**
 * The jobs the caller may read (visibleTo), newest first by default, keyset-paginated over
 * job_runs (index on organization, created_at, id); the status filter and the existence test are
 * semi-joins on pg-boss's primary key (name, id). Jobs pg-boss no longer has are left out, as
 * read() answers 404 for them.
 */
export async function listJobs(database: Database, cursors: CursorCodec, actor: Actor, query: ListJobsQuery): Promise<Page<JobView>> {
  const t = jobRuns;
  const states = query.status && [...new Set(query.status.map((status) => BOSS_STATE[status]))];
  const page = await paginate({
    executor: database.db,
    table: t,
    where: and(
      visibleRuns(actor),
      query.queue ? eq(t.queue, query.queue) : undefined,
      query.created_after ? gte(t.createdAt, new Date(query.created_after)) : undefined,
      query.created_before ? lt(t.createdAt, new Date(query.created_before)) : undefined,
      knownToBoss(states),
    ),
    sortColumns: { created_at: t.createdAt },
    idColumn: t.id,
    params: query,
    cursors,
  });
  const jobs = await bossJobsOf(database, page.items);
  // A job deleted by pg-boss between the two statements is left out of this page.
  const items = page.items.flatMap((run) => {
    const job = jobs.get(run.id);
    return job ? [presentJob(run, job)] : [];
  });
  return { ...page, items };
}
