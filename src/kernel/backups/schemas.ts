import { Type, type Static } from '@sinclair/typebox';
import { listQuerySchema, pageSchema } from '../http/pagination';

const Instant = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) => Type.Union([schema, Type.Null()]);

export const Backup = Type.Object(
  {
    id: Type.String({ examples: ['bkp_01jd6v0v3kf8r9q7w2e5t4y6u8'] }),
    status: Type.Union([Type.Literal('pending'), Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed')]),
    trigger: Type.Union([Type.Literal('manual'), Type.Literal('scheduled')]),
    schedule_id: Nullable(Type.String()),
    job_id: Nullable(Type.String({ description: 'The job that makes it: follow it at /api/v1/jobs/{job_id}/events.' })),
    created_by: Nullable(Type.String()),
    size_bytes: Nullable(Type.Integer({ description: 'Of the encrypted file.' })),
    sha256: Nullable(Type.String({ description: 'Of the encrypted file, as downloaded.' })),
    key_id: Nullable(Type.String({ description: 'The key it is sealed with (GET /backups/keys).' })),
    app_version: Nullable(Type.String()),
    schema_level: Nullable(Type.String({ description: 'The last schema migration of its data.' })),
    database: Nullable(Type.Union([Type.Literal('embedded'), Type.Literal('postgres')])),
    tables: Nullable(Type.Integer()),
    rows: Nullable(Type.Integer()),
    files: Nullable(Type.Integer()),
    skipped_tables: Type.Array(Type.String(), { description: 'Tables in the database that Deskbase did not create: not in the backup, and left alone by a restore.' }),
    error: Nullable(Type.String()),
    started_at: Nullable(Instant),
    completed_at: Nullable(Instant),
    version: Type.Integer(),
    created_at: Instant,
    updated_at: Instant,
  },
  { $id: 'Backup', additionalProperties: false },
);

export const BackupPage = pageSchema(Backup, 'BackupPage');
export const BackupParams = Type.Object({ id: Type.String({ maxLength: 64 }) });
export const ListBackupsQuery = listQuerySchema(['created_at'], { status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('running'), Type.Literal('completed'), Type.Literal('failed')])) }, '-created_at');
export type ListBackupsQuery = Static<typeof ListBackupsQuery>;

export const BackupRequested = Type.Object(
  { ...Backup.properties, progress_url: Type.String() },
  { $id: 'BackupRequested', additionalProperties: false },
);

export const RestoreBody = Type.Object(
  { confirm: Type.String({ maxLength: 64, description: 'The backup id again: a restore replaces every table of the database.' }) },
  { additionalProperties: false },
);
export const JobAccepted = Type.Object({ job_id: Type.String(), progress_url: Type.String() }, { $id: 'BackupJobAccepted', additionalProperties: false });

const scheduleFields = {
  name: Type.String({ minLength: 1, maxLength: 100 }),
  cron: Type.String({ minLength: 9, maxLength: 100, description: 'Five fields: minute hour day-of-month month day-of-week (`0 2 * * *`: every day at 02:00).' }),
  timezone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone of the cron expression and of retention days (default UTC).' }),
  keep_daily: Type.Integer({ minimum: 0, maximum: 366, description: 'Newest backup of each of the last N days (default 7).' }),
  keep_weekly: Type.Integer({ minimum: 0, maximum: 520, description: 'Newest backup of each of the last N ISO weeks (default 4).' }),
  keep_monthly: Type.Integer({ minimum: 0, maximum: 1200, description: 'Newest backup of each of the last N months (default 12).' }),
  enabled: Type.Boolean(),
};

export const BackupSchedule = Type.Object(
  { id: Type.String({ examples: ['bks_01jd6v0v3kf8r9q7w2e5t4y6u8'] }), ...scheduleFields, next_run_at: Instant, last_run_at: Nullable(Instant), version: Type.Integer(), created_at: Instant, updated_at: Instant },
  { $id: 'BackupSchedule', additionalProperties: false },
);
export const BackupSchedulePage = pageSchema(BackupSchedule, 'BackupSchedulePage');
export const CreateScheduleBody = Type.Object(
  { name: scheduleFields.name, cron: scheduleFields.cron, timezone: Type.Optional(scheduleFields.timezone), keep_daily: Type.Optional(scheduleFields.keep_daily), keep_weekly: Type.Optional(scheduleFields.keep_weekly), keep_monthly: Type.Optional(scheduleFields.keep_monthly), enabled: Type.Optional(scheduleFields.enabled) },
  { additionalProperties: false },
);
export const UpdateScheduleBody = Type.Partial(CreateScheduleBody, { additionalProperties: false, minProperties: 1 });
export const ListSchedulesQuery = listQuerySchema(['created_at'], {}, 'created_at');

export const BackupKeys = Type.Object(
  {
    current_key_id: Type.String(),
    source: Type.Union([Type.Literal('environment'), Type.Literal('generated')], { description: '`environment`: BACKUP_ENCRYPTION_KEY; `generated`: DATA_DIR/backup.key.' }),
    readable_key_ids: Type.Array(Type.String(), { description: 'Keys this server can open backups with (current and previous).' }),
    retired_key_id: Type.Optional(Type.String({ description: 'After a rotation: the key it replaced, still used to read older backups.' })),
  },
  { $id: 'BackupKeys', additionalProperties: false },
);
