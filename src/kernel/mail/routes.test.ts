import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../../test/support/app';
import type { MailService } from './index';
import { bearer, mailTestModule } from './testing';

let app: FastifyInstance;
let mail: MailService;
let tick = Date.parse('2026-03-01T00:00:00.000Z');
const ids: Record<string, string> = {};

const get = (url: string, headers: Record<string, string> = bearer('admin-a')) => app.inject({ method: 'GET', url, headers });

beforeAll(async () => {
  // No SMTP_URL: the development mailbox.
  app = await createTestApp({ modules: [mailTestModule()], now: () => new Date(tick) });
  mail = app.mail;
  const send = (key: string, organizationId: string, type: string, to: string, variables: Record<string, unknown>, locale?: string) =>
    app.kernel.database.transaction(async (tx) => {
      ids[key] = await mail.send(tx, { organizationId, type, to, locale, variables });
      tick += 60_000; // one minute apart, so the date filters have edges to cut at
    });
  await send('verify', 'org_a', 'verify_email', 'ann@example.com', { first_name: 'Ann', link: 'http://localhost:3000/verify-email?token=v1' });
  await send('reset', 'org_a', 'password_reset', 'ann@example.com', { first_name: 'Ann', link: 'http://localhost:3000/reset-password?token=r1' });
  await send('invite', 'org_a', 'invitation', 'bo@example.com', { first_name: 'Bo', link: 'http://localhost:3000/reset-password?token=i1', organization_name: 'Acme' });
  await send('approved', 'org_a', 'account_approved', 'bo@example.com', { first_name: 'Bo' }, 'km');
  await send('rejected', 'org_a', 'account_rejected', 'cy@example.com', { first_name: 'Cy', reason: 'Unknown applicant' });
  await send('foreign', 'org_b', 'password_changed', 'dee@example.com', { first_name: 'Dee' });
});
afterAll(() => app.close());

describe('development mailbox', () => {
  it('stores the message as sent without any SMTP server', async () => {
    expect(mail.transport).toBe('mailbox');
    const response = await get(`/api/v1/email/messages/${ids.verify}`);
    expect(response.statusCode).toBe(200);
    const message = response.json();
    expect(message).toMatchObject({
      id: ids.verify,
      type: 'verify_email',
      to: 'ann@example.com',
      from: 'Deskbase <no-reply@localhost>',
      subject: 'Verify your email address',
      locale: 'en',
      transport: 'mailbox',
      status: 'sent',
      attempts: 1,
      smtp_message_id: null,
      last_error: null,
      attachments: [],
      created_at: '2026-03-01T00:00:00.000Z',
      sent_at: '2026-03-01T00:00:00.000Z',
    });
    expect(message.text_body).toContain('http://localhost:3000/verify-email?token=v1');
    expect(message.html_body).toContain('href="http://localhost:3000/verify-email?token=v1"');
  });

  it('lists the organization’s messages newest first, without bodies', async () => {
    const response = await get('/api/v1/email/messages');
    expect(response.statusCode).toBe(200);
    const page = response.json();
    expect(page.items.map((m: { id: string }) => m.id)).toEqual([ids.rejected, ids.approved, ids.invite, ids.reset, ids.verify]);
    expect(page).toMatchObject({ has_more: false, next_cursor: null });
    expect(page.items[0]).not.toHaveProperty('text_body');
    expect(page.items[1]).toMatchObject({ locale: 'km', subject: 'គណនីរបស់អ្នកត្រូវបានអនុម័ត' });
  });

  it('walks pages with a cursor, in both orders', async () => {
    const seen: string[] = [];
    let url: string | null = '/api/v1/email/messages?limit=2&include_total=true';
    while (url) {
      const page: { items: { id: string }[]; next_cursor: string | null; total: number } = (await get(url)).json();
      expect(page.total).toBe(5);
      seen.push(...page.items.map((m) => m.id));
      url = page.next_cursor ? `/api/v1/email/messages?limit=2&include_total=true&cursor=${encodeURIComponent(page.next_cursor)}` : null;
    }
    expect(seen).toEqual([ids.rejected, ids.approved, ids.invite, ids.reset, ids.verify]);
    const ascending = (await get('/api/v1/email/messages?sort=created_at&limit=1')).json();
    expect(ascending.items[0].id).toBe(ids.verify);
    const next = (await get(`/api/v1/email/messages?sort=created_at&limit=1&cursor=${encodeURIComponent(ascending.next_cursor)}`)).json();
    expect(next.items[0].id).toBe(ids.reset);
  });

  it.each([
    ['to=ann@example.com', ['reset', 'verify']],
    ['to=ANN@example.com', []],
    ['type=invitation', ['invite']],
    ['status=sent&type=account_rejected', ['rejected']],
    ['status=failed', []],
    ['created_after=2026-03-01T00:02:00.000Z', ['rejected', 'approved', 'invite']],
    ['created_before=2026-03-01T00:02:00.000Z', ['reset', 'verify']],
    ['created_after=2026-03-01T00:01:00Z&created_before=2026-03-01T00:03:00Z&to=bo@example.com', ['invite']],
  ])('filters by %s', async (query, expected) => {
    const response = await get(`/api/v1/email/messages?${query}`);
    expect(response.statusCode).toBe(200);
    expect(response.json().items.map((m: { id: string }) => m.id)).toEqual(expected.map((key) => ids[key]));
  });

  it('refuses bad filters', async () => {
    expect((await get('/api/v1/email/messages?status=lost')).statusCode).toBe(422);
    expect((await get('/api/v1/email/messages?created_after=yesterday')).statusCode).toBe(422);
    expect((await get('/api/v1/email/messages?sort=to')).statusCode).toBe(422);
    const unknown = await get('/api/v1/email/messages?organization_id=org_b');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().code).toBe('UNKNOWN_PARAMETER');
  });
});

describe('access', () => {
  it('answers 401 without a token, and with an unknown one', async () => {
    for (const headers of [{}, { authorization: 'Bearer nobody' }] as Record<string, string>[]) {
      expect((await get('/api/v1/email/messages', headers)).statusCode).toBe(401);
      expect((await get(`/api/v1/email/messages/${ids.verify}`, headers)).statusCode).toBe(401);
    }
  });

  it('answers 403 to a caller without email:read', async () => {
    const response = await get('/api/v1/email/messages', bearer('clerk-a'));
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('INSUFFICIENT_PERMISSIONS');
    expect((await get(`/api/v1/email/messages/${ids.verify}`, bearer('clerk-a'))).statusCode).toBe(403);
  });

  it('keeps each organization to its own messages: another’s answers 404', async () => {
    const other = (await get('/api/v1/email/messages', bearer('admin-b'))).json();
    expect(other.items.map((m: { id: string }) => m.id)).toEqual([ids.foreign]);
    for (const [id, token] of [[ids.foreign, 'admin-a'], [ids.verify, 'admin-b']] as const) {
      const response = await get(`/api/v1/email/messages/${id}`, bearer(token));
      expect(response.statusCode).toBe(404);
      expect(response.json().code).toBe('EMAIL_MESSAGE_NOT_FOUND');
    }
    const missing = await app.inject({ url: '/api/v1/email/messages/eml_nothing', headers: { ...bearer('admin-a'), 'accept-language': 'km' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().title).toBe('រកមិនឃើញសារអ៊ីមែល');
  });

  it('documents both endpoints in OpenAPI', async () => {
    const paths = (await app.inject({ url: '/openapi.json' })).json().paths;
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(['/api/v1/email/messages', '/api/v1/email/messages/{id}']));
  });
});
