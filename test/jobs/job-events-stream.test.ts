import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, createJobsApp, enqueue, gate, openEventStream, waitFor, waitForStatus } from './harness';

let app: FastifyInstance;
let base: string;
const gates = new Map<string, ReturnType<typeof gate<void>>>();
const gateOf = (key: string) => gates.get(key) ?? gates.set(key, gate()).get(key)!;
let watching = 0;

beforeAll(async () => {
  app = await createJobsApp((jobs) => {
    jobs.work('sse.export', { concurrency: 4 }, async (data, { progress }) => {
      const { key } = data as { key: string };
      await gateOf(key).promise;
      await progress(25, 'Reading');
      await progress(50, 'Writing');
      await progress(50.4, 'Writing');
      return { file: `${key}.csv` };
    });
  });
  // Counts the stream subscriptions, to see them released.
  const watch = app.jobs.watch;
  app.jobs.watch = (id, watcher) => {
    watching++;
    const stop = watch(id, watcher);
    return () => {
      watching--;
      stop();
    };
  };
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/api/v1/jobs`;
});
afterAll(() => app.close());

describe('GET /api/v1/jobs/{id}/events', () => {
  it('streams the state, each progress report and the completion, then ends', async () => {
    const id = (await enqueue(app, 'sse.export', { key: 'a' }))!;
    const stream = await openEventStream(`${base}/${id}/events`, { ...bearer('ann'), 'accept-encoding': 'gzip, br' });
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(stream.headers['content-encoding']).toBeUndefined();
    expect(stream.headers['cache-control']).toBe('no-store');
    expect(stream.headers['x-request-id']).toBeTruthy();

    await waitFor(() => stream.jobEvents().length > 0, 5000, 'the first event');
    gateOf('a').open();
    await stream.done;
    expect(stream.ended()).toBe(true);
    expect(stream.events[0]).toEqual({ retry: '2000' });
    const events = stream.jobEvents();
    expect(events[0]).toMatchObject({ event: 'status', job: { id, queue: 'sse.export' } });
    expect(['queued', 'running']).toContain(events[0]!.job.status);
    const progress = events.filter((e) => e.event === 'progress').map((e) => [e.job.progress, e.job.step, e.job.status]);
    expect(progress).toEqual([
      [25, 'Reading', 'running'],
      [50, 'Writing', 'running'],
    ]);
    const last = events.at(-1)!;
    expect(last).toMatchObject({ event: 'status', job: { status: 'completed', progress: 100, result: { file: 'a.csv' } } });
    const ids = events.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect(new Set(events.filter((e) => e.event === 'progress').map((e) => e.id)).size).toBe(2);
    await waitFor(() => watching === 0, 2000, 'the subscription to end');
  });

  it('sends heartbeats while nothing happens, and lets go when the client leaves', async () => {
    const id = (await enqueue(app, 'sse.export', { key: 'b' }))!;
    const stream = await openEventStream(`${base}/${id}/events`, bearer('ann'));
    await waitFor(() => stream.events.some((e) => e.comment === 'heartbeat'), 3000, 'a heartbeat');
    expect(watching).toBe(1);
    stream.close();
    await waitFor(() => watching === 0, 2000, 'the subscription to end');
    gateOf('b').open();
    await waitForStatus(app, id, 'completed');
  });

  it('sends one event and ends for a job already finished', async () => {
    const id = (await enqueue(app, 'sse.export', { key: 'c' }))!;
    gateOf('c').open();
    await waitForStatus(app, id, 'completed');
    const response = await app.inject({ url: `/api/v1/jobs/${id}/events`, headers: bearer('admin-a') });
    expect(response.statusCode).toBe(200);
    const blocks = response.body.trim().split('\n\n');
    expect(blocks).toHaveLength(2);
    expect(blocks[1]).toMatch(/^id: \d+\nevent: status\ndata: \{.*"status":"completed"/);
  });

  it('answers problem+json 404 for a job the caller may not see', async () => {
    const id = (await enqueue(app, 'sse.export', { key: 'd' }))!;
    for (const token of ['bob', 'admin-b'] as const) {
      const response = await app.inject({ url: `/api/v1/jobs/${id}/events`, headers: bearer(token) });
      expect(response.statusCode).toBe(404);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    gateOf('d').open();
  });

  it('ends open streams when the server shuts down, without waiting for the job', async () => {
    const local = await createJobsApp((jobs) => jobs.work('sse.forever', {}, () => new Promise(() => {})), { jobs: { shutdownGraceMs: 100 } });
    await local.listen({ port: 0, host: '127.0.0.1' });
    const id = (await enqueue(local, 'sse.forever', {}))!;
    const { port } = local.server.address() as { port: number };
    const stream = await openEventStream(`http://127.0.0.1:${port}/api/v1/jobs/${id}/events`, bearer('ann'));
    await waitFor(() => stream.jobEvents().length > 0, 5000, 'the first event');
    const start = Date.now();
    await local.close();
    expect(Date.now() - start).toBeLessThan(1500);
    await stream.done;
    expect(stream.ended()).toBe(true);
  });
});
