/**
 * Attempts that succeed together are recorded together (src/kernel/webhooks/successes.ts): what
 * each delivery shows must be its own answer, whatever the group it was written in.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bearer, login, ROOT } from '../support/identity';
import { answer, type Behaviour, type Received, type startReceiver } from './receiver';
import { register, startWebhookApp } from './setup';

let app: FastifyInstance;
let token: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let clock = Date.now();

beforeAll(async () => {
  ({ receiver, app } = await startWebhookApp(() => new Date(clock), { pollIntervalMs: 0, retryDelaysMs: [1000], timeoutMs: 30_000, concurrency: 32 }));
  token = (await login(app, ROOT.email, ROOT.password)).access_token;
  await app.webhooks.runOnce();
});
afterAll(async () => {
  await app.close();
  await receiver.close();
});

const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
  app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });

interface Delivery {
  id: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  completed_at: string | null;
  attempt_log: { status_code: number | null; succeeded: boolean; response_body: string | null }[];
}

/** The user whose registration a delivery carries. */
const emailOf = (request: Received): string => JSON.parse(request.body).data.email;
/** The receiver's answer to a user's event: 202 to the users whose address says so, 200 to the others. */
const statusFor = (email: string) => (email.startsWith('accepted') ? 202 : 200);

/**
 * Holds every request until `count` have arrived, then answers them all at once (`statusFor`),
 * so that their successes are recorded together.
 */
function answerTogether(count: number): Behaviour[] {
  const held: (() => void)[] = [];
  const behaviour: Behaviour = (response, request) => {
    const email = emailOf(request);
    // One receiver answers bytes, NUL included, which a text column refuses as they are.
    held.push(() => answer(statusFor(email), email.startsWith('plain1@') ? 'bin\u0000ary' : 'ok')(response, request));
    if (held.length === count) for (const release of held) release();
  };
  return Array.from({ length: count }, () => behaviour);
}

it('records each of many concurrent successes with its own status, and clears the endpoint\'s failing state', async () => {
  const created = await api('POST', '/webhooks', { url: receiver.url, events: ['user.registered'] });
  expect(created.statusCode, created.body).toBe(201);
  const endpointId = created.json().id as string;

  receiver.queue(answer(500, 'down'));
  await register(app, 'first@example.com');
  await app.webhooks.runOnce();
  expect((await api('GET', `/webhooks/${endpointId}`)).json().failing_since).not.toBeNull();

  const emails = Array.from({ length: 20 }, (_, i) => `${i % 2 === 0 ? 'accepted' : 'plain'}${i}@example.com`);
  receiver.queue(...answerTogether(emails.length + 1));
  // Each registration's delivery starts at once (the outbox wakes the deliverer) and waits for the others.
  for (const email of emails) await register(app, email);
  clock += 1500; // the first delivery's retry is due
  await app.webhooks.runOnce();

  expect(receiver.received).toHaveLength(emails.length + 2);
  // What each delivery must show: the answer to its own last request (webhook-id is the delivery's id).
  const answered = new Map(receiver.received.slice(1).map((r) => [r.headers['webhook-id'], statusFor(emailOf(r))]));
  expect([...answered.values()].filter((status) => status === 202)).toHaveLength(10);
  const deliveries = (await api('GET', `/webhooks/${endpointId}/deliveries?limit=100`)).json().items as Delivery[];
  expect(deliveries).toHaveLength(emails.length + 1);
  const retriedId = receiver.received[0]!.headers['webhook-id'];
  for (const delivery of deliveries) {
    expect(delivery).toMatchObject({ status: 'succeeded', last_status_code: answered.get(delivery.id), last_error: null, attempts: delivery.id === retriedId ? 2 : 1 });
    expect(delivery.completed_at).not.toBeNull();
    expect(delivery.attempt_log.at(-1)).toMatchObject({ status_code: answered.get(delivery.id), succeeded: true });
  }
  const bytes = receiver.received.find((r) => emailOf(r) === 'plain1@example.com')!;
  const withBytes = deliveries.find((d) => d.id === bytes.headers['webhook-id'])!;
  expect(withBytes.attempt_log.at(-1)!.response_body).toBe('bin\uFFFDary');
  expect((await api('GET', `/webhooks/${endpointId}`)).json().failing_since).toBeNull();
});
