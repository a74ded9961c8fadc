import fp from 'fastify-plugin';
import path from 'node:path';
import type { Config } from '../../config';
import type { FileStorage } from '../files/storage';
import { LocalDiskStorage } from '../files/storage-local';
import { BackupKeyring } from './keys';
import './messages';
import { backupRoutes } from './routes';
import { createScheduleService } from './schedules';
import { createBackupService, CREATE_QUEUE, RESTORE_QUEUE } from './service';

const TICK_QUEUE = 'backups.tick';
/** A backup or restore running longer is stopped (and a backup marked failed). */
const JOB_TIMEOUT_SECONDS = 6 * 3600;

/** Backup files sit beside the stored files: DATA_DIR/backups, or the same S3 bucket under their own keys. */
async function backupStorage(config: Config): Promise<FileStorage> {
  if (!config.files.s3) return new LocalDiskStorage(path.join(config.dataDir, 'backups'));
  const { S3Storage } = await import('../files/storage-s3');
  // Parts sized for a backup far larger than any single file.
  return new S3Storage(config.files.s3, 5 * 1024 ** 4);
}

export const backupKeyringOf = (config: Config) => new BackupKeyring({ dataDir: config.dataDir, ...config.backups });

/**
 * Encrypted backups and restores (docs/backups.md): the jobs, the minute tick that runs
 * schedules, and /api/v1/backups. Register after the jobs and files plugins.
 */
export const backupsPlugin = fp(
  async (app) => {
    const keyring = backupKeyringOf(app.kernel.config);
    const storage = await backupStorage(app.kernel.config);
    const backups = createBackupService(app.kernel, { jobs: app.jobs, storage, fileStorage: app.files.backend, keyring, log: app.log });
    const schedules = createScheduleService(app.kernel, backups);

    app.jobs.work<{ backupId: string }>(CREATE_QUEUE, { timeoutSeconds: JOB_TIMEOUT_SECONDS, retryLimit: 0 }, async (data, context) => {
      const result = await backups.make(data.backupId, context);
      return result.schedule_id ? { ...result, discarded: await schedules.applyRetention(result.schedule_id) } : result;
    });
    app.jobs.work<{ backupId: string; actorId: string; organizationId: string }>(RESTORE_QUEUE, { timeoutSeconds: JOB_TIMEOUT_SECONDS, retryLimit: 0, policy: 'short' }, async (data, context) =>
      backups.restore(data.backupId, { actorId: data.actorId, organizationId: data.organizationId }, context),
    );
    app.jobs.work(TICK_QUEUE, { timeoutSeconds: 300, retryLimit: 0, policy: 'singleton' }, async () => {
      await backups.failAbandoned(new Date(app.kernel.now().getTime() - (JOB_TIMEOUT_SECONDS + 600) * 1000));
      return { started: await schedules.runDue() };
    });
    void app.jobs.schedule(TICK_QUEUE, '* * * * *');
    app.addHook('onClose', async () => storage.close?.());
    await app.register(backupRoutes(backups, schedules, keyring), { prefix: '/api/v1' });
  },
  { name: 'deskbase-backups' },
);
