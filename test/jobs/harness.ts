import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { get as httpGet, type IncomingMessage } from 'node:http';
import type { Actor } from '../../src/kernel/auth/actor';
import { fakeAuthModule } from '../../src/kernel/auth/testing';
import type { EnqueueOptions, JobService, JobView } from '../../src/kernel/jobs/index';
import { jobUuidOf } from '../../src/kernel/jobs/job-ids';
import { createTestApp, type TestAppOptions } from '../support/app';

const actor = (organizationId: string, id: string, permissions: string[]): Actor => ({ type: 'user', id, organizationId, role: 'user', permissions });

/**
 * Bearer tokens of the fake authenticator: two plain users, an operator who may cancel and retry
 * (their own jobs: no job:read_all) and an admin in org_a, an admin in org_b.
 */
export const ACTORS = {
  ann: actor('org_a', 'usr_ann', ['job:read']),
  bob: actor('org_a', 'usr_bob', ['job:read']),
  'operator-a': actor('org_a', 'usr_operator', ['job:read', 'job:cancel', 'job:retry']),
  'admin-a': actor('org_a', 'usr_admin_a', ['job:*']),
  'admin-b': actor('org_b', 'usr_admin_b', ['job:*']),
  'clerk-a': actor('org_a', 'usr_clerk', ['profile:read']),
} satisfies Record<string, Actor>;

export type Token = keyof typeof ACTORS;
export const bearer = (token: Token) => ({ authorization: `Bearer ${token}` });

/**
 * An app whose test module declares queues through `register`, with timings short enough for
 * tests: workers poll every 100 ms, crashed jobs are looked for every second, heartbeats every 200 ms.
 */
export function createJobsApp(register: (jobs: JobService) => void, options: TestAppOptions = {}): Promise<FastifyInstance> {
  return createTestApp({
    ...options,
    modules: [fakeAuthModule('jobs-auth', ACTORS), { name: 'jobs-test', plugin: fp(async (app) => register(app.jobs)) }],
    jobs: { pollIntervalMs: 100, maintenanceIntervalSeconds: 1, cronIntervalSeconds: 1, heartbeatMs: 200, shutdownGraceMs: 1000, ...options.jobs },
  });
}

/** Enqueues one job for ann (org_a) in its own transaction. */
export function enqueue(app: FastifyInstance, queue: string, data: object, options: Partial<EnqueueOptions> = {}): Promise<string | null> {
  return app.kernel.database.transaction((tx) => app.jobs.enqueue(tx, queue, data, { organizationId: 'org_a', createdBy: 'usr_ann', ...options }));
}

export async function getJob(app: FastifyInstance, id: string, token: Token = 'admin-a'): Promise<JobView> {
  const response = await app.inject({ url: `/api/v1/jobs/${id}`, headers: bearer(token) });
  if (response.statusCode !== 200) throw new Error(`GET /jobs/${id}: ${response.statusCode} ${response.body}`);
  return response.json();
}

/** Moves a finished job into pg-boss's archive, as its maintenance does 12 hours after it finished. */
export async function archive(app: FastifyInstance, id: string): Promise<void> {
  const columns = 'id, name, priority, data, state, retry_limit, retry_count, retry_delay, retry_backoff, start_after, started_on, singleton_key, singleton_on, expire_in, created_on, completed_on, keep_until, dead_letter, policy, output';
  const uuid = jobUuidOf(id)!;
  const moved = await app.kernel.database.query(`WITH moved AS (DELETE FROM pgboss.job WHERE id = $1 RETURNING *) INSERT INTO pgboss.archive (${columns}) SELECT ${columns} FROM moved RETURNING id`, [uuid]);
  if (moved.length !== 1) throw new Error(`${id} is not in pgboss.job`);
}

/** Polls until `check` answers something truthy, for at most `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T> | T, timeoutMs = 10_000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The job once it reaches `status`. */
export const waitForStatus = (app: FastifyInstance, id: string, status: JobView['status'], timeoutMs = 10_000) =>
  waitFor(async () => {
    const job = await getJob(app, id);
    return job.status === status ? job : null;
  }, timeoutMs, `${id} to be ${status}`);

/** A promise the test resolves when it chooses (to hold a handler mid-job). */
export function gate<T = void>() {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ServerSentEvent {
  id?: string;
  event?: string;
  data?: string;
  retry?: string;
  comment?: string;
}

function parseEvent(block: string): ServerSentEvent {
  const event: ServerSentEvent = {};
  for (const line of block.split('\n')) {
    const [, field = '', value = ''] = /^([^:]*):? ?(.*)$/.exec(line) ?? [];
    if (field === '') event.comment = value;
    else if (field === 'id' || field === 'event' || field === 'data' || field === 'retry') event[field] = value;
  }
  return event;
}

/**
 * Reads a server-sent event stream over real HTTP, on a connection of its own (fetch's pool keeps
 * sockets around after an abort, which would hold the server's close open).
 */
export async function openEventStream(url: string, headers: Record<string, string>) {
  const events: ServerSentEvent[] = [];
  let ended = false;
  let settle!: () => void;
  const done = new Promise<void>((resolve) => (settle = resolve));
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const request = httpGet(url, { headers, agent: false }, resolve);
    request.on('error', reject);
  });
  let buffer = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      events.push(parseEvent(buffer.slice(0, end)));
      buffer = buffer.slice(end + 2);
    }
  });
  response.on('end', () => {
    ended = true;
    settle();
  });
  response.on('close', settle);
  /** Events with a data line, their JSON parsed. */
  const jobEvents = () => events.filter((e) => e.data !== undefined).map((e) => ({ id: Number(e.id), event: e.event, job: JSON.parse(e.data!) as JobView }));
  return { status: response.statusCode, headers: response.headers, events, jobEvents, ended: () => ended, done, close: () => response.destroy() };
}
