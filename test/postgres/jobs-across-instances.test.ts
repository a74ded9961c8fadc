import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/kernel/db/database';
import type { JobService } from '../../src/kernel/jobs/index';
import { adminQuery, openTestDatabase, postgresUrl } from '../support/database';
import { bearer, createJobsApp, enqueue, gate, openEventStream, sleep, waitFor } from '../jobs/harness';

const fresh = `deskbase_test_jobs_${randomBytes(4).toString('hex')}`;
afterAll(() => adminQuery(`DROP DATABASE IF EXISTS ${fresh} WITH (FORCE)`));

const openSecond = (name: string) => openDatabase({ databaseUrl: postgresUrl(name), dataDir: '', poolMax: 5, statementTimeoutMs: 10_000, onPoolError: () => {} });

describe('several instances on one PostgreSQL', () => {
  it('start together on an empty database, then run each of 200 jobs exactly once', async () => {
    await adminQuery(`CREATE DATABASE ${fresh}`);
    const databases = await Promise.all([0, 1, 2].map(() => openSecond(fresh)));
    const executions: { id: string; instance: number }[] = [];
    const running = new Set<string>();
    let overlaps = 0;
    const worker = (instance: number) => (jobs: JobService) =>
      jobs.work('spread.work', { concurrency: 4 }, async (_data, { jobId }) => {
        if (running.has(jobId)) overlaps++;
        running.add(jobId);
        executions.push({ id: jobId, instance });
        await sleep(10);
        running.delete(jobId);
      });
    // Both migrators (ours, then pg-boss's at start) race across the three instances.
    await Promise.all(databases.map((database) => database.migrate()));
    const apps = await Promise.all(databases.map((database, instance) => createJobsApp(worker(instance), { database })));
    try {
      expect(await databases[0]!.query('SELECT version FROM pgboss.version')).toEqual([{ version: 24 }]);

      const ids = await apps[0]!.kernel.database.transaction(async (tx) => {
        const created: string[] = [];
        for (let n = 0; n < 200; n++) created.push((await apps[0]!.jobs.enqueue(tx, 'spread.work', { n }, { organizationId: 'org_a' }))!);
        return created;
      });
      const completed = async () => (await databases[0]!.query<{ n: number }>(`SELECT count(*)::int AS n FROM pgboss.job WHERE name = 'spread.work' AND state = 'completed'`))[0]!.n;
      await waitFor(async () => (await completed()) === 200, 30_000, '200 completed jobs');
      // Anything that would run twice would have had the time to.
      await sleep(1000);

      expect(executions).toHaveLength(200);
      expect(new Set(executions.map((e) => e.id))).toEqual(new Set(ids));
      expect(overlaps).toBe(0);
      const perInstance = [0, 1, 2].map((instance) => executions.filter((e) => e.instance === instance).length);
      expect(perInstance.every((count) => count > 0), `jobs per instance: ${perInstance}`).toBe(true);
    } finally {
      await Promise.all(apps.map((app) => app.close()));
    }
  }, 90_000);

  it('streams progress reported on one instance to a client of another', async () => {
    const proceed = gate();
    const database = await openTestDatabase();
    const name = (database as unknown as { testDatabaseName: string }).testDatabaseName;
    const worker = await createJobsApp(
      (jobs) =>
        jobs.work('relay.export', {}, async (_data, { progress }) => {
          await proceed.promise;
          await progress(30, 'Collecting');
          await progress(60, 'Rendering');
          return { pages: 3 };
        }),
      { database },
    );
    // This instance runs no worker for the queue: it can only learn of the progress through NOTIFY.
    const reader: FastifyInstance = await createJobsApp(() => {}, { database: await openSecond(name) });
    try {
      await reader.listen({ port: 0, host: '127.0.0.1' });
      const { port } = reader.server.address() as { port: number };
      const id = (await enqueue(worker, 'relay.export', {}))!;
      const stream = await openEventStream(`http://127.0.0.1:${port}/api/v1/jobs/${id}/events`, bearer('ann'));
      await waitFor(() => stream.jobEvents().length > 0, 5000, 'the first event');
      proceed.open();
      await stream.done;
      const events = stream.jobEvents();
      expect(events.filter((e) => e.event === 'progress').map((e) => [e.job.progress, e.job.step])).toEqual([
        [30, 'Collecting'],
        [60, 'Rendering'],
      ]);
      expect(events.at(-1)).toMatchObject({ event: 'status', job: { status: 'completed', result: { pages: 3 } } });
    } finally {
      await reader.close();
      await worker.close();
    }
  });
});
