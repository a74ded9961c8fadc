import { CronExpressionParser } from 'cron-parser';
import { and, eq, lte, sql } from 'drizzle-orm';
import { NO_ORIGIN, recordAudit, type RequestOrigin } from '../audit/audit';
import type { Actor } from '../auth/actor';
import { isId, newId } from '../db/ids';
import { assertVersion } from '../http/etag';
import { paginate, type PageParams } from '../http/pagination';
import { conflict, notFound, validationFailed, type FieldError } from '../http/problem';
import type { Kernel } from '../kernel';
import { backupsToKeep } from './retention';
import type { BackupService } from './service';
import { backupSchedules } from './tables';

type Schedule = typeof backupSchedules.$inferSelect;

export interface ScheduleInput {
  name: string;
  cron: string;
  timezone?: string;
  keep_daily?: number;
  keep_weekly?: number;
  keep_monthly?: number;
  enabled?: boolean;
}

const present = (row: Schedule) => ({
  id: row.id,
  name: row.name,
  cron: row.cron,
  timezone: row.timezone,
  keep_daily: row.keepDaily,
  keep_weekly: row.keepWeekly,
  keep_monthly: row.keepMonthly,
  enabled: row.enabled,
  next_run_at: row.nextRunAt.toISOString(),
  last_run_at: row.lastRunAt?.toISOString() ?? null,
  version: row.version,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

/** The next time a cron expression fires after `after`, or the field errors that make it invalid. */
function nextRun(cron: string, timezone: string, after: Date): { next?: Date; errors: FieldError[] } {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    return { errors: [{ field: 'timezone', message: 'must be an IANA time zone such as Asia/Phnom_Penh' }] };
  }
  if (cron.trim().split(/\s+/).length !== 5) return { errors: [{ field: 'cron', message: 'must have 5 fields: minute hour day-of-month month day-of-week' }] };
  try {
    return { next: CronExpressionParser.parse(cron, { tz: timezone, currentDate: after }).next().toDate(), errors: [] };
  } catch (error) {
    return { errors: [{ field: 'cron', message: (error as Error).message }] };
  }
}

/** Backup schedules (cron, time zone, retention) and the minute tick that runs the due ones. */
export function createScheduleService(kernel: Kernel, backups: BackupService) {
  const { database } = kernel;

  async function find(id: string): Promise<Schedule> {
    const [row] = isId(id, 'bks') ? await database.db.select().from(backupSchedules).where(eq(backupSchedules.id, id)) : [];
    if (!row) throw notFound('BACKUP_SCHEDULE_NOT_FOUND');
    return row;
  }

  /** The columns a schedule stores, its next run included, checked as a whole (422 with every problem at once). */
  function columnsOf(input: Required<ScheduleInput>) {
    const { next, errors } = nextRun(input.cron, input.timezone, kernel.now());
    if (input.keep_daily + input.keep_weekly + input.keep_monthly === 0) errors.push({ field: 'keep_daily', message: 'at least one of keep_daily, keep_weekly and keep_monthly must be above 0' });
    if (errors.length) throw validationFailed(errors);
    return { name: input.name, cron: input.cron, timezone: input.timezone, keepDaily: input.keep_daily, keepWeekly: input.keep_weekly, keepMonthly: input.keep_monthly, enabled: input.enabled, nextRunAt: next! };
  }

  const audit = (origin: RequestOrigin, actor: Actor, action: string, id: string, metadata?: Record<string, unknown>) =>
    recordAudit(database.db, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action, resourceType: 'backup_schedule', resourceId: id, severity: 'high', metadata });

  return {
    async create(origin: RequestOrigin, actor: Actor, input: ScheduleInput) {
      const full = { timezone: 'UTC', keep_daily: 7, keep_weekly: 4, keep_monthly: 12, enabled: true, ...input };
      const columns = columnsOf(full);
      const now = kernel.now();
      const [row] = await database.db
        .insert(backupSchedules)
        .values({ id: newId('bks'), ...columns, createdBy: actor.id, createdAt: now, updatedAt: now })
        .returning();
      await audit(origin, actor, 'backup_schedule.created', row!.id, { cron: full.cron, timezone: full.timezone });
      return present(row!);
    },

    get: async (id: string) => present(await find(id)),

    async list(params: PageParams) {
      const page = await paginate({ executor: database.db, table: backupSchedules, where: undefined, sortColumns: { created_at: backupSchedules.createdAt }, idColumn: backupSchedules.id, params, cursors: kernel.cursors });
      return { ...page, items: page.items.map(present) };
    },

    async update(origin: RequestOrigin, actor: Actor, id: string, input: Partial<ScheduleInput>, expectedVersion?: number[]) {
      const current = await find(id);
      assertVersion(expectedVersion, current.version);
      const columns = columnsOf({ ...present(current), ...input });
      const [row] = await database.db
        .update(backupSchedules)
        .set({ ...columns, updatedAt: kernel.now(), version: sql`${backupSchedules.version} + 1` })
        .where(and(eq(backupSchedules.id, id), eq(backupSchedules.version, current.version)))
        .returning();
      if (!row) throw conflict();
      await audit(origin, actor, 'backup_schedule.updated', id, { changes: input });
      return present(row);
    },

    /** The schedule goes; the backups it made stay until deleted. */
    async remove(origin: RequestOrigin, actor: Actor, id: string) {
      await find(id);
      await database.db.delete(backupSchedules).where(eq(backupSchedules.id, id));
      await audit(origin, actor, 'backup_schedule.deleted', id);
    },

    /**
     * Requests a backup for every due schedule and moves it to its next time, in one transaction
     * per schedule; `FOR UPDATE SKIP LOCKED` lets only one instance take each.
     */
    async runDue(): Promise<number> {
      const now = kernel.now();
      let started = 0;
      for (;;) {
        const took = await database.transaction(async (tx) => {
          const [due] = await tx.select().from(backupSchedules).where(and(eq(backupSchedules.enabled, true), lte(backupSchedules.nextRunAt, now))).limit(1).for('update', { skipLocked: true });
          if (!due) return false;
          await backups.request(tx, NO_ORIGIN, { actor: null, scheduleId: due.id });
          const { next } = nextRun(due.cron, due.timezone, now);
          await tx.update(backupSchedules).set({ lastRunAt: now, nextRunAt: next!, updatedAt: now }).where(eq(backupSchedules.id, due.id));
          return true;
        });
        if (!took) return started;
        started++;
      }
    },

    /** After a scheduled backup completes: deletes the schedule's backups its retention no longer keeps. */
    async applyRetention(scheduleId: string): Promise<string[]> {
      const [schedule] = await database.db.select().from(backupSchedules).where(eq(backupSchedules.id, scheduleId));
      if (!schedule) return [];
      const completed = await backups.completedOf(scheduleId);
      const keep = backupsToKeep(completed, { keepDaily: schedule.keepDaily, keepWeekly: schedule.keepWeekly, keepMonthly: schedule.keepMonthly, timezone: schedule.timezone });
      const discarded = completed.filter((b) => !keep.has(b.id)).map((b) => b.id);
      await backups.discard(discarded);
      return discarded;
    },
  };
}

export type ScheduleService = ReturnType<typeof createScheduleService>;
