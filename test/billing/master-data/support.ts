import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { billingModule } from '../../../src/modules/billing/index';
import { activeUser, bearer, createIdentityApp, login, ROOT, STRONG_PASSWORD } from '../../support/identity';
import type { TestAppOptions } from '../../support/app';

export interface MasterDataFixture {
  app: FastifyInstance;
  tokens: { admin: string; manager: string; user: string; auditor: string; otherAdmin: string };
  /** Requests as one of the fixture's people. */
  as(who: keyof MasterDataFixture['tokens']): Client;
}

export type Client = ReturnType<typeof clientFor>;

function clientFor(app: FastifyInstance, token: string) {
  const send = (method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method, url: `/api/v1/master-data${url}`, headers: { ...bearer(token), ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });
  return {
    get: (url: string, headers?: Record<string, string>) => send('GET', url, undefined, headers),
    post: (url: string, payload: unknown, headers?: Record<string, string>) => send('POST', url, payload, headers),
    patch: (url: string, payload: unknown, headers?: Record<string, string>) => send('PATCH', url, payload, headers),
    put: (url: string, payload: unknown, headers?: Record<string, string>) => send('PUT', url, payload, headers),
    delete: (url: string, headers?: Record<string, string>) => send('DELETE', url, undefined, headers),
    /** POST that must answer 201; returns the created resource. */
    async create(url: string, payload: unknown) {
      const response = await send('POST', url, payload);
      expect(response.statusCode, response.body).toBe(201);
      return response.json();
    },
  };
}

/** An app with identity and billing, people of every relevant role, and a second organization. */
export async function createMasterDataApp(options: TestAppOptions = {}): Promise<MasterDataFixture> {
  const app = await createIdentityApp({ ...options, modules: [billingModule] });
  const root = (await login(app, ROOT.email, ROOT.password)).access_token;
  const [admin, manager, user, auditor] = await Promise.all(
    (['admin', 'manager', 'user', 'auditor'] as const).map(async (role) => (await activeUser(app, root, `md-${role}@example.com`, role)).token),
  );
  const other = await app.inject({
    method: 'POST',
    url: '/api/v1/organizations',
    headers: bearer(root),
    payload: { name: 'Other Org', admin: { email: 'md-other@example.com', password: STRONG_PASSWORD, first_name: 'Oth', last_name: 'Er' } },
  });
  expect(other.statusCode, other.body).toBe(201);
  const otherAdmin = (await login(app, 'md-other@example.com', STRONG_PASSWORD)).access_token;
  const tokens = { admin: admin!, manager: manager!, user: user!, auditor: auditor!, otherAdmin };
  return { app, tokens, as: (who) => clientFor(app, tokens[who]) };
}

/** Rows of a table (a test's way to prove that a refused write changed nothing). */
export async function countRows(app: FastifyInstance, table: string): Promise<number> {
  const [row] = await app.kernel.database.query<{ n: string | number }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(row!.n);
}
