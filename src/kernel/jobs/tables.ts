import { index, integer, pgTable, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * What pg-boss does not keep about a job: whose it is and how far it got. Its state, attempts,
 * result and error stay in pg-boss's own tables (schema `pgboss`), read by (queue, id).
 * Jobs created by a cron schedule have no row: they belong to no organization.
 */
export const jobRuns = pgTable(
  'job_runs',
  {
    /** pg-boss's job id; the public id `job_…` is the same UUID in TypeID form. */
    id: uuid('id').primaryKey(),
    /** null for platform jobs, which no API caller can see. */
    organizationId: text('organization_id'),
    queue: text('queue').notNull(),
    /** The actor who started it (`usr_…`): callers without `job:read_all` see only their own. */
    createdBy: text('created_by'),
    progress: smallint('progress').notNull().default(0),
    step: text('step'),
    /** Raised on every progress report and state change: the `id:` of server-sent events. */
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { precision: 3, withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { precision: 3, withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('job_runs_org_created_idx').on(t.organizationId, t.createdAt, t.id), index('job_runs_created_idx').on(t.createdAt)],
);
