import { and, desc, eq, inArray, lt } from 'drizzle-orm';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { NO_ORIGIN, recordAudit, type RequestOrigin } from '../audit/audit';
import type { Actor } from '../auth/actor';
import type { Executor } from '../db/database';
import { isId, newId } from '../db/ids';
import { readMigrations } from '../db/migrations';
import type { FileStorage } from '../files/storage';
import { paginate, type PageParams } from '../http/pagination';
import { conflict, notFound, ProblemError } from '../http/problem';
import type { JobService } from '../jobs/index';
import type { Kernel } from '../kernel';
import { VERSION } from '../version';
import { sealedArchive } from './dump';
import { KeyFromEnvironment, type BackupKeyring } from './keys';
import { loadBackup, verifyBackup } from './load';
import { BackupRefused, Measure, productSchemaOf } from './manifest';
import { BackupUnreadable } from './sealed-stream';
import { backups } from './tables';

export type Backup = typeof backups.$inferSelect;

export const CREATE_QUEUE = 'backups.create';
export const RESTORE_QUEUE = 'backups.restore';

export const presentBackup = (row: Backup) => ({
  id: row.id,
  status: row.status,
  trigger: row.trigger,
  schedule_id: row.scheduleId,
  job_id: row.jobId,
  created_by: row.createdBy,
  size_bytes: row.sizeBytes,
  sha256: row.sha256,
  key_id: row.keyId,
  app_version: row.appVersion,
  schema_level: row.schemaLevel,
  database: row.databaseKind,
  tables: row.tableCount,
  rows: row.rowCount,
  files: row.fileCount,
  skipped_tables: row.skippedTables ?? [],
  error: row.error,
  started_at: row.startedAt?.toISOString() ?? null,
  completed_at: row.completedAt?.toISOString() ?? null,
  version: row.version,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
});

/** What a failed backup or restore tells its caller: our own refusals in full, anything else without internals. */
export function publicReason(error: unknown): string {
  if (error instanceof BackupUnreadable || error instanceof BackupRefused) return error.message;
  return 'The operation failed; the server log has the details';
}

/**
 * The backup catalog and the two jobs behind it (docs/backups.md): making an encrypted backup
 * of every table and stored file, and restoring one over the whole database.
 */
export function createBackupService(kernel: Kernel, deps: { jobs: JobService; storage: FileStorage; fileStorage: FileStorage; keyring: BackupKeyring; log: { error(details: object, message: string): void } }) {
  const { database } = kernel;
  const { jobs, storage, keyring } = deps;
  const migrations = readMigrations();
  const product = productSchemaOf(migrations);

  async function find(executor: Executor, id: string): Promise<Backup> {
    const [row] = isId(id, 'bkp') ? await executor.select().from(backups).where(eq(backups.id, id)) : [];
    if (!row) throw notFound('BACKUP_NOT_FOUND');
    return row;
  }

  /** A pending backup and the job that will make it, in the caller's transaction. */
  async function request(tx: Executor, origin: RequestOrigin, by: { actor: Actor | null; scheduleId?: string }): Promise<Backup> {
    const now = kernel.now();
    const id = newId('bkp');
    const organizationId = by.actor?.organizationId ?? null;
    const jobId = await jobs.enqueue(tx, CREATE_QUEUE, { backupId: id }, { organizationId, createdBy: by.actor?.id ?? null });
    const [row] = await tx
      .insert(backups)
      .values({ id, status: 'pending', trigger: by.scheduleId ? 'scheduled' : 'manual', scheduleId: by.scheduleId ?? null, jobId, createdBy: by.actor?.id ?? null, organizationId, storageKey: id, createdAt: now, updatedAt: now })
      .returning();
    if (by.actor) await recordAudit(tx, origin, { organizationId: by.actor.organizationId, actorId: by.actor.id, actorType: by.actor.type, action: 'backup.requested', resourceType: 'backup', resourceId: id, severity: 'high' });
    return row!;
  }

  async function update(id: string, values: Partial<Backup>): Promise<void> {
    await database.db.update(backups).set({ ...values, updatedAt: kernel.now() }).where(eq(backups.id, id));
  }

  /** The job: snapshot → tar → gzip → AES-256-GCM chunks → storage, then the manifest's figures in the catalog. */
  async function make(backupId: string, context: { signal: AbortSignal; progress(percent: number, step?: string): Promise<void> }): Promise<{ backup_id: string; schedule_id: string | null; size_bytes: number; rows: number; files: number }> {
    const row = await find(database.db, backupId);
    await update(backupId, { status: 'running', startedAt: kernel.now(), error: null });
    try {
      const key = keyring.current();
      const report = (percent: number, step: string) => void context.progress(percent, step).catch(() => {});
      const archive = sealedArchive({ database, product, storage: deps.fileStorage, appVersion: VERSION, now: kernel.now, signal: context.signal, progress: report }, key);
      const measure = new Measure();
      const output = new PassThrough();
      const stored = storage.write(row.storageKey, output, 'application/octet-stream');
      const written = pipeline(archive.stream, measure, output);
      // Whichever fails first is the reason; the other is then aborted by the broken pipe.
      const [manifest] = await Promise.all([archive.manifest, written, stored]);
      const completed = {
        status: 'completed' as const,
        sizeBytes: measure.bytes,
        sha256: measure.digest(),
        keyId: key.id,
        appVersion: manifest.app_version,
        schemaLevel: manifest.migrations.at(-1)?.tag ?? null,
        databaseKind: manifest.database,
        tableCount: manifest.tables.length,
        rowCount: manifest.tables.reduce((sum, table) => sum + table.rows, 0),
        fileCount: manifest.files.length,
        skippedTables: manifest.skipped_tables,
        completedAt: kernel.now(),
      };
      await update(backupId, completed);
      return { backup_id: backupId, schedule_id: row.scheduleId, size_bytes: completed.sizeBytes, rows: completed.rowCount, files: completed.fileCount };
    } catch (error) {
      deps.log.error({ err: error, backup_id: backupId }, 'backup failed');
      await storage.remove(row.storageKey).catch(() => {});
      await update(backupId, { status: 'failed', error: publicReason(error), completedAt: kernel.now() });
      throw new Error(publicReason(error));
    }
  }

  /** Verifies the whole file first (key, chunks, checksums, schema), then replaces the database's content. */
  async function restore(backupId: string, requestedBy: { actorId: string | null; organizationId: string | null }, context: { progress(percent: number, step?: string): Promise<void> }): Promise<object> {
    const row = await find(database.db, backupId);
    const open = () => storage.read(row.storageKey);
    const keyFor = (id: string) => keyring.find(id);
    const report = (percent: number, step: string) => void context.progress(percent, step).catch(() => {});
    try {
      report(1, 'Verifying the backup');
      const manifest = await verifyBackup(open, keyFor, migrations);
      const loaded = await loadBackup({ database, storage: deps.fileStorage, migrations }, open, keyFor, manifest, { requireEmpty: false, progress: report });
      // Written after the load, into the restored audit trail (the one before it was replaced).
      if (requestedBy.organizationId) {
        await recordAudit(database.db, NO_ORIGIN, { organizationId: requestedBy.organizationId, actorId: requestedBy.actorId, action: 'backup.restored', resourceType: 'backup', resourceId: backupId, severity: 'critical', metadata: loaded });
      }
      return { backup_id: backupId, ...loaded };
    } catch (error) {
      deps.log.error({ err: error, backup_id: backupId }, 'restore failed');
      throw new Error(publicReason(error));
    }
  }

  return {
    migrations,
    request,
    make,
    restore,
    get: (id: string) => find(database.db, id).then(presentBackup),
    async list(params: PageParams & { status?: Backup['status'] }) {
      const page = await paginate({
        executor: database.db,
        table: backups,
        where: params.status ? eq(backups.status, params.status) : undefined,
        sortColumns: { created_at: backups.createdAt },
        idColumn: backups.id,
        params,
        cursors: kernel.cursors,
      });
      return { ...page, items: page.items.map(presentBackup) };
    },

    /** The encrypted file as stored, for an operator to keep elsewhere; every download is audited. */
    async download(origin: RequestOrigin, actor: Actor, id: string): Promise<{ backup: Backup; body: Readable }> {
      const backup = await find(database.db, id);
      if (backup.status !== 'completed') throw conflict('BACKUP_NOT_COMPLETED');
      const body = await storage.read(backup.storageKey);
      await recordAudit(database.db, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'backup.downloaded', resourceType: 'backup', resourceId: id, severity: 'high' });
      return { backup, body };
    },

    /** Retires the generated key (kept to read older backups); answers the retired key's id. */
    async rotateKey(origin: RequestOrigin, actor: Actor): Promise<string> {
      let rotated;
      try {
        rotated = keyring.rotate();
      } catch (error) {
        if (error instanceof KeyFromEnvironment) throw conflict('BACKUP_KEY_FROM_ENVIRONMENT');
        throw error;
      }
      await recordAudit(database.db, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'backup.key_rotated', resourceType: 'backup_key', resourceId: rotated.current.id, severity: 'critical', metadata: { retired_key_id: rotated.retired.id } });
      return rotated.retired.id;
    },

    async remove(origin: RequestOrigin, actor: Actor | null, id: string): Promise<void> {
      const backup = await find(database.db, id);
      if (backup.status === 'pending' || backup.status === 'running') throw conflict('BACKUP_IN_PROGRESS');
      await database.transaction(async (tx) => {
        await tx.delete(backups).where(eq(backups.id, id));
        if (actor) await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'backup.deleted', resourceType: 'backup', resourceId: id, severity: 'high' });
      });
      await storage.remove(backup.storageKey);
    },

    async requestRestore(origin: RequestOrigin, actor: Actor, id: string, confirm: string): Promise<string> {
      if (confirm !== id) throw new ProblemError(422, 'VALIDATION_ERROR', { errors: [{ field: 'confirm', message: 'must repeat the backup id: a restore replaces all data' }] });
      const backup = await find(database.db, id);
      if (backup.status !== 'completed') throw conflict('BACKUP_NOT_COMPLETED');
      return database.transaction(async (tx) => {
        const jobId = await jobs.enqueue(tx, RESTORE_QUEUE, { backupId: id, actorId: actor.id, organizationId: actor.organizationId }, { organizationId: actor.organizationId, createdBy: actor.id, singletonKey: 'restore' });
        if (!jobId) throw conflict('RESTORE_IN_PROGRESS');
        await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'backup.restore_requested', resourceType: 'backup', resourceId: id, severity: 'critical' });
        return jobId;
      });
    },

    /** Completed backups of a schedule, newest first (retention picks among them). */
    completedOf: (scheduleId: string) =>
      database.db.select({ id: backups.id, createdAt: backups.createdAt }).from(backups).where(and(eq(backups.scheduleId, scheduleId), eq(backups.status, 'completed'))).orderBy(desc(backups.createdAt)),

    /** Deletes catalog rows and files (retention). */
    async discard(ids: string[]): Promise<void> {
      if (ids.length === 0) return;
      const rows = await database.db.delete(backups).where(inArray(backups.id, ids)).returning({ storageKey: backups.storageKey });
      for (const row of rows) await storage.remove(row.storageKey);
    },

    /** Backups whose process died mid-way stay `running`; past the job's time limit they are failed. */
    async failAbandoned(olderThan: Date): Promise<void> {
      await database.db
        .update(backups)
        .set({ status: 'failed', error: 'Interrupted before it finished', updatedAt: kernel.now() })
        .where(and(inArray(backups.status, ['pending', 'running']), lt(backups.updatedAt, olderThan)));
    },
  };
}

export type BackupService = ReturnType<typeof createBackupService>;
