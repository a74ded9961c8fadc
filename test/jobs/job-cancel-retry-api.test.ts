import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { archive, bearer, createJobsApp, enqueue, getJob, sleep, waitFor, waitForStatus, type Token } from './harness';

let app: FastifyInstance;
const runs: Record<string, number> = {};
const aborts: Record<string, unknown> = {};
let succeed = false;

const post = (id: string, action: 'cancel' | 'retry', token?: Token, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: `/api/v1/jobs/${id}/${action}`, headers: { ...(token ? bearer(token) : {}), ...headers } });

const auditOf = (id: string) =>
  app.kernel.database.query<{ action: string; actor_id: string; resource_type: string; metadata: unknown }>(
    'SELECT action, actor_id, resource_type, metadata FROM audit_logs WHERE resource_id = $1 ORDER BY created_at',
    [id],
  );

const later = { startAfter: 3600 };

beforeAll(async () => {
  app = await createJobsApp((jobs) => {
    jobs.work('act.later', {}, async () => null);
    jobs.work('act.quick', {}, async () => ({ ok: true }));
    jobs.work('act.held', {}, async (_data, { jobId, signal }) => {
      aborts[jobId] = await new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
      throw aborts[jobId];
    });
    jobs.work('act.flaky', { retryLimit: 0 }, async (_data, { jobId, attempt }) => {
      runs[jobId] = (runs[jobId] ?? 0) + 1;
      if (!succeed) throw new Error(`attempt ${attempt} failed`);
      return { attempt };
    });
  });
});
afterAll(() => app.close());

describe('POST /api/v1/jobs/{id}/cancel', () => {
  it('cancels a queued job and answers it, audited', async () => {
    const id = (await enqueue(app, 'act.later', {}, later))!;
    const response = await post(id, 'cancel', 'admin-a');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const job = response.json();
    expect(job).toMatchObject({ id, status: 'cancelled', attempts: 0 });
    expect(job.finished_at).not.toBeNull();
    // The answer is the job as it is after the change (its run's new updated_at included), not as it was read before.
    expect(await getJob(app, id)).toEqual(job);
    expect(await auditOf(id)).toEqual([{ action: 'job.cancelled', actor_id: 'usr_admin_a', resource_type: 'job', metadata: { queue: 'act.later' } }]);
  });

  it('aborts a running job’s signal', async () => {
    const id = (await enqueue(app, 'act.held', {}))!;
    await waitForStatus(app, id, 'running');
    const response = await post(id, 'cancel', 'admin-a');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 'cancelled', attempts: 1 });
    expect(await waitFor(() => aborts[id], 5000, 'the abort')).toMatchObject({ kind: 'cancelled' });
    await sleep(200);
    expect(await getJob(app, id)).toMatchObject({ status: 'cancelled', error: null });
  });

  it('answers 409 for a job that already finished, and changes nothing', async () => {
    const completed = (await enqueue(app, 'act.quick', {}))!;
    await waitForStatus(app, completed, 'completed');
    const response = await post(completed, 'cancel', 'admin-a');
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'JOB_NOT_CANCELLABLE', title: 'Job cannot be cancelled' });
    expect(response.json().detail).toContain('completed');
    expect(await getJob(app, completed)).toMatchObject({ status: 'completed', result: { ok: true } });
    expect(await auditOf(completed)).toEqual([]);

    const khmer = await post(completed, 'cancel', 'admin-a', { 'accept-language': 'km' });
    expect(khmer.json().title).toBe('មិនអាចបោះបង់ការងារបានទេ');

    const cancelled = (await enqueue(app, 'act.later', {}, later))!;
    expect((await post(cancelled, 'cancel', 'admin-a')).statusCode).toBe(200);
    const again = await post(cancelled, 'cancel', 'admin-a');
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toContain('cancelled');
  });

  it('answers 404 for another organization’s job, a job the caller may not read, an unknown id; the job is unchanged', async () => {
    const id = (await enqueue(app, 'act.later', {}, later))!;
    for (const [token, target] of [['admin-b', id], ['operator-a', id], ['admin-a', 'job_01jd6v0v3kf8r9q7w2e5t4y6u8'], ['admin-a', 'job_nothing']] as const) {
      const response = await post(target, 'cancel', token);
      expect(response.statusCode, `${token} ${target}`).toBe(404);
      expect(response.json().code).toBe('JOB_NOT_FOUND');
    }
    const platform = (await enqueue(app, 'act.later', {}, { organizationId: null, createdBy: null, ...later }))!;
    expect((await post(platform, 'cancel', 'admin-a')).statusCode).toBe(404);
    expect(await getJob(app, id)).toMatchObject({ status: 'queued' });
    expect(await auditOf(id)).toEqual([]);
  });

  it('answers 403 without job:cancel and 401 without credentials; the job is unchanged', async () => {
    const id = (await enqueue(app, 'act.later', {}, later))!;
    for (const token of ['ann', 'clerk-a'] as const) {
      const response = await post(id, 'cancel', token);
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('INSUFFICIENT_PERMISSIONS');
    }
    expect((await post(id, 'cancel')).statusCode).toBe(401);
    expect(await getJob(app, id)).toMatchObject({ status: 'queued' });
  });

  it('lets a holder of job:cancel without job:read_all cancel their own jobs', async () => {
    const id = (await enqueue(app, 'act.later', {}, { createdBy: 'usr_operator', ...later }))!;
    expect((await post(id, 'cancel', 'operator-a')).json()).toMatchObject({ id, status: 'cancelled' });
  });
});

describe('POST /api/v1/jobs/{id}/retry', () => {
  it('sends a failed job back to its queue: it runs again', async () => {
    succeed = false;
    const id = (await enqueue(app, 'act.flaky', {}))!;
    await waitForStatus(app, id, 'failed');
    expect(runs[id]).toBe(1);
    succeed = true;
    const response = await post(id, 'retry', 'admin-a');
    expect(response.statusCode).toBe(202);
    expect(response.headers['cache-control']).toBe('no-store');
    // Workers may already have taken it.
    expect(['retrying', 'running', 'completed']).toContain(response.json().status);
    expect(response.json()).toMatchObject({ id, max_attempts: 2 });
    expect(await waitForStatus(app, id, 'completed')).toMatchObject({ attempts: 2, result: { attempt: 2 }, error: null });
    expect(runs[id]).toBe(2);
    expect(await auditOf(id)).toEqual([{ action: 'job.retried', actor_id: 'usr_admin_a', resource_type: 'job', metadata: { queue: 'act.flaky' } }]);

    const again = await post(id, 'retry', 'admin-a');
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'JOB_NOT_RETRYABLE', title: 'Job cannot be retried' });
    expect(again.json().detail).toContain('completed');
  });

  it('answers 409 for a job that is not failed', async () => {
    for (const status of ['queued', 'cancelled'] as const) {
      const id = (await enqueue(app, 'act.later', {}, later))!;
      if (status === 'cancelled') await app.jobs.cancel(id);
      const response = await post(id, 'retry', 'admin-a');
      expect(response.statusCode).toBe(409);
      expect(response.json().code).toBe('JOB_NOT_RETRYABLE');
      expect(response.json().detail).toContain(status);
      expect(await getJob(app, id)).toMatchObject({ status });
    }
  });

  it('answers 409 for a failed job pg-boss already archived', async () => {
    succeed = false;
    const id = (await enqueue(app, 'act.flaky', {}))!;
    await waitForStatus(app, id, 'failed');
    await archive(app, id);
    const response = await post(id, 'retry', 'admin-a');
    expect(response.statusCode).toBe(409);
    expect(response.json().detail).toContain('archived');
    expect(await getJob(app, id)).toMatchObject({ status: 'failed' });
    expect(await auditOf(id)).toEqual([]);
    expect(runs[id]).toBe(1);
  });

  it('answers 404 across organizations and 403 without job:retry; the failed job stays failed', async () => {
    succeed = false;
    const id = (await enqueue(app, 'act.flaky', {}))!;
    await waitForStatus(app, id, 'failed');
    for (const token of ['admin-b', 'operator-a'] as const) expect((await post(id, 'retry', token)).statusCode).toBe(404);
    for (const token of ['ann', 'bob'] as const) expect((await post(id, 'retry', token)).statusCode).toBe(403);
    expect((await post('job_nothing', 'retry', 'admin-a')).statusCode).toBe(404);
    await sleep(300);
    expect(await getJob(app, id)).toMatchObject({ status: 'failed', attempts: 1 });
    expect(runs[id]).toBe(1);
  });

  it('is documented in OpenAPI, with problem+json errors', async () => {
    const document = (await app.inject({ url: '/openapi.json' })).json();
    expect(document.paths['/api/v1/jobs/{id}/cancel'].post.responses['200']).toBeDefined();
    const retry = document.paths['/api/v1/jobs/{id}/retry'].post;
    expect(retry.responses['202']).toBeDefined();
    expect(retry.responses['4XX'].content['application/problem+json']).toBeDefined();
  });
});
