import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobContext } from '../../src/kernel/jobs/index';
import { createJobsApp, enqueue, gate, getJob, sleep, waitFor, waitForStatus } from './harness';

let app: FastifyInstance;
const seen: { queue: string; data: unknown; context: JobContext; at: number }[] = [];
const orderGate = gate();
const record = (queue: string) => async (data: unknown, context: JobContext) => {
  seen.push({ queue, data, context, at: Date.now() });
  return { echoed: data };
};
const runsOf = (queue: string) => seen.filter((s) => s.queue === queue);

beforeAll(async () => {
  app = await createJobsApp((jobs) => {
    jobs.work('test.echo', {}, record('test.echo'));
    jobs.work('test.short', { policy: 'short' }, record('test.short'));
    jobs.work('test.ordered', { concurrency: 1 }, async (data, context) => {
      // The first job holds the only slot until every other job is queued.
      await orderGate.promise;
      return record('test.ordered')(data, context);
    });
    jobs.work('test.later', {}, record('test.later'));
    jobs.work('test.cron', {}, record('test.cron'));
    // Declared with the module, before the app (and pg-boss) starts.
    void jobs.schedule('test.cron', '* * * * *', { from: 'cron' }, { timezone: 'Asia/Phnom_Penh' });
  });
});
afterAll(() => app.close());

const jobCount = async (queue: string) => {
  const [row] = await app.kernel.database.query<{ n: number }>('SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1', [queue]);
  return row!.n;
};

describe('enqueue in the caller’s transaction', () => {
  it('creates nothing when the transaction rolls back', async () => {
    let id: string | null = null;
    await expect(
      app.kernel.database.transaction(async (tx) => {
        id = await app.jobs.enqueue(tx, 'test.echo', { n: 1 }, { organizationId: 'org_a' });
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('the caller changed its mind');
    expect(id).toMatch(/^job_[0-9a-z]{26}$/);
    expect(await jobCount('test.echo')).toBe(0);
    expect(await app.kernel.database.query('SELECT id FROM job_runs')).toEqual([]);
    await sleep(400);
    expect(runsOf('test.echo')).toEqual([]);
    expect((await app.inject({ url: `/api/v1/jobs/${id}`, headers: { authorization: 'Bearer admin-a' } })).statusCode).toBe(404);
  });

  it('runs a committed job once, with its data, and keeps its result', async () => {
    const id = (await enqueue(app, 'test.echo', { n: 2 }))!;
    const job = await waitForStatus(app, id, 'completed');
    expect(runsOf('test.echo')).toHaveLength(1);
    const [run] = runsOf('test.echo');
    expect(run!.data).toEqual({ n: 2 });
    expect(run!.context).toMatchObject({ jobId: id, attempt: 1 });
    expect(job).toMatchObject({ id, queue: 'test.echo', status: 'completed', priority: 'normal', progress: 100, attempts: 1, max_attempts: 3, result: { echoed: { n: 2 } }, error: null });
    expect(Date.parse(job.finished_at!)).toBeGreaterThanOrEqual(Date.parse(job.started_at!));
    expect(Date.parse(job.started_at!)).toBeGreaterThanOrEqual(Date.parse(job.created_at));
  });

  it('refuses a queue nobody declared, rolling the caller back', async () => {
    await expect(enqueue(app, 'test.nobody', {})).rejects.toThrow('Unknown job queue "test.nobody"');
  });

  it('keeps a duplicate out with a singletonKey on a `short` queue', async () => {
    const [first, second, other] = await app.kernel.database.transaction(async (tx) => [
      await app.jobs.enqueue(tx, 'test.short', { v: 1 }, { organizationId: 'org_a', singletonKey: 'report-42', startAfter: 60 }),
      await app.jobs.enqueue(tx, 'test.short', { v: 2 }, { organizationId: 'org_a', singletonKey: 'report-42', startAfter: 60 }),
      await app.jobs.enqueue(tx, 'test.short', { v: 3 }, { organizationId: 'org_a', singletonKey: 'report-43', startAfter: 60 }),
    ]);
    expect(first).toMatch(/^job_/);
    expect(second).toBeNull();
    expect(other).toMatch(/^job_/);
    expect(await jobCount('test.short')).toBe(2);
  });
});

describe('order and time', () => {
  it('runs higher priorities first', async () => {
    const blocker = (await enqueue(app, 'test.ordered', { name: 'blocker' }))!;
    await waitForStatus(app, blocker, 'running');
    await app.kernel.database.transaction(async (tx) => {
      for (const priority of ['low', 'normal', 'urgent', 'high', 'normal'] as const) {
        await app.jobs.enqueue(tx, 'test.ordered', { name: priority }, { organizationId: 'org_a', priority });
      }
    });
    orderGate.open();
    await waitFor(() => runsOf('test.ordered').length === 6, 10_000, 'six ordered jobs');
    expect(runsOf('test.ordered').map((r) => (r.data as { name: string }).name)).toEqual(['blocker', 'urgent', 'high', 'normal', 'normal', 'low']);
  });

  it('does not start a job before its startAfter', async () => {
    const id = (await enqueue(app, 'test.later', { when: 'later' }, { startAfter: 2 }))!;
    const queued = await getJob(app, id);
    expect(queued.status).toBe('queued');
    expect(Date.parse(queued.run_at) - Date.parse(queued.created_at)).toBeGreaterThanOrEqual(1900);
    await sleep(1000);
    expect(runsOf('test.later')).toEqual([]);
    const done = await waitForStatus(app, id, 'completed');
    expect(Date.parse(done.started_at!)).toBeGreaterThanOrEqual(Date.parse(queued.run_at));
  });

  it('accepts an absolute startAfter', async () => {
    const at = new Date(Date.now() + 60_000);
    const id = (await enqueue(app, 'test.later', {}, { startAfter: at }))!;
    expect((await getJob(app, id)).run_at).toBe(at.toISOString());
  });

  it('registers a cron schedule that enqueues jobs, and removes it', async () => {
    // The kernel's own schedules (backups.tick) sit beside the test's.
    const testSchedules = () => app.kernel.database.query<{ name: string; cron: string; timezone: string }>(`SELECT name, cron, timezone FROM pgboss.schedule WHERE name LIKE 'test.%'`);
    expect(await testSchedules()).toEqual([{ name: 'test.cron', cron: '* * * * *', timezone: 'Asia/Phnom_Penh' }]);
    // Every minute matches: the next cron round (every second here) sends one.
    await waitFor(() => runsOf('test.cron').length > 0, 15_000, 'a cron job');
    expect(runsOf('test.cron')[0]!.data).toEqual({ from: 'cron' });
    await app.jobs.unschedule('test.cron');
    expect(await testSchedules()).toEqual([]);
  });
});

describe('retention', () => {
  it('forgets runs untouched for longer than JOBS_RETENTION_DAYS, at the next maintenance', async () => {
    const fresh = (await enqueue(app, 'test.later', {}, { startAfter: 3600 }))!;
    await app.kernel.database.query(
      `INSERT INTO job_runs (id, organization_id, queue, created_at, updated_at) VALUES (gen_random_uuid(), 'org_a', 'test.later', now() - interval '8 days', now() - interval '8 days')`,
    );
    const count = async () => (await app.kernel.database.query<{ n: number }>('SELECT count(*)::int AS n FROM job_runs WHERE created_at < now() - interval \'7 days\''))[0]!.n;
    expect(await count()).toBe(1);
    // Maintenance runs every second here.
    await waitFor(async () => (await count()) === 0, 5000, 'the old run to be pruned');
    expect((await getJob(app, fresh)).status).toBe('queued');
  });
});
