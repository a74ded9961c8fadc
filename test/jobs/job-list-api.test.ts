import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../src/kernel/jobs/index';
import { archive, bearer, createJobsApp, enqueue, gate, sleep, waitForStatus, type Token } from './harness';

let app: FastifyInstance;
const release = gate();
/** Ids by owner, newest last. */
const ids = { ann: [] as string[], bob: [] as string[], orgB: [] as string[] };
let platformJob: string;
let done: string;
let failed: string;
let running: string;
let cancelled: string;
let archived: string;
let between: string;

interface JobPage {
  items: JobView[];
  next_cursor: string | null;
  has_more: boolean;
  total?: number;
}

const list = (query: string, token: Token = 'admin-a', headers: Record<string, string> = {}) =>
  app.inject({ url: `/api/v1/jobs${query}`, headers: { ...bearer(token), ...headers } });

async function page(query: string, token: Token = 'admin-a'): Promise<JobPage> {
  const response = await list(query, token);
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

/** Every page of a listing, following next_cursor. */
async function walk(query: string, token: Token, limit: number): Promise<{ pages: JobPage[]; items: JobView[] }> {
  const pages: JobPage[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams(query);
    params.set('limit', String(limit));
    if (cursor) params.set('cursor', cursor);
    const current = await page(`?${params}`, token);
    pages.push(current);
    cursor = current.next_cursor;
    expect(current.has_more).toBe(cursor !== null);
    if (pages.length > 50) throw new Error('too many pages');
  } while (cursor);
  return { pages, items: pages.flatMap((p) => p.items) };
}

const idsOf = (items: JobView[]) => items.map((job) => job.id);
const later = { startAfter: 3600 };

beforeAll(async () => {
  app = await createJobsApp((jobs) => {
    jobs.work('list.done', {}, async () => ({ ok: true }));
    jobs.work('list.fail', { retryLimit: 0 }, async () => {
      throw new Error('no luck');
    });
    jobs.work('list.held', {}, async () => release.promise);
    jobs.work('list.later', {}, async () => null);
  });
  // Twelve jobs in one transaction share their created_at: the id breaks the tie.
  await app.kernel.database.transaction(async (tx) => {
    for (let i = 0; i < 12; i++) ids.ann.push((await app.jobs.enqueue(tx, 'list.later', { i }, { organizationId: 'org_a', createdBy: 'usr_ann', ...later }))!);
  });
  for (let i = 0; i < 3; i++) ids.bob.push((await enqueue(app, 'list.later', { i }, { createdBy: 'usr_bob', ...later }))!);
  for (let i = 0; i < 2; i++) ids.orgB.push((await enqueue(app, 'list.later', { i }, { organizationId: 'org_b', createdBy: 'usr_admin_b', ...later }))!);
  platformJob = (await enqueue(app, 'list.later', {}, { organizationId: null, createdBy: null, ...later }))!;
  await sleep(20);
  between = new Date().toISOString();
  await sleep(20);
  for (let i = 0; i < 8; i++) ids.ann.push((await enqueue(app, 'list.later', { i }, later))!);
  done = (await enqueue(app, 'list.done', {}))!;
  failed = (await enqueue(app, 'list.fail', {}))!;
  running = (await enqueue(app, 'list.held', {}))!;
  cancelled = (await enqueue(app, 'list.later', {}, later))!;
  archived = (await enqueue(app, 'list.done', {}))!;
  ids.ann.push(done, failed, running, cancelled, archived);
  await app.jobs.cancel(cancelled);
  await waitForStatus(app, done, 'completed');
  await waitForStatus(app, failed, 'failed');
  await waitForStatus(app, running, 'running');
  await waitForStatus(app, archived, 'completed');
  await archive(app, archived);
});
afterAll(async () => {
  release.open();
  await app.close();
});

describe('GET /api/v1/jobs', () => {
  it('walks every page of the caller’s own jobs, newest first, without duplicates or gaps', async () => {
    const { pages, items } = await walk('', 'ann', 7);
    expect(pages).toHaveLength(Math.ceil(ids.ann.length / 7));
    expect(pages.at(-1)).toMatchObject({ has_more: false, next_cursor: null });
    expect(new Set(idsOf(items)).size).toBe(items.length);
    expect(idsOf(items).sort()).toEqual([...ids.ann].sort());
    // Newest first; jobs created together in order of their id, which also sorts by creation.
    for (let i = 1; i < items.length; i++) {
      const [previous, current] = [items[i - 1]!, items[i]!];
      expect(previous.created_at >= current.created_at).toBe(true);
      if (previous.created_at === current.created_at) expect(previous.id > current.id).toBe(true);
    }
    expect(idsOf(items)).toEqual([...ids.ann].reverse());
    expect(items.find((job) => job.id === archived)).toMatchObject({ status: 'completed', result: { ok: true }, progress: 100 });
  });

  it('shows each job as GET /jobs/{id} does', async () => {
    const { items } = await page('?limit=100', 'ann');
    for (const id of [done, failed, running, cancelled, archived]) {
      const one = (await list(`/${id}`, 'ann')).json();
      expect(items.find((job) => job.id === id)).toEqual({ ...one, updated_at: expect.any(String) });
    }
    expect(items.find((job) => job.id === failed)).toMatchObject({ status: 'failed', error: { message: 'no luck' } });
    expect(items.find((job) => job.id === running)).toMatchObject({ status: 'running', attempts: 1 });
  });

  it('walks pages ascending too, and counts on request', async () => {
    const { items } = await walk('sort=created_at&include_total=true', 'admin-a', 10);
    expect(idsOf(items)).toEqual([...ids.ann.slice(0, 12), ...ids.bob, ...ids.ann.slice(12)]);
    const first = await page('?limit=5&include_total=true', 'admin-a');
    expect(first.total).toBe(ids.ann.length + ids.bob.length);
  });

  it('shows the whole organization to holders of job:read_all, never another organization’s or platform jobs', async () => {
    const all = idsOf((await walk('', 'admin-a', 100)).items);
    expect(all.sort()).toEqual([...ids.ann, ...ids.bob].sort());
    expect(idsOf((await page('', 'bob')).items).sort()).toEqual([...ids.bob].sort());
    expect(idsOf((await page('', 'operator-a')).items)).toEqual([]);
    expect(idsOf((await page('', 'admin-b')).items).sort()).toEqual([...ids.orgB].sort());
    for (const token of ['ann', 'admin-a', 'admin-b'] as const) expect(idsOf((await page('?limit=100', token)).items)).not.toContain(platformJob);
  });

  it('filters by status, one or several', async () => {
    expect(idsOf((await page('?status=failed')).items)).toEqual([failed]);
    expect(idsOf((await page('?status=completed')).items)).toEqual([archived, done]);
    expect(idsOf((await page('?status=cancelled')).items)).toEqual([cancelled]);
    expect(idsOf((await page('?status=running&status=failed')).items)).toEqual([running, failed]);
    const queued = await walk('status=queued', 'admin-a', 8);
    expect(idsOf(queued.items).sort()).toEqual([...ids.ann.slice(0, 20), ...ids.bob].sort());
    expect(queued.items.every((job) => job.status === 'queued')).toBe(true);
    expect((await page('?status=retrying')).items).toEqual([]);
    // The filter applies after the visibility rule.
    expect(idsOf((await page('?status=queued&include_total=true', 'bob')).items).sort()).toEqual([...ids.bob].sort());
  });

  it('filters by queue and by creation time', async () => {
    expect(idsOf((await page('?queue=list.done')).items)).toEqual([archived, done]);
    expect((await page('?queue=list.unknown')).items).toEqual([]);
    const recent = (await walk(`created_after=${encodeURIComponent(between)}`, 'admin-a', 100)).items;
    expect(idsOf(recent).sort()).toEqual(ids.ann.slice(12).sort());
    const older = (await walk(`created_before=${encodeURIComponent(between)}`, 'admin-a', 100)).items;
    expect(idsOf(older).sort()).toEqual([...ids.ann.slice(0, 12), ...ids.bob].sort());
    expect(idsOf((await page(`?queue=list.later&status=queued&created_after=${encodeURIComponent(between)}`)).items)).toEqual(ids.ann.slice(12, 20).reverse());
  });

  it('is never cached', async () => {
    expect((await list('', 'ann')).headers['cache-control']).toBe('no-store');
  });

  it('answers 422 problem+json for a bad filter, 400 for a bad cursor', async () => {
    for (const query of ['?status=done', '?status=queued,running', '?queue=Bad%20Queue', '?created_after=yesterday', '?limit=0', '?limit=101', '?sort=status']) {
      const response = await list(query);
      expect(response.statusCode, query).toBe(422);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().code).toBe('VALIDATION_ERROR');
    }
    const khmer = await list('?status=done', 'admin-a', { 'accept-language': 'km' });
    expect(khmer.statusCode).toBe(422);
    const first = await page('?limit=2');
    const tampered = await list(`?limit=2&cursor=${first.next_cursor!.slice(0, -2)}xx`);
    expect(tampered.statusCode).toBe(400);
    expect(tampered.json().code).toBe('INVALID_CURSOR');
    // A cursor belongs to its sort order.
    expect((await list(`?limit=2&sort=created_at&cursor=${first.next_cursor}`)).json().code).toBe('INVALID_CURSOR');
  });

  it('answers 401 without credentials and 403 without job:read', async () => {
    expect((await app.inject({ url: '/api/v1/jobs' })).statusCode).toBe(401);
    const clerk = await list('', 'clerk-a');
    expect(clerk.statusCode).toBe(403);
    expect(clerk.json().code).toBe('INSUFFICIENT_PERMISSIONS');
  });

  it('is documented in OpenAPI with its filters', async () => {
    const document = (await app.inject({ url: '/openapi.json' })).json();
    const operation = document.paths['/api/v1/jobs'].get;
    expect(operation.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['limit', 'cursor', 'sort', 'include_total', 'status', 'queue', 'created_after', 'created_before']),
    );
    const status = operation.parameters.find((p: { name: string }) => p.name === 'status');
    expect(status.schema.type).toBe('array');
    expect(operation.responses['200'].content['application/json'].schema.required).toEqual(expect.arrayContaining(['items', 'next_cursor', 'has_more']));
  });
});
