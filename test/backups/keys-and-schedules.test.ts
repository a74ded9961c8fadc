import { readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyIdOf } from '../../src/kernel/backups/keys';
import { call, createBillingWorld, type BillingWorld } from '../billing/harness';
import { waitFor } from '../jobs/harness';
import { backUp, finishedJob, tableContents } from './harness';

let world: BillingWorld;

// No BACKUP_ENCRYPTION_KEY: the server generates its key into DATA_DIR.
beforeAll(async () => {
  world = await createBillingWorld({ jobs: { pollIntervalMs: 50 } });
}, 60_000);
afterAll(async () => world?.app.close());

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: object, headers: Record<string, string> = {}) => call(world.app, world.adminA, method, `/api/v1${url}`, body, headers);
const dataDir = () => world.app.kernel.config.dataDir;

async function restoreJob(id: string) {
  const accepted = await api('POST', `/backups/${id}/restore`, { confirm: id });
  expect(accepted.statusCode, accepted.body).toBe(202);
  return finishedJob(world.app, world.adminA, accepted.json().job_id);
}

describe('backup keys', () => {
  it('generates one key into DATA_DIR (0600); after a rotation new backups use the new key and old ones stay restorable', async () => {
    const keys = (await api('GET', '/backups/keys')).json();
    const keyFile = path.join(dataDir(), 'backup.key');
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(keys).toEqual({ current_key_id: keyIdOf(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64')), source: 'generated', readable_key_ids: [keys.current_key_id] });

    const first = await backUp(world.app, world.adminA);
    expect(first.key_id).toBe(keys.current_key_id);
    const rotated = await api('POST', '/backups/keys/rotate');
    expect(rotated.statusCode, rotated.body).toBe(200);
    const after = rotated.json();
    expect(after.retired_key_id).toBe(keys.current_key_id);
    expect(after.current_key_id).not.toBe(keys.current_key_id);
    expect(after.readable_key_ids).toEqual([after.current_key_id, keys.current_key_id]);
    const second = await backUp(world.app, world.adminA);
    expect(second.key_id).toBe(after.current_key_id);

    expect((await restoreJob(first.id)).status).toBe('completed');
    expect((await restoreJob(second.id)).status).toBe('completed');
  }, 120_000);

  it('refuses a backup whose key this server no longer has, and changes nothing', async () => {
    const backup = (await api('GET', '/backups?status=completed&limit=100&sort=created_at')).json().items[0];
    const retired = path.join(dataDir(), 'backup-keys', `${backup.key_id}.key`);
    const before = await tableContents(world.app.kernel.database);
    renameSync(retired, `${retired}.away`);
    try {
      const job = await restoreJob(backup.id);
      expect(job.status).toBe('failed');
      expect(job.error.message).toBe(`The backup was encrypted with key ${backup.key_id}, which this server does not have`);
      const now = await tableContents(world.app.kernel.database);
      now.delete('audit_logs');
      before.delete('audit_logs');
      expect(now).toEqual(before);
    } finally {
      renameSync(`${retired}.away`, retired);
    }
  }, 60_000);
});

describe('backup schedules', () => {
  const forceDue = () => world.app.kernel.database.query(`UPDATE backup_schedules SET next_run_at = now() - interval '1 minute'`);
  /** Runs the minute tick now instead of waiting for its cron. */
  const tick = async () => {
    const jobId = await world.app.jobs.enqueue(world.app.kernel.database.db, 'backups.tick', {}, { organizationId: null });
    expect(jobId).toBeTruthy();
  };
  const scheduled = async (scheduleId: string) => (await api('GET', '/backups?limit=100')).json().items.filter((b: { schedule_id: string | null }) => b.schedule_id === scheduleId);

  it('refuses bad cron expressions, time zones and a retention that keeps nothing, creating nothing', async () => {
    const cases: [object, string][] = [
      [{ name: 'x', cron: 'every day at 2' }, 'cron'],
      [{ name: 'x', cron: '0 0 2 * * *' }, 'cron'],
      [{ name: 'x', cron: '0 25 * * *' }, 'cron'],
      [{ name: 'x', cron: '0 2 * * *', timezone: 'Mars/Olympus_Mons' }, 'timezone'],
      [{ name: 'x', cron: '0 2 * * *', keep_daily: 0, keep_weekly: 0, keep_monthly: 0 }, 'keep_daily'],
    ];
    for (const [body, field] of cases) {
      const response = await api('POST', '/backups/schedules', body);
      expect(response.statusCode, JSON.stringify(body)).toBe(422);
      expect(response.json().errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
    expect((await api('GET', '/backups/schedules')).json().items).toEqual([]);
  });

  it('compute the next run in their time zone and honour If-Match', async () => {
    const created = await api('POST', '/backups/schedules', { name: 'nightly', cron: '0 2 * * *', timezone: 'Asia/Phnom_Penh' });
    expect(created.statusCode, created.body).toBe(201);
    const schedule = created.json();
    expect(schedule).toMatchObject({ keep_daily: 7, keep_weekly: 4, keep_monthly: 12, enabled: true, last_run_at: null });
    // 02:00 in Phnom Penh (UTC+7) is 19:00 UTC, within the next day.
    const next = new Date(schedule.next_run_at);
    expect(next.toISOString().slice(11)).toBe('19:00:00.000Z');
    expect(next.getTime() - Date.now()).toBeGreaterThan(0);
    expect(next.getTime() - Date.now()).toBeLessThanOrEqual(86_400_000);
    expect((await api('PATCH', `/backups/schedules/${schedule.id}`, { keep_daily: 1 }, { 'if-match': '"v9"' })).statusCode).toBe(412);
    const patched = await api('PATCH', `/backups/schedules/${schedule.id}`, { keep_daily: 1, keep_weekly: 0, keep_monthly: 0 }, { 'if-match': `"v${schedule.version}"` });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json()).toMatchObject({ keep_daily: 1, keep_weekly: 0, keep_monthly: 0, version: schedule.version + 1 });
    expect((await api('GET', '/backups/schedules/bks_01jd6v0v3kf8r9q7w2e5t4y6u8')).json().code).toBe('BACKUP_SCHEDULE_NOT_FOUND');
  });

  it('makes a backup when due, then deletes the backups its retention no longer keeps', async () => {
    const [schedule] = (await api('GET', '/backups/schedules')).json().items;
    await forceDue();
    await tick();
    const first = await waitFor(async () => (await scheduled(schedule.id)).find((b: { status: string }) => b.status === 'completed'), 30_000, 'first scheduled backup');
    expect(first).toMatchObject({ trigger: 'scheduled', created_by: null });
    const moved = (await api('GET', `/backups/schedules/${schedule.id}`)).json();
    expect(new Date(moved.next_run_at).getTime()).toBeGreaterThan(Date.now());
    expect(moved.last_run_at).not.toBeNull();

    // Not due any more: a tick makes nothing.
    await tick();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await scheduled(schedule.id)).toHaveLength(1);

    // keep_daily 1: a second backup the same day replaces the first, file included.
    await forceDue();
    await tick();
    // The row goes first, then the file (a crash in between leaves a stray file, never a row without one).
    const second = await waitFor(async () => {
      const made = await scheduled(schedule.id);
      const fileGone = !readdirSync(path.join(dataDir(), 'backups')).includes(first.id);
      return made.length === 1 && made[0].id !== first.id && made[0].status === 'completed' && fileGone ? made[0] : null;
    }, 30_000, 'second scheduled backup, first discarded');
    expect(readdirSync(path.join(dataDir(), 'backups'))).toContain(second.id);

    expect((await api('DELETE', `/backups/schedules/${schedule.id}`)).statusCode).toBe(204);
    expect((await api('GET', `/backups/${second.id}`)).json().status).toBe('completed');
  }, 90_000);
});
