import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createJobsApp, enqueue, gate, getJob, sleep, waitFor, waitForStatus } from './harness';

let app: FastifyInstance;
const attempts: Record<string, number[]> = {};
const aborts: Record<string, unknown> = {};
let flakySucceeds = false;

/** Resolves when the signal aborts; answers its reason. */
const aborted = (signal: AbortSignal) => new Promise<unknown>((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
const note = (key: string) => (attempts[key] ??= []).push(Date.now());

beforeAll(async () => {
  app = await createJobsApp((jobs) => {
    jobs.work('fail.flaky', { retryLimit: 2, retryDelaySeconds: 1, retryBackoff: true }, async (_data, { attempt, jobId }) => {
      note(jobId);
      if (!flakySucceeds) throw new Error(`attempt ${attempt} failed`);
      return { attempt };
    });
    jobs.work('fail.slow', { timeoutSeconds: 1, retryLimit: 1, retryDelaySeconds: 0, retryBackoff: false }, async (_data, { attempt, jobId, signal }) => {
      note(jobId);
      if (attempt === 1) aborts[jobId] = await aborted(signal);
      return { attempt };
    });
    jobs.work('fail.stubborn', { timeoutSeconds: 1, retryLimit: 0 }, async (_data, { jobId }) => {
      note(jobId);
      // Ignores its signal: the attempt still ends at the timeout and the slot is freed.
      await new Promise(() => {});
    });
    jobs.work('fail.cancellable', {}, async (_data, { jobId, signal }) => {
      note(jobId);
      aborts[jobId] = await aborted(signal);
      throw aborts[jobId];
    });
  });
});
afterAll(() => app.close());

describe('retries', () => {
  it('retries with exponential backoff and jitter, then keeps the job as failed with the last error', async () => {
    const id = (await enqueue(app, 'fail.flaky', {}))!;
    const retrying = await waitForStatus(app, id, 'retrying');
    expect(retrying).toMatchObject({ attempts: 1, max_attempts: 3, error: { message: 'attempt 1 failed' } });
    // The retry waits 1-2 s after the failure.
    expect(Date.parse(retrying.run_at) - Date.parse(retrying.started_at!)).toBeGreaterThanOrEqual(1000);

    const failed = await waitForStatus(app, id, 'failed', 15_000);
    expect(failed).toMatchObject({ attempts: 3, max_attempts: 3, error: { message: 'attempt 3 failed' }, result: null });
    expect(failed.finished_at).not.toBeNull();
    const [first, second, third] = attempts[id]!;
    // retryDelay × 2^n / 2 × (1 + random): 1-2 s, then 2-4 s (plus polling).
    expect(second! - first!).toBeGreaterThanOrEqual(950);
    expect(second! - first!).toBeLessThan(2800);
    expect(third! - second!).toBeGreaterThanOrEqual(1950);
    expect(third! - second!).toBeLessThan(4800);

    // Nothing runs it again by itself.
    await sleep(500);
    expect(attempts[id]).toHaveLength(3);
  });

  it('sends a failed job back to its queue on request', async () => {
    const id = (await enqueue(app, 'fail.flaky', {}, { retryLimit: 0 }))!;
    expect((await waitForStatus(app, id, 'failed')).attempts).toBe(1);
    flakySucceeds = true;
    expect(await app.jobs.retry(id)).toBe(true);
    const done = await waitForStatus(app, id, 'completed');
    expect(done).toMatchObject({ attempts: 2, result: { attempt: 2 }, error: null });
    expect(await app.jobs.retry(id)).toBe(false);
  });
});

describe('timeouts', () => {
  it('aborts a run that takes too long, counts it as failed and retries it', async () => {
    const id = (await enqueue(app, 'fail.slow', {}))!;
    const done = await waitForStatus(app, id, 'completed');
    expect(done).toMatchObject({ attempts: 2, result: { attempt: 2 } });
    expect(aborts[id]).toMatchObject({ name: 'JobInterruption', kind: 'timeout', message: 'Timed out after 1 s' });
    const [first, second] = attempts[id]!;
    expect(second! - first!).toBeGreaterThanOrEqual(950);
  });

  it('fails a run that ignores its signal at the timeout', async () => {
    const id = (await enqueue(app, 'fail.stubborn', {}))!;
    const failed = await waitForStatus(app, id, 'failed');
    expect(failed).toMatchObject({ attempts: 1, error: { message: 'Timed out after 1 s' } });
    expect(Date.parse(failed.finished_at!) - Date.parse(failed.started_at!)).toBeGreaterThanOrEqual(950);
    // The slot was freed: the next job runs.
    const next = (await enqueue(app, 'fail.stubborn', {}))!;
    await waitForStatus(app, next, 'running');
  });
});

describe('cancellation', () => {
  it('cancels a queued job before it runs', async () => {
    const id = (await enqueue(app, 'fail.cancellable', {}, { startAfter: 1 }))!;
    expect(await app.jobs.cancel(id)).toBe(true);
    const cancelled = await getJob(app, id);
    expect(cancelled).toMatchObject({ status: 'cancelled', attempts: 0 });
    expect(cancelled.finished_at).not.toBeNull();
    await sleep(1500);
    expect(attempts[id]).toBeUndefined();
    expect(await app.jobs.cancel(id)).toBe(false);
  });

  it('aborts a running job’s signal and keeps it cancelled, not failed or retried', async () => {
    const id = (await enqueue(app, 'fail.cancellable', {}))!;
    await waitForStatus(app, id, 'running');
    expect(await app.jobs.cancel(id)).toBe(true);
    await waitFor(() => aborts[id], 5000, 'the abort');
    expect(aborts[id]).toMatchObject({ kind: 'cancelled' });
    await sleep(300);
    expect(await getJob(app, id)).toMatchObject({ status: 'cancelled', attempts: 1, error: null });
    expect(attempts[id]).toHaveLength(1);
  });

  it('answers false for ids it does not know', async () => {
    expect(await app.jobs.cancel('job_01jd6v0v3kf8r9q7w2e5t4y6u8')).toBe(false);
    expect(await app.jobs.cancel('not-a-job')).toBe(false);
  });
});

describe('shutdown', () => {
  it('lets a running job finish within the grace period', async () => {
    const release = gate();
    const started = gate();
    const local = await createJobsApp((jobs) =>
      jobs.work('stop.finishing', {}, async () => {
        started.open();
        await release.promise;
        return 'finished';
      }),
    );
    const id = (await enqueue(local, 'stop.finishing', {}))!;
    await started.promise;
    const stopping = local.jobs.stop();
    setTimeout(release.open, 200);
    await stopping;
    expect(await getJob(local, id)).toMatchObject({ status: 'completed', result: 'finished' });
    await local.close();
  });

  it('interrupts a job still running after the grace period; it is retried, not lost', async () => {
    let reason: unknown;
    const local = await createJobsApp((jobs) => jobs.work('stop.interrupted', {}, async (_data, { signal }) => (reason = await aborted(signal))), { jobs: { shutdownGraceMs: 300 } });
    const id = (await enqueue(local, 'stop.interrupted', {}))!;
    await waitForStatus(local, id, 'running');
    const start = Date.now();
    await local.jobs.stop();
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
    expect(Date.now() - start).toBeLessThan(2000);
    expect(reason).toMatchObject({ kind: 'shutdown' });
    expect(await getJob(local, id)).toMatchObject({ status: 'retrying', attempts: 1, error: { message: 'Interrupted: the server shut down' } });
    await local.close();
  });

  it('closes an idle app quickly', async () => {
    const local = await createJobsApp((jobs) => jobs.work('stop.idle', {}, async () => null));
    const start = Date.now();
    await local.close();
    expect(Date.now() - start).toBeLessThan(1500);
  });
});
