import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { activeUser, bearer, createIdentityApp, login, ROOT, STRONG_PASSWORD } from '../support/identity';

let app: FastifyInstance;
let root: string;

beforeAll(async () => {
  app = await createIdentityApp();
  root = (await login(app, ROOT.email, ROOT.password)).access_token;
});
afterAll(() => app.close());

const api = (method: 'GET' | 'PUT' | 'POST' | 'DELETE', url: string, payload?: object, token = root, headers: Record<string, string> = {}) =>
  app.inject({ method, url: `/api/v1/email/templates${url}`, headers: { ...bearer(token), ...headers }, ...(payload ? { payload } : {}) });

const custom = {
  subject: 'Welcome to Acme, {{first_name}}',
  text: 'Hi {{first_name}}, confirm here: {{link}}',
  html: '<p>Hi {{first_name}},</p><p><a href="{{link}}">Confirm</a></p>',
};

async function register(email: string) {
  const response = await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password: STRONG_PASSWORD, confirm_password: STRONG_PASSWORD, first_name: 'Dara', last_name: 'Sok' } });
  expect(response.statusCode, response.body).toBe(201);
  const [message] = (await app.inject({ url: `/api/v1/email/messages?to=${encodeURIComponent(email)}`, headers: bearer(root) })).json().items;
  return (await app.inject({ url: `/api/v1/email/messages/${message.id}`, headers: bearer(root) })).json() as { subject: string; text_body: string; html_body: string };
}

describe('email templates per organization', () => {
  it('lists every message type in both languages with the variables its senders supply', async () => {
    const { items } = (await api('GET', '')).json();
    const verify = items.find((t: { type: string; locale: string }) => t.type === 'verify_email' && t.locale === 'en');
    expect(verify).toMatchObject({ customized: false, version: 0, updated_at: null });
    expect(verify.variables).toEqual(expect.arrayContaining(['first_name', 'link']));
    expect(items.some((t: { type: string; locale: string }) => t.type === 'verify_email' && t.locale === 'km')).toBe(true);
  });

  it("sends the organization's own wording once saved, and the built-in one again after a reset", async () => {
    const saved = await api('PUT', '/verify_email/en', custom, root, { 'if-match': '"v0"' });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ customized: true, version: 1, subject: custom.subject });
    expect(saved.headers.etag).toBe('"v1"');

    const mail = await register('custom-wording@example.com');
    expect(mail.subject).toBe('Welcome to Acme, Dara');
    expect(mail.text_body).toMatch(/^Hi Dara, confirm here: http/);

    expect((await api('PUT', '/verify_email/en', custom, root, { 'if-match': '"v0"' })).statusCode).toBe(412);
    expect((await api('DELETE', '/verify_email/en')).statusCode).toBe(204);
    expect((await api('DELETE', '/verify_email/en')).statusCode).toBe(404);
    expect((await register('default-wording@example.com')).subject).toBe('Verify your email address');
  });

  it('refuses templates that would break the mail, and changes nothing', async () => {
    const cases = [
      { ...custom, text: 'Your password is {{password}} {{link}}' },
      { ...custom, text: 'Hi {{first_name}}, no link here' },
      { ...custom, html: '<p>{{#first_name}}Hi {{first_name}}</p> {{link}}' },
      { ...custom, subject: '' },
      { ...custom, extra: 'field' },
    ];
    for (const payload of cases) {
      const response = await api('PUT', '/verify_email/en', payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(422);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    expect((await api('PUT', '/verify_email/en', { ...custom, text: '{{password}} {{link}}' })).json().errors[0].message).toMatch(/Unknown variable\(s\) \{\{password\}\}/);
    expect((await api('GET', '/verify_email/en')).json().customized).toBe(false);
    expect((await api('PUT', '/no_such_type/en', custom)).statusCode).toBe(404);
    expect((await api('GET', '/verify_email/fr')).statusCode).toBeGreaterThanOrEqual(400);
  });

  it('previews a draft with HTML-escaped variables, without sending anything', async () => {
    const before = (await app.inject({ url: '/api/v1/email/messages?include_total=true', headers: bearer(root) })).json().total;
    const preview = await api('POST', '/verify_email/en/preview', { ...custom, variables: { first_name: '<script>alert(1)</script>' } });
    expect(preview.statusCode, preview.body).toBe(200);
    const { subject, text, html } = preview.json();
    expect(subject).toBe('Welcome to Acme, <script>alert(1)</script>');
    expect(text).toContain('confirm here: [link]');
    expect(html).toContain('Hi &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toMatch(/^<!doctype html>/);
    expect((await api('POST', '/verify_email/km/preview', {})).json().subject).toBe((await api('GET', '/verify_email/km')).json().subject);
    expect((await app.inject({ url: '/api/v1/email/messages?include_total=true', headers: bearer(root) })).json().total).toBe(before);
  });

  it("keeps each organization's templates to itself and to those allowed to edit them", async () => {
    const user = await activeUser(app, root, 'no-templates@example.com');
    expect((await api('PUT', '/verify_email/en', custom, user.token)).statusCode).toBe(403);
    expect((await api('GET', '', undefined, user.token)).statusCode).toBe(403);

    await app.inject({ method: 'POST', url: '/api/v1/organizations', headers: bearer(root), payload: { name: 'Other Mail Co', admin: { email: 'admin@mail-other.example', password: STRONG_PASSWORD, first_name: 'Oth', last_name: 'Er' } } });
    const otherAdmin = (await login(app, 'admin@mail-other.example', STRONG_PASSWORD)).access_token;
    expect((await api('PUT', '/password_reset/en', { subject: 'Other reset', text: 'Reset: {{link}}', html: '<a href="{{link}}">Reset</a>' }, otherAdmin)).statusCode).toBe(200);
    expect((await api('GET', '/password_reset/en', undefined, otherAdmin)).json().customized).toBe(true);
    expect((await api('GET', '/password_reset/en')).json().customized).toBe(false);
  });
});
