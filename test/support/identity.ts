import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { identityModule } from '../../src/modules/identity/index';
import { createTestApp, type TestAppOptions } from './app';

export const ROOT = { email: 'root@example.com', password: 'Root-Passw0rd!x' };
export const STRONG_PASSWORD = 'Correct-Horse-42!';

/** An app with the identity module, a known super_admin, and rate limits off unless a test wants them. */
export function createIdentityApp(options: TestAppOptions = {}): Promise<FastifyInstance> {
  return createTestApp({
    ...options,
    modules: [identityModule, ...(options.modules ?? [])],
    env: { BOOTSTRAP_ADMIN_EMAIL: ROOT.email, BOOTSTRAP_ADMIN_PASSWORD: ROOT.password, RATE_LIMIT_ENABLED: 'false', ...options.env },
  });
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export async function login(app: FastifyInstance, email: string, password: string) {
  const response = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as { access_token: string; refresh_token: string; user_id: string; session_id: string };
}

/** The newest link of that kind mailed to `to`, read from the development mailbox. */
export async function mailedToken(app: FastifyInstance, to: string, path: 'verify-email' | 'reset-password'): Promise<string> {
  const rows = await app.kernel.database.query<{ text_body: string }>(
    'SELECT text_body FROM email_messages WHERE to_address = $1 ORDER BY created_at DESC, id DESC',
    [to],
  );
  for (const row of rows) {
    const match = new RegExp(`/${path}\\?token=([\\w.~%-]+)`).exec(row.text_body);
    if (match) return decodeURIComponent(match[1]!);
  }
  throw new Error(`no ${path} link mailed to ${to}`);
}

export async function mailTypes(app: FastifyInstance, to: string): Promise<string[]> {
  const rows = await app.kernel.database.query<{ message_type: string }>('SELECT message_type FROM email_messages WHERE to_address = $1 ORDER BY created_at, id', [to]);
  return rows.map((r) => r.message_type);
}

/** Creates an active user through the admin API and signs them in. */
export async function activeUser(app: FastifyInstance, adminToken: string, email: string, role = 'user', headers: Record<string, string> = {}) {
  const response = await app.inject({
    method: 'POST',
    url: '/api/v1/admin/users',
    headers: { ...bearer(adminToken), ...headers },
    payload: { email, password: STRONG_PASSWORD, first_name: 'Test', last_name: 'Person', role },
  });
  expect(response.statusCode, response.body).toBe(201);
  const session = await login(app, email, STRONG_PASSWORD);
  return { id: response.json().user_id as string, token: session.access_token, refresh: session.refresh_token };
}

export async function auditActions(app: FastifyInstance, resourceId: string): Promise<string[]> {
  const rows = await app.kernel.database.query<{ action: string }>('SELECT action FROM audit_logs WHERE resource_id = $1 OR actor_id = $1 ORDER BY created_at, id', [resourceId]);
  return rows.map((r) => r.action);
}

export async function eventTypes(app: FastifyInstance): Promise<string[]> {
  const rows = await app.kernel.database.query<{ type: string }>('SELECT type FROM outbox_events ORDER BY sequence');
  return rows.map((r) => r.type);
}
