import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeUser, bearer, createIdentityApp, login, ROOT } from '../support/identity';

let app: FastifyInstance;
let root: string;
let ann: { id: string; token: string };
let bob: { id: string; token: string };
let admin: { id: string; token: string };
let auditor: { id: string; token: string };
let manager: { id: string; token: string };
let annJob: string;
let organizationId: string;

const reports = { name: 'jobs-reports', plugin: fp(async (app) => app.jobs.work('roles.report', {}, async () => ({ ok: true }))) };
const get = (id: string, token: string) => app.inject({ url: `/api/v1/jobs/${id}`, headers: bearer(token) });
const cancel = (id: string, token: string) => app.inject({ method: 'POST', url: `/api/v1/jobs/${id}/cancel`, headers: bearer(token) });
const listed = async (token: string) => ((await app.inject({ url: '/api/v1/jobs', headers: bearer(token) })).json().items as { id: string }[]).map((job) => job.id);
const enqueueFor = (userId: string, startAfter?: number) =>
  app.kernel.database.transaction((tx) => app.jobs.enqueue(tx, 'roles.report', {}, { organizationId, createdBy: userId, ...(startAfter && { startAfter }) }));

beforeAll(async () => {
  app = await createIdentityApp({ modules: [reports] });
  root = (await login(app, ROOT.email, ROOT.password)).access_token;
  ann = await activeUser(app, root, 'ann@example.com');
  bob = await activeUser(app, root, 'bob@example.com');
  admin = await activeUser(app, root, 'admin@example.com', 'admin');
  auditor = await activeUser(app, root, 'auditor@example.com', 'auditor');
  manager = await activeUser(app, root, 'manager@example.com', 'manager');
  const [user] = await app.kernel.database.query<{ organization_id: string }>('SELECT organization_id FROM users WHERE id = $1', [ann.id]);
  organizationId = user!.organization_id;
  annJob = (await enqueueFor(ann.id))!;
});
afterAll(() => app.close());

describe('who reads a job, with the built-in roles', () => {
  it('lets the user who started it read it, and no other plain user', async () => {
    expect((await get(annJob, ann.token)).statusCode).toBe(200);
    expect((await get(annJob, bob.token)).statusCode).toBe(404);
    expect((await get(annJob, auditor.token)).statusCode).toBe(404);
  });

  it('lets administrators read every job of their organization', async () => {
    for (const token of [admin.token, root]) {
      const response = await get(annJob, token);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ id: annJob, queue: 'roles.report' });
    }
  });
});

describe('who lists, cancels and retries jobs, with the built-in roles', () => {
  it('lists a user’s own jobs to them, every job to administrators', async () => {
    expect(await listed(ann.token)).toEqual([annJob]);
    expect(await listed(bob.token)).toEqual([]);
    expect(await listed(admin.token)).toContain(annJob);
  });

  it('lets only administrators cancel or retry, even a user’s own job', async () => {
    const annLater = (await enqueueFor(ann.id, 3600))!;
    const managerLater = (await enqueueFor(manager.id, 3600))!;
    for (const [id, token] of [[annLater, ann.token], [managerLater, manager.token], [annLater, auditor.token]] as const) {
      expect((await cancel(id, token)).statusCode).toBe(403);
      expect((await app.inject({ method: 'POST', url: `/api/v1/jobs/${id}/retry`, headers: bearer(token) })).statusCode).toBe(403);
    }
    expect((await get(annLater, ann.token)).json().status).toBe('queued');
    for (const [id, token] of [[annLater, admin.token], [managerLater, root]] as const) {
      const response = await cancel(id, token);
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ id, status: 'cancelled' });
    }
  });
});
