import http from 'node:http';
import https from 'node:https';
import { assertLiteralAllowed, guardedLookup } from './target';

export interface AttemptResult {
  succeeded: boolean;
  statusCode: number | null;
  /** The first 1 KB of the response body. */
  body: string | null;
  durationMs: number;
  /** Why no answer came (timeout, refused connection, refused target). */
  error: string | null;
  /** From a Retry-After header on 429/502/503/504, in seconds. */
  retryAfterSeconds: number | null;
}

const BODY_LIMIT = 1024;
const RETRY_AFTER_STATUSES = new Set([429, 502, 503, 504]);

export function parseRetryAfter(value: string | undefined, now: number): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * One POST of a signed payload. Only a 2xx answer is a success; redirects are not followed
 * (a 3xx is a failure, as Standard Webhooks says). The whole attempt is bounded by timeoutMs.
 */
export function postWebhook(rawUrl: string, headers: Record<string, string>, body: string, options: { timeoutMs: number; allowPrivate: boolean }): Promise<AttemptResult> {
  const started = performance.now();
  const finish = (partial: Omit<AttemptResult, 'durationMs'>): AttemptResult => ({ ...partial, durationMs: Math.round(performance.now() - started) });
  return new Promise((resolve) => {
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (result: AttemptResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const fail = (error: string) => settle(finish({ succeeded: false, statusCode: null, body: null, error, retryAfterSeconds: null }));
    let url: URL;
    try {
      url = new URL(rawUrl);
      assertLiteralAllowed(url, options.allowPrivate);
    } catch (error) {
      return fail(error instanceof Error ? error.message : 'invalid URL');
    }
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method: 'POST',
      lookup: guardedLookup(options.allowPrivate),
      headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Deskbase-Webhooks/1' },
      agent: false,
    });
    timer = setTimeout(() => {
      request.destroy();
      fail(`no complete answer within ${options.timeoutMs} ms`);
    }, options.timeoutMs);
    request.on('error', (error) => fail(error.message));
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        // A text column refuses NUL: a receiver answering bytes must not make the attempt unrecordable.
        const text = Buffer.concat(chunks).subarray(0, BODY_LIMIT).toString('utf8').replaceAll('\u0000', '\uFFFD');
        settle(finish({
          succeeded: status >= 200 && status < 300,
          statusCode: status,
          body: text,
          error: null,
          retryAfterSeconds: RETRY_AFTER_STATUSES.has(status) ? parseRetryAfter(response.headers['retry-after'], Date.now()) : null,
        }));
        response.destroy();
      };
      response.on('data', (chunk: Buffer) => {
        if (size < BODY_LIMIT) chunks.push(chunk);
        size += chunk.length;
        if (size >= BODY_LIMIT) done();
      });
      response.on('end', done);
      response.on('error', done);
    });
    request.end(body);
  });
}
