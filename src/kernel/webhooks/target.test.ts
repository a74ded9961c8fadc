import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { matchesEventType, nextDelayMs, STANDARD_RETRY_DELAYS_MS } from './schedule';
import { parseRetryAfter, postWebhook } from './send';
import { assertPublicTarget, isPublicAddress, urlProblem } from './target';

describe('webhook targets (SSRF)', () => {
  it('accepts only public unicast addresses', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1', '224.0.0.1', '255.255.255.255', 'not-an-ip']) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111']) expect(isPublicAddress(address), address).toBe(true);
  });

  it('refuses URLs that are not plain http(s) or that name a non-public host', async () => {
    expect(urlProblem('ftp://example.com')).toMatch(/http/);
    expect(urlProblem('https://user:secret@example.com/')).toMatch(/credentials/);
    expect(urlProblem(`https://example.com/${'a'.repeat(2100)}`)).toMatch(/longer/);
    expect(urlProblem('https://hooks.example.com/in')).toBeNull();
    for (const url of ['http://127.0.0.1/x', 'http://[::1]/x', 'http://169.254.169.254/latest/meta-data', 'http://localhost:8080/', 'http://10.0.0.5/']) {
      await expect(assertPublicTarget(url, false), url).rejects.toThrow(/not a public address/);
    }
    await expect(assertPublicTarget('http://127.0.0.1/x', true)).resolves.toBeUndefined();
  });

  it('refuses to connect to a private address at delivery time, by IP or by name', async () => {
    let hits = 0;
    const server = createServer((_req, res) => {
      hits++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    try {
      for (const url of [`http://127.0.0.1:${port}/`, `http://localhost:${port}/`]) {
        const result = await postWebhook(url, {}, '{}', { timeoutMs: 2000, allowPrivate: false });
        expect(result, url).toMatchObject({ succeeded: false, statusCode: null });
        expect(result.error).toMatch(/not a public address/);
      }
      expect(hits).toBe(0);
      expect(await postWebhook(`http://localhost:${port}/`, {}, '{}', { timeoutMs: 2000, allowPrivate: true })).toMatchObject({ succeeded: true, statusCode: 200, body: 'ok' });
      expect(hits).toBe(1);
    } finally {
      server.close();
    }
  });
});

describe('retry schedule', () => {
  it("follows Standard Webhooks' schedule with ±10% jitter, then stops", () => {
    expect(nextDelayMs(STANDARD_RETRY_DELAYS_MS, 1, null, () => 0.5)).toBe(5_000);
    expect(nextDelayMs(STANDARD_RETRY_DELAYS_MS, 2, null, () => 0)).toBe(270_000);
    expect(nextDelayMs(STANDARD_RETRY_DELAYS_MS, 9, null, () => 1)).toBe(95_040_000);
    expect(nextDelayMs(STANDARD_RETRY_DELAYS_MS, 10, null)).toBeNull();
  });

  it('waits longer when Retry-After asks for it, at most a day', () => {
    expect(nextDelayMs(STANDARD_RETRY_DELAYS_MS, 1, 60, () => 0.5)).toBe(60_000);
    expect(nextDelayMs(STANDARD_RETRY_DELAYS_MS, 1, 1, () => 0.5)).toBe(5_000);
    expect(nextDelayMs(STANDARD_RETRY_DELAYS_MS, 1, 10 * 86_400, () => 0.5)).toBe(86_400_000);
    expect(parseRetryAfter('120', 0)).toBe(120);
    expect(parseRetryAfter(new Date(30_000).toUTCString(), 0)).toBe(30);
    expect(parseRetryAfter('soon', 0)).toBeNull();
  });

  it('matches event types exactly, by prefix wildcard or with *', () => {
    expect(matchesEventType(['invoice.*'], 'invoice.paid')).toBe(true);
    expect(matchesEventType(['invoice.*'], 'invoices.paid')).toBe(false);
    expect(matchesEventType(['user.registered'], 'user.registered')).toBe(true);
    expect(matchesEventType(['user.registered'], 'user.login')).toBe(false);
    expect(matchesEventType(['*'], 'anything.at_all')).toBe(true);
  });
});
