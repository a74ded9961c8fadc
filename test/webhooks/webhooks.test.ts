import type { FastifyInstance } from 'fastify';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { activeUser, bearer, login, ROOT, STRONG_PASSWORD } from '../support/identity';
import { answer, hangUp, slow, type startReceiver, type Received } from './receiver';
import { register as registerUser, startWebhookApp } from './setup';

let app: FastifyInstance;
let root: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
// The test clock starts at the real time: the standardwebhooks library refuses timestamps 5 minutes off.
let clock = Date.now();

beforeAll(async () => {
  // No poller: each test drives deliveries with runOnce(); retries are due after 1 s of the test clock.
  ({ receiver, app } = await startWebhookApp(() => new Date(clock), { pollIntervalMs: 0, retryDelaysMs: [1000, 1000, 1000], timeoutMs: 500, concurrency: 1 }));
});
afterAll(async () => {
  await app.close();
  await receiver.close();
});
beforeEach(async () => {
  receiver.reset();
  // Tests move the clock by days: a fresh token each time.
  root = (await login(app, ROOT.email, ROOT.password)).access_token;
  // Earlier events (this sign-in's among them) go out now, while no endpoint wants them.
  await app.webhooks.runOnce();
});

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, token = root, headers: Record<string, string> = {}) =>
  app.inject({ method, url: `/api/v1${url}`, headers: { ...bearer(token), ...headers }, ...(payload ? { payload } : {}) });

async function createEndpoint(events: string[], url = receiver.url, token = root) {
  const response = await api('POST', '/webhooks', { url, events, description: 'test receiver' }, token);
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; secret: string; version: number };
}

const register = (email: string) => registerUser(app, email);

/** The library's own signature of a received request (verify() would also check its timestamp against the real clock, which tests move). */
const signatureBy = (secret: string, request: Received) =>
  new Webhook(secret).sign(String(request.headers['webhook-id']), new Date(Number(request.headers['webhook-timestamp']) * 1000), request.body);
const advance = (ms: number) => (clock += ms);
const deliveriesOf = async (endpointId: string) => (await api('GET', `/webhooks/${endpointId}/deliveries?limit=100`)).json().items as { id: string; status: string; event_type: string; attempts: number; next_attempt_at: string | null; attempt_log: { status_code: number | null; error: string | null; succeeded: boolean; response_body: string | null }[] }[];

describe('webhook endpoints', () => {
  it('creates an endpoint with a whsec_ secret shown once, then reads, changes and deletes it', async () => {
    const created = await api('POST', '/webhooks', { url: receiver.url, events: ['invoice.*', 'user.registered'] });
    expect(created.statusCode).toBe(201);
    const endpoint = created.json();
    expect(endpoint).toMatchObject({ url: receiver.url, events: ['invoice.*', 'user.registered'], enabled: true, version: 1, disabled_reason: null });
    expect(endpoint.id).toMatch(/^whk_/);
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(created.headers.location).toBe(`/api/v1/webhooks/${endpoint.id}`);

    const read = await api('GET', `/webhooks/${endpoint.id}`);
    expect(read.json()).not.toHaveProperty('secret');
    expect(read.headers.etag).toBe('"v1"');
    expect(JSON.stringify((await api('GET', '/webhooks')).json())).not.toContain(endpoint.secret);

    const stale = await api('PATCH', `/webhooks/${endpoint.id}`, { enabled: false }, root, { 'if-match': '"v9"' });
    expect(stale.statusCode).toBe(412);
    const changed = await api('PATCH', `/webhooks/${endpoint.id}`, { enabled: false, events: ['*'] }, root, { 'if-match': '"v1"' });
    expect(changed.json()).toMatchObject({ enabled: false, events: ['*'], version: 2 });

    expect((await api('DELETE', `/webhooks/${endpoint.id}`)).statusCode).toBe(204);
    expect((await api('GET', `/webhooks/${endpoint.id}`)).statusCode).toBe(404);
  });

  it('refuses bad input with field errors and stores nothing', async () => {
    const before = (await api('GET', '/webhooks?include_total=true')).json().total;
    for (const payload of [
      { url: 'ftp://example.com/x', events: ['*'] },
      { url: 'not a url at all', events: ['*'] },
      { url: 'https://user:pass@example.com/x', events: ['*'] },
      { url: receiver.url, events: [] },
      { url: receiver.url, events: ['Invoice Paid'] },
      { url: receiver.url, events: ['*'], secret: 'whsec_mine' },
    ]) {
      const response = await api('POST', '/webhooks', payload);
      expect([400, 422], `${JSON.stringify(payload)}: ${response.body}`).toContain(response.statusCode);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    expect((await api('GET', '/webhooks?include_total=true')).json().total).toBe(before);
  });

  it('keeps endpoints to their organization and to those allowed to manage them', async () => {
    const endpoint = await createEndpoint(['*']);
    const user = await activeUser(app, root, 'plain-user@example.com');
    expect((await api('GET', '/webhooks', undefined, user.token)).statusCode).toBe(403);
    expect((await api('POST', '/webhooks', { url: receiver.url, events: ['*'] }, user.token)).statusCode).toBe(403);

    const org = await api('POST', '/organizations', { name: 'Other Co', admin: { email: 'admin@other.example', password: STRONG_PASSWORD, first_name: 'Oth', last_name: 'Er' } });
    expect(org.statusCode, org.body).toBe(201);
    const otherAdmin = (await login(app, 'admin@other.example', STRONG_PASSWORD)).access_token;
    expect((await api('GET', `/webhooks/${endpoint.id}`, undefined, otherAdmin)).statusCode).toBe(404);
    expect((await api('PATCH', `/webhooks/${endpoint.id}`, { enabled: false }, otherAdmin)).statusCode).toBe(404);
    expect((await api('POST', `/webhooks/${endpoint.id}/test`, undefined, otherAdmin)).statusCode).toBe(404);
    expect((await api('GET', `/webhooks/${endpoint.id}/deliveries`, undefined, otherAdmin)).statusCode).toBe(404);
    expect((await api('GET', '/webhooks', undefined, otherAdmin)).json().items).toEqual([]);
    await api('DELETE', `/webhooks/${endpoint.id}`);
  });
});

describe('deliveries', () => {
  it('signs every delivery as Standard Webhooks specifies, verified by the official library', async () => {
    clock = Date.now(); // verify() wants a timestamp near the real time
    const endpoint = await createEndpoint(['user.*']);
    await register('signed@example.com');
    await app.webhooks.runOnce();
    expect(receiver.received).toHaveLength(1);
    const [request] = receiver.received;
    const payload = new Webhook(endpoint.secret).verify(request!.body, request!.headers as Record<string, string>) as { type: string; timestamp: string; data: { email: string } };
    expect(payload.type).toBe('user.registered');
    expect(payload.data.email).toBe('signed@example.com');
    expect(new Date(payload.timestamp).getTime()).toBeGreaterThan(0);
    expect(request!.headers['webhook-id']).toMatch(/^msg_/);
    expect(request!.headers['content-type']).toBe('application/json');
    // Another secret does not verify it.
    expect(() => new Webhook('whsec_' + Buffer.alloc(24, 7).toString('base64')).verify(request!.body, request!.headers as Record<string, string>)).toThrow();
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery).toMatchObject({ status: 'succeeded', attempts: 1, event_type: 'user.registered' });
    await api('DELETE', `/webhooks/${endpoint.id}`);
  });

  it('retries a receiver that answers 500, hangs up or is too slow, with the same webhook-id, until it succeeds', async () => {
    const endpoint = await createEndpoint(['user.registered']);
    receiver.queue(answer(500, 'boom'), hangUp, slow(2000));
    await register('retried@example.com');
    for (let i = 0; i < 4; i++) {
      await app.webhooks.runOnce();
      advance(1200);
    }
    expect(receiver.received.length).toBeGreaterThanOrEqual(4);
    const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(delivery!.status).toBe('succeeded');
    expect(delivery!.attempt_log.map((a) => a.status_code)).toEqual([500, null, null, 200]);
    expect(delivery!.attempt_log[0]!.response_body).toBe('boom');
    expect(delivery!.attempt_log[2]!.error).toMatch(/within 500 ms/);
    await api('DELETE', `/webhooks/${endpoint.id}`);
  });

  it('gives up after the last retry, and a manual retry replays the same message', async () => {
    const endpoint = await createEndpoint(['user.registered']);
    receiver.queue(answer(500), answer(500), answer(500), answer(500));
    await register('gives-up@example.com');
    for (let i = 0; i < 5; i++) {
      await app.webhooks.runOnce();
      advance(1200);
    }
    const [failed] = await deliveriesOf(endpoint.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 4, next_attempt_at: null });
    const firstId = receiver.received[0]!.headers['webhook-id'];

    const replay = await api('POST', `/webhooks/${endpoint.id}/deliveries/${failed!.id}/retry`);
    expect(replay.statusCode, replay.body).toBe(200);
    expect(replay.json()).toMatchObject({ status: 'succeeded', attempts: 5 });
    expect(receiver.received.at(-1)!.headers['webhook-id']).toBe(firstId);
    expect((await api('POST', `/webhooks/${endpoint.id}/deliveries/msg_01jd6v0v3kf8r9q7w2e5t4y6u8/retry`)).statusCode).toBe(404);
    await api('DELETE', `/webhooks/${endpoint.id}`);
  });

  it('waits as long as Retry-After asks on 503', async () => {
    const endpoint = await createEndpoint(['user.registered']);
    receiver.queue(answer(503, 'busy', { 'retry-after': '120' }));
    await register('retry-after@example.com');
    await app.webhooks.runOnce();
    const [delivery] = await deliveriesOf(endpoint.id);
    expect(Date.parse(delivery!.next_attempt_at!) - clock).toBe(120_000);
    advance(60_000);
    await app.webhooks.runOnce();
    expect(receiver.received).toHaveLength(1);
    advance(61_000);
    await app.webhooks.runOnce();
    expect(receiver.received).toHaveLength(2);
    await api('DELETE', `/webhooks/${endpoint.id}`);
  });

  it('disables an endpoint that answers 410, and one that failed for five days, and emails the admins', async () => {
    const admin = await activeUser(app, root, 'hooks-admin@example.com', 'admin');
    const gone = await createEndpoint(['user.registered'], receiver.url, admin.token);
    receiver.queue(answer(410));
    await register('gone@example.com');
    await app.webhooks.runOnce();
    const disabled = await api('GET', `/webhooks/${gone.id}`);
    expect(disabled.json(), disabled.body).toMatchObject({ enabled: false, disabled_reason: 'The endpoint answered 410 Gone' });
    expect((await deliveriesOf(gone.id))[0]!.status).toBe('failed');
    await register('after-gone@example.com');
    await app.webhooks.runOnce();
    expect(receiver.received).toHaveLength(1);

    const failing = await createEndpoint(['user.registered'], receiver.url, admin.token);
    receiver.queue(...Array.from({ length: 10 }, () => answer(500)));
    await register('failing@example.com');
    await app.webhooks.runOnce();
    expect((await api('GET', `/webhooks/${failing.id}`)).json().failing_since).not.toBeNull();
    advance(5 * 86_400_000);
    root = (await login(app, ROOT.email, ROOT.password)).access_token;
    await app.webhooks.runOnce();
    expect((await api('GET', `/webhooks/${failing.id}`)).json()).toMatchObject({ enabled: false, disabled_reason: 'Every attempt failed for 5 days' });

    const mail = (await api('GET', '/email/messages?to=hooks-admin@example.com')).json().items.map((m: { type: string }) => m.type);
    expect(mail.filter((t: string) => t === 'webhook_endpoint_disabled')).toHaveLength(2);
    const reenabled = await api('PATCH', `/webhooks/${failing.id}`, { enabled: true });
    expect(reenabled.json()).toMatchObject({ enabled: true, disabled_reason: null, failing_since: null });
    await api('DELETE', `/webhooks/${failing.id}`);
    await api('DELETE', `/webhooks/${gone.id}`);
  });

  it('signs with both secrets for a day after a rotation', async () => {
    const endpoint = await createEndpoint(['webhook.test']);
    const rotated = await api('POST', `/webhooks/${endpoint.id}/rotate-secret`);
    expect(rotated.statusCode).toBe(200);
    const { secret, previous_secret_expires_at } = rotated.json();
    expect(secret).not.toBe(endpoint.secret);
    expect(Date.parse(previous_secret_expires_at) - clock).toBe(86_400_000);

    const test = await api('POST', `/webhooks/${endpoint.id}/test`);
    expect(test.json()).toMatchObject({ event_type: 'webhook.test', status: 'succeeded' });
    const [request] = receiver.received;
    expect(String(request!.headers['webhook-signature']).split(' ')).toHaveLength(2);
    const signatures = String(request!.headers['webhook-signature']).split(' ');
    expect(signatures).toEqual([signatureBy(secret, request!), signatureBy(endpoint.secret, request!)]);

    advance(86_400_000 + 1000);
    root = (await login(app, ROOT.email, ROOT.password)).access_token;
    expect((await api('POST', `/webhooks/${endpoint.id}/test`)).json().status).toBe('succeeded');
    const later = receiver.received[1]!;
    expect(later.headers['webhook-signature']).toBe(signatureBy(secret, later));
    await api('DELETE', `/webhooks/${endpoint.id}`);
  });

  it('answers a test to a dead receiver with the failed attempt', async () => {
    const endpoint = await createEndpoint(['*'], 'http://127.0.0.1:9/nothing-listens');
    const test = await api('POST', `/webhooks/${endpoint.id}/test`);
    expect(test.json()).toMatchObject({ status: 'failed', attempts: 1 });
    expect(test.json().attempt_log[0]).toMatchObject({ succeeded: false, status_code: null });
    expect(test.json().attempt_log[0].error).toMatch(/ECONNREFUSED/);
    await api('DELETE', `/webhooks/${endpoint.id}`);
  });

  it('delivers one organization\'s events in commit order and only to matching endpoints', async () => {
    const all = await createEndpoint(['user.*']);
    const none = await createEndpoint(['invoice.*']);
    for (const n of [1, 2, 3]) await register(`order${n}@example.com`);
    await app.webhooks.runOnce();
    const emails = receiver.received.map((r) => JSON.parse(r.body).data.email);
    expect(emails).toEqual(['order1@example.com', 'order2@example.com', 'order3@example.com']);
    expect(await deliveriesOf(none.id)).toEqual([]);
    await api('DELETE', `/webhooks/${all.id}`);
    await api('DELETE', `/webhooks/${none.id}`);
  });
});

describe('GET /events', () => {
  it('lists the organization\'s events of the last 30 days, filtered by type or prefix', async () => {
    await register('listed@example.com');
    const registered = (await api('GET', '/events?type=user.registered&limit=100')).json();
    expect(registered.items.length).toBeGreaterThan(0);
    expect(registered.items.every((e: { type: string }) => e.type === 'user.registered')).toBe(true);
    expect(registered.items[0]).toMatchObject({ type: 'user.registered', data: { email: 'listed@example.com' } });
    const prefixed = (await api('GET', '/events?type=user.*&limit=100')).json();
    expect(prefixed.items.every((e: { type: string }) => e.type.startsWith('user.'))).toBe(true);
    expect((await api('GET', '/events?type=DROP TABLE')).statusCode).toBe(422);

    advance(31 * 86_400_000);
    expect((await api('GET', '/events?type=user.registered', undefined, (await login(app, ROOT.email, ROOT.password)).access_token)).json().items).toEqual([]);
  });
});
