import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { originOf } from '../audit/audit';
import { ifMatchVersion } from '../http/etag';
import { bytes } from '../files/schemas';
import type { BackupKeyring } from './keys';
import * as s from './schemas';
import type { ScheduleService } from './schedules';
import { presentBackup, type BackupService } from './service';

const tags = ['backups'];
const can = (action: string) => ({ permission: `backup:${action}`, rateLimit: 'admin' as const });
const progressUrl = (jobId: string) => `/api/v1/jobs/${jobId}/events`;

function keysView(keyring: BackupKeyring) {
  // all() reads the key files once and puts the current key first.
  const ids = [...new Set(keyring.all().map((key) => key.id))];
  return { current_key_id: ids[0]!, source: keyring.source, readable_key_ids: ids };
}

/** /api/v1/backups: the catalog, downloads, restores, schedules and keys. Platform-wide: super_admin only by default. */
export function backupRoutes(backups: BackupService, schedules: ScheduleService, keyring: BackupKeyring): FastifyPluginAsyncTypebox {
  return async (app) => {
    const { database } = app.kernel;

    app.post('/backups', { config: can('create'), schema: { tags, summary: 'Back up every table and stored file (a job)', response: { 202: s.BackupRequested } } }, async (request, reply) => {
      const view = presentBackup(await database.transaction((tx) => backups.request(tx, originOf(request), { actor: request.actor! })));
      reply.header('location', `/api/v1/backups/${view.id}`);
      return reply.code(202).send({ ...view, progress_url: progressUrl(view.job_id!) });
    });

    app.get('/backups', { config: can('read'), schema: { tags, summary: 'Backup history and status', querystring: s.ListBackupsQuery, response: { 200: s.BackupPage } } }, async (request) => backups.list(request.query));

    app.get('/backups/keys', { config: can('read'), schema: { tags, summary: 'The key new backups are sealed with, and those this server can read', response: { 200: s.BackupKeys } } }, async () => keysView(keyring));

    app.post('/backups/keys/rotate', { config: can('rotate_key'), schema: { tags, summary: 'Seal new backups with a new generated key (older backups stay readable)', response: { 200: s.BackupKeys } } }, async (request) => {
      const retired = await backups.rotateKey(originOf(request), request.actor!);
      return { ...keysView(keyring), retired_key_id: retired };
    });

    app.get('/backups/schedules', { config: can('read'), schema: { tags, summary: 'Backup schedules', querystring: s.ListSchedulesQuery, response: { 200: s.BackupSchedulePage } } }, async (request) => schedules.list(request.query));

    app.post('/backups/schedules', { config: can('schedule'), schema: { tags, summary: 'Create a backup schedule (cron and retention)', body: s.CreateScheduleBody, response: { 201: s.BackupSchedule } } }, async (request, reply) => {
      const created = await schedules.create(originOf(request), request.actor!, request.body);
      reply.header('location', `/api/v1/backups/schedules/${created.id}`);
      return reply.sendResource(created, 201);
    });

    app.get('/backups/schedules/:id', { config: can('read'), schema: { tags, summary: 'A backup schedule', params: s.BackupParams, response: { 200: s.BackupSchedule } } }, async (request, reply) => reply.sendResource(await schedules.get(request.params.id)));

    app.patch('/backups/schedules/:id', { config: can('schedule'), schema: { tags, summary: 'Change a backup schedule', params: s.BackupParams, body: s.UpdateScheduleBody, response: { 200: s.BackupSchedule } } }, async (request, reply) =>
      reply.sendResource(await schedules.update(originOf(request), request.actor!, request.params.id, request.body, ifMatchVersion(request))),
    );

    app.delete('/backups/schedules/:id', { config: can('schedule'), schema: { tags, summary: 'Delete a backup schedule (its backups stay)', params: s.BackupParams } }, async (request, reply) => {
      await schedules.remove(originOf(request), request.actor!, request.params.id);
      return reply.code(204).send();
    });

    app.get('/backups/:id', { config: can('read'), schema: { tags, summary: 'A backup and its status', params: s.BackupParams, response: { 200: s.Backup } } }, async (request, reply) => reply.sendResource(await backups.get(request.params.id)));

    app.get(
      '/backups/:id/download',
      { config: can('download'), compress: false, schema: { tags, summary: 'Download the encrypted backup file', params: s.BackupParams, response: { 200: bytes('The encrypted backup file (docs/backups.md), with its SHA-256 as ETag.') } } },
      async (request, reply) => {
        const { backup, body } = await backups.download(originOf(request), request.actor!, request.params.id);
        const date = backup.createdAt.toISOString().slice(0, 10);
        reply.type('application/octet-stream').header('content-length', backup.sizeBytes!).header('etag', `"${backup.sha256}"`).header('cache-control', 'private, no-store');
        reply.header('content-disposition', `attachment; filename="deskbase-${date}-${backup.id}.dbk"`);
        return reply.send(body);
      },
    );

    app.delete('/backups/:id', { config: can('delete'), schema: { tags, summary: 'Delete a backup and its file', params: s.BackupParams } }, async (request, reply) => {
      await backups.remove(originOf(request), request.actor!, request.params.id);
      return reply.code(204).send();
    });

    app.post('/backups/:id/restore', { config: can('restore'), schema: { tags, summary: 'Replace all data with this backup (a job; verified before anything changes)', params: s.BackupParams, body: s.RestoreBody, response: { 202: s.JobAccepted } } }, async (request, reply) => {
      const jobId = await backups.requestRestore(originOf(request), request.actor!, request.params.id, request.body.confirm);
      return reply.code(202).send({ job_id: jobId, progress_url: progressUrl(jobId) });
    });
  };
}
