import { eq } from 'drizzle-orm';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openTestDatabase } from '../../../test/support/database';
import { loadConfig } from '../../config';
import { createKernel, type Kernel } from '../kernel';
import { loggerOptions } from '../observability/logger';
import { createMailService, type MailService, type MailServiceOptions } from './index';
import { emailMessages } from './tables';
import { SMTP_PASSWORD, startSmtpServer, type TestSmtpServer } from './testing';

let smtp: TestSmtpServer;
let kernel: Kernel;
let mail: MailService;
const logLines: string[] = [];

const variables = { first_name: '<b>Ann & "Bob"</b>', link: 'https://desk.example.com/verify-email?token=abc&x=1' };
const message = (overrides: Partial<Parameters<MailService['send']>[1]> = {}) => ({
  organizationId: 'org_a',
  type: 'verify_email',
  to: 'ann@example.com',
  variables,
  ...overrides,
});

/** A kernel on a fresh database, as the app builds it, with SMTP_URL pointing at `url`. */
async function kernelFor(url: string): Promise<Kernel> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'deskbase-mail-'));
  const config = loadConfig({ DATA_DIR: dataDir, SMTP_URL: url, MAIL_FROM: 'Deskbase Test <no-reply@desk.example.com>', NODE_ENV: 'test' });
  return createKernel(config, await openTestDatabase());
}

/** The service as the app runs it, logging through the app's pino settings into `lines`. */
const serviceFor = (k: Kernel, lines: string[], options: MailServiceOptions = {}) =>
  createMailService(k, { pollIntervalMs: 0, ...options, log: pino(loggerOptions('trace'), { write: (line: string) => void lines.push(line) }) });

async function row(id: string, k = kernel) {
  const [found] = await k.database.db.select().from(emailMessages).where(eq(emailMessages.id, id));
  return found!;
}

/** Records a message the way a route does: inside a committed transaction. */
const record = (overrides?: Parameters<typeof message>[0]) => kernel.database.transaction((tx) => mail.send(tx, message(overrides)));

beforeAll(async () => {
  smtp = await startSmtpServer();
  kernel = await kernelFor(smtp.url);
  // Retries are made quick for the tests; the poller is driven by hand (deliverPending).
  mail = serviceFor(kernel, logLines, { retryDelaysMs: [150, 150] });
});
afterAll(async () => {
  await mail.stop();
  await kernel.database.close();
  await smtp.close();
});
afterEach(() => {
  smtp.refuseRecipient = null;
});

describe('SMTP delivery', () => {
  it('queues in the transaction and sends only after commit, with escaped variables', async () => {
    const before = smtp.received.length;
    const id = await record();
    expect(mail.transport).toBe('smtp');
    expect(await row(id)).toMatchObject({ status: 'queued', attempts: 0, transport: 'smtp' });
    expect(smtp.received.length).toBe(before);

    await mail.flush();
    expect(smtp.received.length).toBe(before + 1);
    const parsed = smtp.received.at(-1)!;
    expect(parsed.subject).toBe('Verify your email address');
    expect(parsed.from?.value).toEqual([{ name: 'Deskbase Test', address: 'no-reply@desk.example.com' }]);
    expect(parsed.to && !Array.isArray(parsed.to) && parsed.to.value[0]?.address).toBe('ann@example.com');
    expect(parsed.text).toContain('Hello <b>Ann & "Bob"</b>,');
    expect(parsed.text).toContain(variables.link);
    expect(parsed.html).toContain('Hello &lt;b&gt;Ann &amp; &quot;Bob&quot;&lt;/b&gt;,');
    expect(parsed.html).toContain('href="https://desk.example.com/verify-email?token=abc&amp;x=1"');
    expect(parsed.html).not.toContain('<b>Ann');

    const stored = await row(id);
    expect(stored).toMatchObject({ status: 'sent', attempts: 1, lastError: null, smtpMessageId: parsed.messageId });
    expect(stored.smtpResponse).toMatch(/^250 /);
    expect(stored.sentAt).toBeInstanceOf(Date);
    // The delivered link's token is not kept where email:read can see it.
    expect(stored.textBody).toContain('/verify-email?token=[redacted]');
    expect(stored.textBody).not.toContain('token=abc');
    expect(stored.htmlBody).not.toContain('token=abc');
  });

  it('never sends a message whose transaction rolled back', async () => {
    const before = smtp.received.length;
    let id = '';
    await expect(
      kernel.database.transaction(async (tx) => {
        id = await mail.send(tx, message({ to: 'rolled-back@example.com' }));
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    await mail.flush();
    expect(await mail.deliverPending()).toBe(0);
    expect(smtp.received.length).toBe(before);
    expect(await kernel.database.db.select().from(emailMessages).where(eq(emailMessages.id, id))).toEqual([]);
  });

  it('marks a message refused for good (550) failed at once, with the reason', async () => {
    smtp.refuseRecipient = { code: 550, message: 'Mailbox unavailable: no such user' };
    const tried = smtp.recipientsTried;
    const id = await record({ to: 'nobody@example.com' });
    await mail.flush();
    const stored = await row(id);
    expect(stored).toMatchObject({ status: 'failed', attempts: 1, sentAt: null });
    expect(stored.lastError).toContain('550');
    expect(stored.lastError).toContain('no such user');
    expect(stored.smtpResponse).toMatch(/^550 /);
    // A permanent refusal is final: later rounds leave it alone.
    await sleep(200);
    await mail.deliverPending();
    expect(smtp.recipientsTried).toBe(tried + 1);
  });

  it('retries a temporary refusal (451) after a wait, up to the attempt limit, then fails', async () => {
    smtp.refuseRecipient = { code: 451, message: 'Try again later' };
    const tried = smtp.recipientsTried;
    const id = await record({ to: 'busy@example.com' });
    await mail.flush();
    expect(await row(id)).toMatchObject({ status: 'queued', attempts: 1 });
    expect((await row(id)).lastError).toContain('451');

    // Not due yet: the wait before the second attempt has not passed.
    expect(await mail.deliverPending()).toBe(0);
    await sleep(200);
    expect(await mail.deliverPending()).toBe(1);
    expect(await row(id)).toMatchObject({ status: 'queued', attempts: 2 });
    await sleep(200);
    expect(await mail.deliverPending()).toBe(1);
    const stored = await row(id);
    expect(stored).toMatchObject({ status: 'failed', attempts: 3 });
    expect(stored.lastError).toContain('Try again later');
    expect(smtp.recipientsTried).toBe(tried + 3);

    await sleep(200);
    expect(await mail.deliverPending()).toBe(0);
    expect(smtp.recipientsTried).toBe(tried + 3);
  });

  it('sends on a later attempt once the server accepts again', async () => {
    smtp.refuseRecipient = { code: 421, message: 'Service not available' };
    const id = await record({ to: 'later@example.com' });
    await mail.flush();
    expect(await row(id)).toMatchObject({ status: 'queued', attempts: 1 });
    smtp.refuseRecipient = null;
    await sleep(200);
    await mail.deliverPending();
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
  });

  it('delivers every queued message exactly once when several instances poll together', async () => {
    const before = smtp.received.length;
    const ids = await kernel.database.transaction(async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < 12; i++) out.push(await mail.send(tx, message({ to: `crowd-${i}@example.com` })));
      return out;
    });
    // Three services on one database stand for three server instances.
    const instances = [mail, createMailService(kernel, { batchSize: 2 }), createMailService(kernel, { batchSize: 3 })];
    const counts = await Promise.all(instances.map((instance) => instance.deliverPending()));
    await Promise.all(instances.slice(1).map((instance) => instance.stop()));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(12);
    const addresses = smtp.received.slice(before).map((m) => (Array.isArray(m.to) ? '' : m.to?.text));
    expect(addresses.sort()).toEqual(ids.map((_, i) => `crowd-${i}@example.com`).sort());
    for (const id of ids) expect(await row(id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('delivers one message on demand with deliver(id), once', async () => {
    const id = await record({ to: 'direct@example.com' });
    expect(await mail.deliver(id)).toBe('sent');
    expect(await mail.deliver(id)).toBeNull();
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('sends attachments and drops their stored bytes once sent', async () => {
    const id = await record({
      to: 'files@example.com',
      attachments: [{ filename: 'invoice.txt', contentType: 'text/plain', content: 'Total: 42 USD' }],
    });
    expect((await row(id)).metadata).toHaveProperty('attachment_data');
    await mail.flush();
    const parsed = smtp.received.at(-1)!;
    expect(parsed.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([['invoice.txt', 'text/plain', 'Total: 42 USD']]);
    const stored = await row(id);
    expect(stored.attachments).toEqual([{ filename: 'invoice.txt', content_type: 'text/plain', size: 13 }]);
    expect(stored.metadata).toEqual({ locale: 'en' });
  });

  it('renders the Khmer template for locale km', async () => {
    const id = await record({ to: 'sok@example.com', type: 'password_reset', locale: 'km', variables: { first_name: 'សុខ', link: 'https://desk.example.com/reset-password?token=t' } });
    await mail.flush();
    const parsed = smtp.received.at(-1)!;
    expect(parsed.subject).toBe('កំណត់ពាក្យសម្ងាត់របស់អ្នកឡើងវិញ');
    expect(parsed.text).toContain('សួស្តី សុខ,');
    expect(parsed.html).toContain('lang="km"');
    expect((await row(id)).metadata).toEqual({ locale: 'km' });
  });
});

describe('SMTP credentials', () => {
  it('never stores or logs the SMTP password, even when the login fails', async () => {
    const wrong = smtp.url.replace(SMTP_PASSWORD, 'wr0ng-secret-pass');
    const lines: string[] = [];
    const other = await kernelFor(wrong);
    const service = serviceFor(other, lines);
    try {
      const id = await other.database.transaction((tx) => service.send(tx, message()));
      await service.flush();
      const stored = await row(id, other);
      expect(stored).toMatchObject({ status: 'queued', attempts: 1 });
      expect(stored.lastError).toMatch(/535|EAUTH/);
      expect(lines.join('')).toContain('mail delivery failed');
      const everything = JSON.stringify(stored) + lines.join('') + logLines.join('');
      for (const secret of ['wr0ng-secret-pass', SMTP_PASSWORD, wrong, smtp.url]) expect(everything).not.toContain(secret);
    } finally {
      await service.stop();
      await other.database.close();
    }
  });
});

describe('poller', () => {
  it('retries in the background until the limit, and stops', async () => {
    const server = await startSmtpServer();
    server.refuseRecipient = { code: 452, message: 'Insufficient storage' };
    const polled = await kernelFor(server.url);
    const service = serviceFor(polled, [], { retryDelaysMs: [50, 50], pollIntervalMs: 25 });
    try {
      const id = await polled.database.transaction((tx) => service.send(tx, message()));
      service.start();
      await vi.waitFor(async () => expect(await row(id, polled)).toMatchObject({ status: 'failed', attempts: 3 }), { timeout: 5000, interval: 50 });
      expect(server.recipientsTried).toBe(3);
    } finally {
      await service.stop();
      await polled.database.close();
      await server.close();
    }
  });
});
