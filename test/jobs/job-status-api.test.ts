import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createJobsApp, enqueue, gate, getJob, waitFor, waitForStatus, type Token } from './harness';

let app: FastifyInstance;
const release = gate();
let annJob: string;
let platformJob: string;

const get = (id: string, token?: Token, headers: Record<string, string> = {}) =>
  app.inject({ url: `/api/v1/jobs/${id}`, headers: { ...(token ? bearer(token) : {}), ...headers } });

beforeAll(async () => {
  app = await createJobsApp((jobs) => {
    jobs.work('api.report', {}, async (_data, { progress }) => {
      await progress(40, 'Counting invoices');
      await release.promise;
      return { rows: 12 };
    });
  });
  annJob = (await enqueue(app, 'api.report', { month: '2026-01' }, { priority: 'high' }))!;
  platformJob = (await enqueue(app, 'api.report', {}, { organizationId: null, createdBy: null, startAfter: 3600 }))!;
});
afterAll(() => app.close());

describe('GET /api/v1/jobs/{id}', () => {
  it('shows a running job with its progress and step to the user who started it', async () => {
    await waitFor(async () => (await getJob(app, annJob)).step, 10_000, 'the first progress report');
    const response = await get(annJob, 'ann');
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const job = response.json();
    expect(job).toMatchObject({
      id: annJob,
      queue: 'api.report',
      status: 'running',
      priority: 'high',
      progress: 40,
      step: 'Counting invoices',
      attempts: 1,
      max_attempts: 3,
      result: null,
      error: null,
      finished_at: null,
    });
    for (const field of ['created_at', 'run_at', 'started_at', 'updated_at']) expect(job[field]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Object.keys(job).sort()).toEqual(
      ['attempts', 'created_at', 'error', 'finished_at', 'id', 'max_attempts', 'priority', 'progress', 'queue', 'result', 'run_at', 'started_at', 'status', 'step', 'updated_at'].sort(),
    );
  });

  it('shows the result once completed', async () => {
    release.open();
    const job = await waitForStatus(app, annJob, 'completed');
    expect(job).toMatchObject({ progress: 100, step: 'Counting invoices', result: { rows: 12 } });
  });

  it('shows any job of the organization to a holder of job:read_all, and only their own to others', async () => {
    expect((await get(annJob, 'admin-a')).statusCode).toBe(200);
    const other = await get(annJob, 'bob');
    expect(other.statusCode).toBe(404);
    expect(other.json().code).toBe('JOB_NOT_FOUND');
  });

  it('answers 404, never 403, for another organization’s job, an unknown id and a malformed one', async () => {
    for (const id of [annJob, 'job_01jd6v0v3kf8r9q7w2e5t4y6u8', 'job_nothing', 'usr_01jd6v0v3kf8r9q7w2e5t4y6u8']) {
      const response = await get(id, 'admin-b');
      expect(response.statusCode, id).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({ code: 'JOB_NOT_FOUND', title: 'Job not found' });
    }
    const khmer = await get('job_01jd6v0v3kf8r9q7w2e5t4y6u8', 'ann', { 'accept-language': 'km' });
    expect(khmer.json().title).toBe('រកមិនឃើញការងារ');
  });

  it('hides platform jobs (no organization) from everyone', async () => {
    for (const token of ['admin-a', 'admin-b'] as const) expect((await get(platformJob, token)).statusCode).toBe(404);
  });

  it('answers 401 without credentials and 403 without job:read', async () => {
    const anonymous = await get(annJob);
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().code).toBe('UNAUTHORIZED');
    expect((await get(annJob, undefined, { authorization: 'Bearer stranger' })).statusCode).toBe(401);
    const clerk = await get(annJob, 'clerk-a');
    expect(clerk.statusCode).toBe(403);
    expect(clerk.json().code).toBe('INSUFFICIENT_PERMISSIONS');
    for (const headers of [{}, bearer('clerk-a')]) {
      expect((await app.inject({ url: `/api/v1/jobs/${annJob}/events`, headers })).statusCode).toBe(Object.keys(headers).length ? 403 : 401);
    }
  });

  it('is documented in OpenAPI, the event stream as text/event-stream', async () => {
    const document = (await app.inject({ url: '/openapi.json' })).json();
    const job = document.paths['/api/v1/jobs/{id}'].get.responses['200'].content['application/json'].schema;
    expect(job.required).toEqual(expect.arrayContaining(['status', 'progress', 'step', 'result', 'error', 'finished_at']));
    expect(Object.keys(document.paths['/api/v1/jobs/{id}/events'].get.responses['200'].content)).toEqual(['text/event-stream']);
  });
});
