import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeUser, bearer, createIdentityApp, login, ROOT } from '../support/identity';

let app: FastifyInstance;
let auditorToken: string;
let subject: { id: string; token: string };

beforeAll(async () => {
  app = await createIdentityApp();
  const root = (await login(app, ROOT.email, ROOT.password)).access_token;
  auditorToken = (await activeUser(app, root, 'auditor@example.com', 'auditor')).token;
  subject = await activeUser(app, root, 'subject@example.com');
  await app.inject({ method: 'POST', url: '/api/v1/auth/login', headers: { 'user-agent': 'Probe/2.0', 'x-request-id': 'req-audit-1' }, payload: { email: 'subject@example.com', password: 'Wrong-Pass-1!' } });
});
afterAll(() => app.close());

describe('audit trail (seed 003 §4)', () => {
  it('records authentication events with actor, outcome, severity, ip, user agent and request id', async () => {
    const response = await app.inject({ url: `/api/v1/audit/logs?user_id=${subject.id}&action=security.failed_login`, headers: bearer(auditorToken) });
    expect(response.statusCode).toBe(200);
    const [entry] = response.json().items;
    expect(entry).toMatchObject({
      user_id: subject.id,
      action: 'security.failed_login',
      resource_type: 'authentication',
      outcome: 'failure',
      severity: 'medium',
      ip_address: '127.0.0.1',
      user_agent: 'Probe/2.0',
      request_id: 'req-audit-1',
      metadata: { reason: 'invalid_password', failed_attempts: 1, locked: false },
    });
  });

  it('filters by severity, outcome and period, newest first, with keyset pages', async () => {
    const failures = (await app.inject({ url: '/api/v1/audit/logs?outcome=failure', headers: bearer(auditorToken) })).json();
    expect(failures.items.every((e: { outcome: string }) => e.outcome === 'failure')).toBe(true);
    const future = (await app.inject({ url: `/api/v1/audit/logs?start_date=${encodeURIComponent('2999-01-01T00:00:00Z')}`, headers: bearer(auditorToken) })).json();
    expect(future.items).toEqual([]);
    const page = (await app.inject({ url: '/api/v1/audit/logs?limit=2', headers: bearer(auditorToken) })).json();
    expect(page.items).toHaveLength(2);
    expect(page.items[0].timestamp >= page.items[1].timestamp).toBe(true);
    expect(page.has_more).toBe(true);
  });

  it('summarises the trail', async () => {
    const summary = (await app.inject({ url: '/api/v1/audit/summary', headers: bearer(auditorToken) })).json();
    expect(summary.total_events).toBeGreaterThanOrEqual(5);
    expect(summary.events_by_action['user.login']).toBeGreaterThanOrEqual(3);
    expect(summary.events_by_severity.medium).toBeGreaterThanOrEqual(1);
    expect(summary.recent_failures).toBeGreaterThanOrEqual(1);
  });

  it('cannot be changed or deleted, not even with direct SQL', async () => {
    const { database } = app.kernel;
    // Drizzle wraps the driver's error: the trigger's message is in the cause.
    const refusal = async (work: Promise<unknown>) => {
      const error = await work.then(() => null, (e: Error) => e);
      return `${error?.message} ${(error?.cause as Error | undefined)?.message}`;
    };
    expect(await refusal(database.query(`UPDATE audit_logs SET action = 'nothing'`))).toContain('audit_logs is append-only');
    expect(await refusal(database.query('DELETE FROM audit_logs'))).toContain('audit_logs is append-only');
    expect(await refusal(database.query('TRUNCATE audit_logs'))).toContain('audit_logs is append-only');
    // Even the GDPR opt-in only lets personal fields be cleared, nothing rewritten.
    const rewrite = database.transaction(async (tx) => {
      await tx.execute(`SET LOCAL deskbase.audit_anonymize = 'on'`);
      await tx.execute(`UPDATE audit_logs SET action = 'rewritten'`);
    });
    expect(await refusal(rewrite)).toContain('audit_logs is append-only');
    const count = await database.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'user.login'`);
    expect(count[0]!.n).toBeGreaterThanOrEqual(3);
  });

  it('is not visible to a user without audit:read', async () => {
    expect((await app.inject({ url: '/api/v1/audit/summary', headers: bearer(subject.token) })).statusCode).toBe(403);
  });
});
