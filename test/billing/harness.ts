import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { createBillingModule, type BillingModuleOptions } from '../../src/modules/billing/index';
import type { TestAppOptions } from '../support/app';
import { activeUser, bearer, createIdentityApp, login, ROOT, STRONG_PASSWORD } from '../support/identity';

export { bearer };

export interface BillingWorld {
  app: FastifyInstance;
  /** Tokens: an admin, a manager and a plain user of organization A; the admin of organization B. */
  adminA: string;
  managerA: string;
  userA: string;
  adminB: string;
}

/**
 * An app with identity and billing, and two organizations with their people signed in; `options`
 * adds to the app's (e.g. `env: { SMTP_URL }` to send through a test SMTP server), `billing` to the
 * billing module's (e.g. a gateway registry with a test provider).
 */
export async function createBillingWorld(options: TestAppOptions & { billing?: BillingModuleOptions } = {}): Promise<BillingWorld> {
  const { billing, ...appOptions } = options;
  const app = await createIdentityApp({ ...appOptions, modules: [createBillingModule(billing), ...(appOptions.modules ?? [])] });
  const adminA = (await login(app, ROOT.email, ROOT.password)).access_token;
  const org = await app.inject({
    method: 'POST',
    url: '/api/v1/organizations',
    headers: bearer(adminA),
    payload: { name: 'Other Books Ltd', admin: { email: 'boss@other.example', password: STRONG_PASSWORD, first_name: 'Other', last_name: 'Boss' } },
  });
  expect(org.statusCode, org.body).toBe(201);
  const adminB = (await login(app, 'boss@other.example', STRONG_PASSWORD)).access_token;
  const managerA = (await activeUser(app, adminA, 'manager@books.example', 'manager')).token;
  const userA = (await activeUser(app, adminA, 'clerk@books.example', 'user')).token;
  return { app, adminA, managerA, userA, adminB };
}

/** Sends a JSON request with a bearer token. */
export function call(app: FastifyInstance, token: string, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) {
  return app.inject({ method, url, headers: { ...bearer(token), ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });
}

/**
 * `/api/v1` requests on a world made in beforeAll (hence a getter), as the world's `role` unless a
 * call names another token.
 */
export function requestsOn(world: () => BillingWorld, role: 'adminA' | 'managerA' = 'adminA') {
  return {
    get: (url: string, token = world()[role]) => call(world().app, token, 'GET', `/api/v1${url}`),
    post: (url: string, body: object, token = world()[role], headers: Record<string, string> = {}) => call(world().app, token, 'POST', `/api/v1${url}`, body, headers),
  };
}

/** A billing address in the Indian state `state` (e.g. `KA`). */
export const india = (state: string) => ({ line1: '1 Road', city: 'City', state, country: 'IN' });

/** Uploads a file (multipart POST /files) as the token's user; answers its id. */
export async function uploadFile(app: FastifyInstance, token: string, filename: string, content: Buffer): Promise<string> {
  const boundary = 'deskbase-test-boundary';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    content,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const response = await app.inject({ method: 'POST', url: '/api/v1/files', headers: { ...bearer(token), 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
  expect(response.statusCode, response.body).toBe(201);
  return response.json().id;
}
