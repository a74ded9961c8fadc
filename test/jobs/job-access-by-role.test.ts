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
let annJob: string;

const reports = { name: 'jobs-reports', plugin: fp(async (app) => app.jobs.work('roles.report', {}, async () => ({ ok: true }))) };
const get = (id: string, token: string) => app.inject({ url: `/api/v1/jobs/${id}`, headers: bearer(token) });

beforeAll(async () => {
  app = await createIdentityApp({ modules: [reports] });
  root = (await login(app, ROOT.email, ROOT.password)).access_token;
  ann = await activeUser(app, root, 'ann@example.com');
  bob = await activeUser(app, root, 'bob@example.com');
  admin = await activeUser(app, root, 'admin@example.com', 'admin');
  auditor = await activeUser(app, root, 'auditor@example.com', 'auditor');
  const [user] = await app.kernel.database.query<{ organization_id: string }>('SELECT organization_id FROM users WHERE id = $1', [ann.id]);
  annJob = (await app.kernel.database.transaction((tx) => app.jobs.enqueue(tx, 'roles.report', {}, { organizationId: user!.organization_id, createdBy: ann.id })))!;
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
