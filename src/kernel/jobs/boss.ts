import PgBoss from 'pg-boss';
import type { Database, Executor } from '../db/database';

export interface BossTiming {
  maintenanceIntervalSeconds: number;
  retentionDays: number;
  /** How often due cron schedules are looked for (pg-boss: 1-45 s). */
  cronIntervalSeconds: number;
}

/** pg-boss's schema; it creates and upgrades it itself at start, under its own advisory lock. */
export const BOSS_SCHEMA = 'pgboss';

/**
 * pg-boss on the app's own connections (pool or embedded PGlite) rather than a second pool:
 * one set of connection limits, statement timeouts and outage handling for everything.
 */
export function createBoss(database: Database, timing: BossTiming): PgBoss {
  return new PgBoss({
    db: { executeSql: (text, values) => database.execute(text, values) },
    schema: BOSS_SCHEMA,
    // Crash recovery (expired active jobs go back to retry), archiving and deletion: one instance
    // per interval does it, whichever wins the slot in pgboss.version.
    supervise: true,
    maintenanceIntervalSeconds: timing.maintenanceIntervalSeconds,
    deleteAfterDays: timing.retentionDays,
    schedule: true,
    cronMonitorIntervalSeconds: timing.cronIntervalSeconds,
    cronWorkerIntervalSeconds: timing.cronIntervalSeconds,
  });
}

/**
 * pg-boss's per-call `db` option bound to the caller's transaction (or the database): whatever
 * pg-boss writes through it commits or rolls back with the caller's own writes.
 */
export function bossDbOf(executor: Executor): PgBoss.Db {
  return {
    // Without result fields Drizzle hands back the driver's own result ({ rows }), on both drivers.
    executeSql: (text, values) =>
      executor._.session.prepareQuery<{ execute: { rows: unknown[] }; all: unknown; values: unknown }>({ sql: text, params: values ?? [] }, undefined, undefined, false).execute(),
  };
}
