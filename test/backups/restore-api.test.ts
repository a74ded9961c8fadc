import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, type BillingWorld } from '../billing/harness';
import { activeUser } from '../support/identity';
import { backUp, backupWorld, fillWorld, finishedJob, storedFiles, tableContents } from './harness';

let world: BillingWorld;

beforeAll(async () => {
  world = await backupWorld();
  await fillWorld(world);
}, 120_000);
afterAll(async () => world?.app.close());

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: object, token = world.adminA) => call(world.app, token, method, `/api/v1${url}`, body);
const backupFile = (id: string) => path.join(world.app.kernel.config.dataDir, 'backups', id);

async function restore(id: string) {
  const accepted = await api('POST', `/backups/${id}/restore`, { confirm: id });
  expect(accepted.statusCode, accepted.body).toBe(202);
  expect(accepted.json().progress_url).toBe(`/api/v1/jobs/${accepted.json().job_id}/events`);
  return finishedJob(world.app, world.adminA, accepted.json().job_id);
}

/** The tables without the audit trail, which a restore itself writes to. */
const withoutAudit = (contents: Map<string, string>) => new Map([...contents].filter(([table]) => table !== 'audit_logs'));

describe('restoring over a running server', () => {
  it('puts every table and file back as the backup saw them, and keeps the backup catalog', async () => {
    // A table Deskbase did not create (the test template's widgets) is neither saved nor replaced,
    // nor its generated column, which calls Deskbase's functions (deskbase_json_string...).
    const widgets = () => world.app.kernel.database.query(`SELECT id, list_item::json->>'name' AS item_name FROM widgets ORDER BY id`);
    await world.app.kernel.database.query(`INSERT INTO widgets (id, organization_id, name) VALUES ('wdg_before', 'org_x', 'kept')`);
    const backup = await backUp(world.app, world.adminA);
    expect(backup).toMatchObject({ status: 'completed', skipped_tables: ['widgets'] });
    const saved = await tableContents(world.app.kernel.database);
    const files = await storedFiles(world.app);

    // Work done after the backup: a new client, a deleted file.
    await world.app.kernel.database.query(`INSERT INTO widgets (id, organization_id, name) VALUES ('wdg_after', 'org_x', 'kept too')`);
    const client = await api('POST', '/clients', { name: 'After the backup', email: 'late@example.com', currency: 'USD', billing_address: { line1: '2 Road', city: 'Siem Reap', country: 'KH' } });
    expect(client.statusCode).toBe(201);
    const [firstFile] = files.keys();
    expect((await api('DELETE', `/files/${firstFile}`)).statusCode).toBe(204);
    const newcomer = await activeUser(world.app, world.adminA, 'newcomer@books.example', 'manager');
    expect((await call(world.app, newcomer.token, 'GET', '/api/v1/profile/me')).statusCode).toBe(200);
    const later = await backUp(world.app, world.adminA);

    const job = await restore(backup.id);
    expect(job, JSON.stringify(job.error)).toMatchObject({ status: 'completed', result: { backup_id: backup.id, files: 2 } });

    const restored = await tableContents(world.app.kernel.database);
    expect(withoutAudit(restored)).toEqual(withoutAudit(saved));
    expect(await widgets()).toEqual([
      { id: 'wdg_after', item_name: 'kept too' },
      { id: 'wdg_before', item_name: 'kept' },
    ]);
    const audit = await world.app.kernel.database.query<{ action: string }>(`SELECT action FROM audit_logs WHERE resource_id = $1 ORDER BY created_at, id`, [backup.id]);
    expect(audit.map((row) => row.action)).toEqual(['backup.requested', 'backup.restored']);
    expect(await storedFiles(world.app)).toEqual(files);
    // The catalog outlives the restore: both backups are still listed and downloadable.
    const listed = (await api('GET', '/backups?limit=100')).json().items.map((b: { id: string }) => b.id);
    expect(listed).toEqual(expect.arrayContaining([backup.id, later.id]));
    expect((await api('GET', `/backups/${later.id}/download`)).statusCode).toBe(200);
    // The sessions restored are those of the backup: the admin's token still works, the new client is gone,
    // and a person who did not exist then is signed out at once (no cached session outlives the restore).
    expect((await api('GET', `/clients/${client.json().id}`)).statusCode).toBe(404);
    expect((await call(world.app, newcomer.token, 'GET', '/api/v1/profile/me')).statusCode).toBe(401);
  }, 120_000);

  it('refuses a tampered, truncated or foreign file before changing anything', async () => {
    const backup = await backUp(world.app, world.adminA);
    const original = readFileSync(backupFile(backup.id));
    const before = await tableContents(world.app.kernel.database);
    const damaged: [string, Buffer][] = [
      ['one flipped byte', Buffer.from(original.map((byte, index) => (index === Math.floor(original.length / 2) ? byte ^ 1 : byte)))],
      ['truncated', original.subarray(0, original.length - 100)],
      ['not a backup', Buffer.from('PK\u0003\u0004 a zip file, not ours')],
    ];
    for (const [what, bytes] of damaged) {
      writeFileSync(backupFile(backup.id), bytes);
      const job = await restore(backup.id);
      expect(job.status, what).toBe('failed');
      expect(job.error.message, what).toMatch(/damaged or was modified/);
      expect(withoutAudit(await tableContents(world.app.kernel.database)), what).toEqual(withoutAudit(before));
    }
    writeFileSync(backupFile(backup.id), original);
    expect((await restore(backup.id)).status).toBe('completed');
  }, 120_000);
});

describe('the backup API', () => {
  it('is for the platform operator only: an organization admin gets 403 everywhere', async () => {
    const backup = (await api('GET', '/backups?status=completed&limit=1')).json().items[0];
    const routes: ['GET' | 'POST' | 'DELETE', string, object?][] = [
      ['POST', '/backups'],
      ['GET', '/backups'],
      ['GET', `/backups/${backup.id}`],
      ['GET', `/backups/${backup.id}/download`],
      ['DELETE', `/backups/${backup.id}`],
      ['POST', `/backups/${backup.id}/restore`, { confirm: backup.id }],
      ['GET', '/backups/schedules'],
      ['POST', '/backups/schedules', { name: 'nightly', cron: '0 2 * * *' }],
      ['GET', '/backups/keys'],
      ['POST', '/backups/keys/rotate'],
    ];
    for (const [method, url, body] of routes) {
      for (const token of [world.adminB, world.managerA]) expect((await api(method, url, body, token)).statusCode, `${method} ${url}`).toBe(403);
    }
    expect((await api('GET', `/backups/${backup.id}`)).json().status).toBe('completed');
  });

  it('answers clear errors for unknown ids, unfinished backups and an unconfirmed restore', async () => {
    expect((await api('GET', '/backups/bkp_01jd6v0v3kf8r9q7w2e5t4y6u8')).json()).toMatchObject({ status: 404, code: 'BACKUP_NOT_FOUND' });
    expect((await api('GET', '/backups/not-an-id')).statusCode).toBe(404);
    const backup = (await api('GET', '/backups?status=completed&limit=1')).json().items[0];
    const unconfirmed = await api('POST', `/backups/${backup.id}/restore`, { confirm: 'yes' });
    expect(unconfirmed.statusCode).toBe(422);
    expect(unconfirmed.json().errors).toEqual([{ field: 'confirm', message: expect.stringContaining('backup id') }]);
    expect((await api('POST', `/backups/${backup.id}/restore`, {})).statusCode).toBe(422);

    // A failed backup (its file vanished) can be neither downloaded nor restored.
    await world.app.kernel.database.query(`UPDATE backups SET status = 'failed' WHERE id = $1`, [backup.id]);
    expect((await api('GET', `/backups/${backup.id}/download`)).json()).toMatchObject({ status: 409, code: 'BACKUP_NOT_COMPLETED' });
    expect((await api('POST', `/backups/${backup.id}/restore`, { confirm: backup.id })).json()).toMatchObject({ status: 409, code: 'BACKUP_NOT_COMPLETED' });
    await world.app.kernel.database.query(`UPDATE backups SET status = 'running' WHERE id = $1`, [backup.id]);
    expect((await api('DELETE', `/backups/${backup.id}`)).json()).toMatchObject({ status: 409, code: 'BACKUP_IN_PROGRESS' });
    await world.app.kernel.database.query(`UPDATE backups SET status = 'completed' WHERE id = $1`, [backup.id]);
  });

  it('refuses to rotate a key the operator set in BACKUP_ENCRYPTION_KEY', async () => {
    const keys = (await api('GET', '/backups/keys')).json();
    expect(keys).toMatchObject({ source: 'environment' });
    expect((await api('POST', '/backups/keys/rotate')).json()).toMatchObject({ status: 409, code: 'BACKUP_KEY_FROM_ENVIRONMENT' });
    expect((await api('GET', '/backups/keys')).json()).toEqual(keys);
  });

  it('downloads the file with its checksum, and deletes it with its row', async () => {
    const backup = await backUp(world.app, world.adminA);
    const download = await api('GET', `/backups/${backup.id}/download`);
    expect(download.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="deskbase-\\d{4}-\\d{2}-\\d{2}-${backup.id}\\.dbk"$`));
    expect(download.headers.etag).toBe(`"${backup.sha256}"`);
    expect(Number(download.headers['content-length'])).toBe(backup.size_bytes);
    expect(download.rawPayload.subarray(0, 8).toString()).toBe('DSKBKUP1');
    expect((await api('DELETE', `/backups/${backup.id}`)).statusCode).toBe(204);
    expect((await api('GET', `/backups/${backup.id}`)).statusCode).toBe(404);
    expect(readdirSync(path.dirname(backupFile(backup.id)))).not.toContain(backup.id);
  }, 60_000);
});
