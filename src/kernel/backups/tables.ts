import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { idColumn, resourceColumns } from '../db/columns';

/**
 * The backup catalog: one row per backup file. Platform-wide (a backup holds every organization);
 * left out of backups and kept as it is by a restore, like the files it describes.
 */
export const backups = pgTable(
  'backups',
  {
    id: idColumn(),
    status: text('status', { enum: ['pending', 'running', 'completed', 'failed'] }).notNull(),
    trigger: text('trigger', { enum: ['manual', 'scheduled'] }).notNull(),
    scheduleId: text('schedule_id'),
    /** The job that makes it (`job_…`), readable by whoever started it. */
    jobId: text('job_id'),
    createdBy: text('created_by'),
    /** The starter's organization: where its audit entries and job belong. */
    organizationId: text('organization_id'),
    storageKey: text('storage_key').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }),
    /** Of the encrypted file, as downloaded. */
    sha256: text('sha256'),
    keyId: text('key_id'),
    appVersion: text('app_version'),
    /** The last schema migration of the data. */
    schemaLevel: text('schema_level'),
    databaseKind: text('database_kind', { enum: ['embedded', 'postgres'] }),
    tableCount: integer('table_count'),
    rowCount: bigint('row_count', { mode: 'number' }),
    fileCount: integer('file_count'),
    /** Tables in the schema that Deskbase's migrations did not create, left out. */
    skippedTables: jsonb('skipped_tables').$type<string[]>(),
    error: text('error'),
    startedAt: timestamp('started_at', { precision: 3, withTimezone: true }),
    completedAt: timestamp('completed_at', { precision: 3, withTimezone: true }),
    ...resourceColumns(),
  },
  (t) => [index('backups_created_idx').on(t.createdAt, t.id), index('backups_schedule_idx').on(t.scheduleId, t.createdAt)],
);

/** When backups are made by themselves, and which of them are kept. */
export const backupSchedules = pgTable(
  'backup_schedules',
  {
    id: idColumn(),
    name: text('name').notNull(),
    cron: text('cron').notNull(),
    timezone: text('timezone').notNull(),
    keepDaily: integer('keep_daily').notNull(),
    keepWeekly: integer('keep_weekly').notNull(),
    keepMonthly: integer('keep_monthly').notNull(),
    enabled: boolean('enabled').notNull(),
    nextRunAt: timestamp('next_run_at', { precision: 3, withTimezone: true }).notNull(),
    lastRunAt: timestamp('last_run_at', { precision: 3, withTimezone: true }),
    createdBy: text('created_by'),
    ...resourceColumns(),
  },
  (t) => [index('backup_schedules_due_idx').on(t.enabled, t.nextRunAt)],
);
