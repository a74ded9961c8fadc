/**
 * Webhook figures (issue 4): deliveries per second from a fresh outbox of 10,000 events to a
 * receiver in this process, and the time from an API call that commits one event to the
 * receiver getting it, at a steady 200 calls per second.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookFigures {
  backlog: number;
  deliveriesPerSecond: number;
  ratePerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  latencyMaxMs: number;
  delivered: number;
  sent: number;
  /** API calls that got no answer or an error (the event was then never committed). */
  failedCalls: number;
  firstFailure: string | null;
}

const BACKLOG = 10_000;
const RATE = 200;
const RATE_SECONDS = 10;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function post(url: string, token: string, body: unknown) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`POST ${url} -> ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

async function until(condition: () => boolean, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`webhooks: ${what} not reached within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export async function measureWebhooks(base: string, token: string): Promise<WebhookFigures> {
  const ids = new Set<string>();
  const latencies: number[] = [];
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const arrived = Date.now();
      ids.add(String(request.headers['webhook-id']));
      const { data } = JSON.parse(Buffer.concat(chunks).toString()) as { data: { sent_at?: number } };
      if (data.sent_at) latencies.push(arrived - data.sent_at);
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  const organizationId = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).org as string;
  try {
    await post(`${base}/api/v1/webhooks`, token, { url: hookUrl, events: ['bench.*'] });

    // Throughput: 10,000 events committed at once, drained by the deliverer.
    const started = performance.now();
    await post(`${base}/bench/events`, token, { organization_id: organizationId, count: BACKLOG, data: {} });
    await until(() => ids.size >= BACKLOG, 300_000, `${BACKLOG} deliveries`);
    const deliveriesPerSecond = BACKLOG / ((performance.now() - started) / 1000);

    // Latency: one event per API call, RATE calls a second.
    let sent = 0;
    let failedCalls = 0;
    let firstFailure: string | null = null;
    const calls: Promise<unknown>[] = [];
    const tick = 50;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        for (let i = 0; i < (RATE * tick) / 1000; i++) {
          sent++;
          calls.push(
            post(`${base}/bench/events`, token, { organization_id: organizationId, count: 1, data: { sent_at: Date.now() } }).catch((error: Error) => {
              failedCalls++;
              firstFailure ??= `${error.message}${error.cause instanceof Error ? `: ${error.cause.message}` : ''}`;
            }),
          );
        }
        if (sent >= RATE * RATE_SECONDS) {
          clearInterval(timer);
          resolve();
        }
      }, tick);
    });
    await Promise.all(calls);
    await until(() => latencies.length >= sent - failedCalls, 120_000, `${sent - failedCalls} timed deliveries`);
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      backlog: BACKLOG,
      deliveriesPerSecond,
      ratePerSecond: RATE,
      latencyP50Ms: percentile(sorted, 50),
      latencyP99Ms: percentile(sorted, 99),
      latencyMaxMs: sorted.at(-1) ?? NaN,
      delivered: latencies.length,
      sent,
      failedCalls,
      firstFailure,
    };
  } finally {
    receiver.closeAllConnections();
    receiver.close();
  }
}
