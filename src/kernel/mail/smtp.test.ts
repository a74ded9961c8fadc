import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestAppOptions } from '../../../test/support/app';
import { newId } from '../db/ids';
import { loggerOptions } from '../observability/logger';
import type { OutgoingMail } from './index';
import { emailMessages } from './tables';
import { SMTP_PASSWORD, startSmtpServer, type TestSmtpServer } from './testing';

let smtp: TestSmtpServer;
let app: FastifyInstance;
const logLines: string[] = [];

const variables = { first_name: '<b>Ann & "Bob"</b>', link: 'https://desk.example.com/verify-email?token=abc&x=1' };
const message = (overrides: Partial<OutgoingMail> = {}): OutgoingMail => ({
  organizationId: 'org_a',
  type: 'verify_email',
  to: 'ann@example.com',
  variables,
  ...overrides,
});

/**
 * An app sending through `url`, as `npm start` runs it, logging at trace level into `lines`;
 * workers poll every 100 ms and temporary failures are retried after exactly one second.
 */
function appFor(url: string, lines: string[], env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<FastifyInstance> {
  return createTestApp({
    modules: [],
    env: { SMTP_URL: url, MAIL_FROM: 'Deskbase Test <no-reply@desk.example.com>', MAIL_RETRY_LIMIT: '2', MAIL_RETRY_DELAY_SECONDS: '1', ...env },
    logger: { ...loggerOptions('trace'), stream: { write: (line: string) => void lines.push(line) } },
    jobs: { pollIntervalMs: 100, shutdownGraceMs: 1000 },
    mail: { retryBackoff: false },
    ...options,
  });
}

async function row(id: string, on = app) {
  const [found] = await on.kernel.database.db.select().from(emailMessages).where(eq(emailMessages.id, id));
  return found;
}

/** The stored message once `check` holds for it. */
async function rowWhen(id: string, check: (found: typeof emailMessages.$inferSelect) => boolean, on = app) {
  return vi.waitFor(
    async () => {
      const found = await row(id, on);
      if (!found || !check(found)) throw new Error(`message ${id} is ${found?.status ?? 'missing'} after ${found?.attempts ?? 0} attempts`);
      return found;
    },
    { timeout: 10_000, interval: 50 },
  );
}

/** Records a message the way a route does: inside a committed transaction. */
const record = (overrides?: Partial<OutgoingMail>, on = app) => on.kernel.database.transaction((tx) => on.mail.send(tx, message(overrides)));

const deliveredTo = (address: string) => smtp.received.filter((m) => !Array.isArray(m.to) && m.to?.text === address);

beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await appFor(smtp.url, logLines);
});
afterAll(async () => {
  await app.close();
  await smtp.close();
});
afterEach(() => {
  smtp.refuseRecipient = null;
});

describe('SMTP delivery through the job queue', () => {
  it('queues in the transaction and sends once it commits, with escaped variables', async () => {
    const before = smtp.received.length;
    const id = await app.kernel.database.transaction(async (tx) => {
      const queued = await app.mail.send(tx, message());
      // Not even a worker on another instance can see it yet.
      const [inside] = await tx.select().from(emailMessages).where(eq(emailMessages.id, queued));
      expect(inside).toMatchObject({ status: 'queued', attempts: 0, transport: 'smtp' });
      return queued;
    });
    expect(app.mail.transport).toBe('smtp');
    const stored = await rowWhen(id, (r) => r.status === 'sent');
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

    expect(stored).toMatchObject({ status: 'sent', attempts: 1, lastError: null, smtpMessageId: parsed.messageId });
    expect(stored.smtpResponse).toMatch(/^250 /);
    expect(stored.sentAt).toBeInstanceOf(Date);
    // The delivered link's token is not kept where email:read can see it.
    expect(stored.textBody).toContain('/verify-email?token=[redacted]');
    expect(stored.textBody).not.toContain('token=abc');
    expect(stored.htmlBody).not.toContain('token=abc');
  });

  it('never sends a message whose transaction rolled back', async () => {
    let id = '';
    await expect(
      app.kernel.database.transaction(async (tx) => {
        id = await app.mail.send(tx, message({ to: 'rolled-back@example.com' }));
        throw new Error('the caller changed its mind');
      }),
    ).rejects.toThrow('changed its mind');
    // A message recorded afterwards goes out; the rolled-back one never existed.
    await rowWhen(await record({ to: 'after-rollback@example.com' }), (r) => r.status === 'sent');
    expect(deliveredTo('rolled-back@example.com')).toEqual([]);
    expect(await row(id)).toBeUndefined();
  });

  it('marks a recipient refused for good (550 at RCPT TO) bounced at once, with the reason, and never retries it', async () => {
    smtp.refuseRecipient = { code: 550, message: 'Mailbox unavailable: no such user' };
    const tried = smtp.recipientsTried;
    const id = await record({ to: 'nobody@example.com' });
    const stored = await rowWhen(id, (r) => r.status !== 'queued');
    expect(stored).toMatchObject({ status: 'bounced', attempts: 1, sentAt: null });
    expect(stored.lastError).toContain('550');
    expect(stored.lastError).toContain('no such user');
    expect(stored.smtpResponse).toMatch(/^550 /);
    // Longer than the retry delay: a final refusal is not tried again.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(smtp.recipientsTried).toBe(tried + 1);
  });

  it('retries a temporary refusal (451) up to MAIL_RETRY_LIMIT, then fails with the reason', async () => {
    smtp.refuseRecipient = { code: 451, message: 'Try again later' };
    const tried = smtp.recipientsTried;
    const id = await record({ to: 'busy@example.com' });
    const first = await rowWhen(id, (r) => r.attempts >= 1 && r.lastError !== null);
    expect(first).toMatchObject({ status: 'queued' });
    expect(first.lastError).toContain('451');
    const stored = await rowWhen(id, (r) => r.status !== 'queued');
    expect(stored).toMatchObject({ status: 'failed', attempts: 3 });
    expect(stored.lastError).toContain('Try again later');
    // Each attempt waited for the retry delay: three attempts take at least two seconds.
    expect(stored.updatedAt.getTime() - stored.createdAt.getTime()).toBeGreaterThanOrEqual(1900);
    expect(smtp.recipientsTried).toBe(tried + 3);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(smtp.recipientsTried).toBe(tried + 3);
  });

  it('sends on a later attempt once the server accepts again', async () => {
    smtp.refuseRecipient = { code: 421, message: 'Service not available' };
    const id = await record({ to: 'later@example.com' });
    await rowWhen(id, (r) => r.attempts === 1 && r.lastError !== null);
    smtp.refuseRecipient = null;
    expect(await rowWhen(id, (r) => r.status === 'sent')).toMatchObject({ attempts: 2, lastError: null });
    expect(deliveredTo('later@example.com')).toHaveLength(1);
  });

  it('delivers each of many queued messages exactly once', async () => {
    const ids = await app.kernel.database.transaction(async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < 12; i++) out.push(await app.mail.send(tx, message({ to: `crowd-${i}@example.com` })));
      return out;
    });
    for (const id of ids) expect(await rowWhen(id, (r) => r.status === 'sent')).toMatchObject({ attempts: 1 });
    for (let i = 0; i < 12; i++) expect(deliveredTo(`crowd-${i}@example.com`)).toHaveLength(1);
  });

  it('sends attachments and drops their stored bytes once sent', async () => {
    const id = await record({
      to: 'files@example.com',
      attachments: [{ filename: 'invoice.txt', contentType: 'text/plain', content: 'Total: 42 USD' }],
    });
    const stored = await rowWhen(id, (r) => r.status === 'sent');
    const [parsed] = deliveredTo('files@example.com');
    expect(parsed!.attachments.map((a) => [a.filename, a.contentType, a.content.toString()])).toEqual([['invoice.txt', 'text/plain', 'Total: 42 USD']]);
    expect(stored.attachments).toEqual([{ filename: 'invoice.txt', content_type: 'text/plain', size: 13 }]);
    expect(stored.metadata).toEqual({ locale: 'en' });
  });

  it('renders the Khmer template for locale km', async () => {
    const id = await record({ to: 'sok@example.com', type: 'password_reset', locale: 'km', variables: { first_name: 'សុខ', link: 'https://desk.example.com/reset-password?token=t' } });
    expect((await rowWhen(id, (r) => r.status === 'sent')).metadata).toEqual({ locale: 'km' });
    const [parsed] = deliveredTo('sok@example.com');
    expect(parsed!.subject).toBe('កំណត់ពាក្យសម្ងាត់របស់អ្នកឡើងវិញ');
    expect(parsed!.text).toContain('សួស្តី សុខ,');
    expect(parsed!.html).toContain('lang="km"');
  });

  it('fails a message whose last attempt was interrupted, once it is stale, and leaves the others', async () => {
    const now = new Date();
    const old = new Date(now.getTime() - 3600_000);
    const base = { organizationId: 'org_a', messageType: 'verify_email', fromAddress: 'a@example.com', subject: 's', textBody: 't', transport: 'smtp' as const, status: 'queued' as const };
    const [stale, recent, early] = [newId('eml'), newId('eml'), newId('eml')];
    await app.kernel.database.db.insert(emailMessages).values([
      { ...base, id: stale, toAddress: 'stale@example.com', attempts: app.mail.maxAttempts, createdAt: old, updatedAt: old },
      { ...base, id: recent, toAddress: 'recent@example.com', attempts: app.mail.maxAttempts, createdAt: old, updatedAt: now },
      { ...base, id: early, toAddress: 'early@example.com', attempts: 1, createdAt: old, updatedAt: old },
    ]);
    expect(await app.mail.failInterrupted()).toEqual({ failed: 1 });
    expect(await row(stale)).toMatchObject({ status: 'failed', lastError: 'Delivery interrupted during the last attempt' });
    expect(await row(recent)).toMatchObject({ status: 'queued' });
    expect(await row(early)).toMatchObject({ status: 'queued' });
  });
});

describe('bulk sending', () => {
  it('spaces bulk messages at MAIL_BULK_RATE_PER_MINUTE while transactional mail goes straight through', async () => {
    const server = await startSmtpServer();
    // 120 per minute: one bulk message every 500 ms, across every instance.
    const bulkApp = await appFor(server.url, [], { MAIL_BULK_RATE_PER_MINUTE: '120' });
    try {
      const before = Date.now();
      const bulk = await bulkApp.kernel.database.transaction(async (tx) => {
        const out: string[] = [];
        for (let i = 0; i < 4; i++) out.push(await bulkApp.mail.send(tx, message({ to: `bulk-${i}@example.com`, type: 'invitation', variables: { first_name: 'B', link: 'https://x.example/i', organization_name: 'Acme' }, bulk: true })));
        return out;
      });
      const urgent = await record({ to: 'urgent@example.com' }, bulkApp);
      const urgentRow = await rowWhen(urgent, (r) => r.status === 'sent', bulkApp);
      const sent = await Promise.all(bulk.map((id) => rowWhen(id, (r) => r.status === 'sent', bulkApp)));
      // The k-th message to leave cannot leave before the k-th slot: k × 500 ms after the mailing
      // was recorded (a delivery finishing late may let the next one finish close behind it, so
      // the gaps between deliveries are not what is promised; the slots are).
      const times = sent.map((r) => r.sentAt!.getTime()).sort((a, b) => a - b);
      times.forEach((time, k) => expect(time - before).toBeGreaterThanOrEqual(k * 500 - 20));
      // It did not wait behind the mailing.
      expect(urgentRow.sentAt!.getTime()).toBeLessThan(times.at(-1)!);
      expect(server.received).toHaveLength(5);
    } finally {
      await bulkApp.close();
      await server.close();
    }
  });
});

describe('SMTP credentials', () => {
  it('never stores or logs the SMTP password, even when the login fails', async () => {
    const wrong = smtp.url.replace(SMTP_PASSWORD, 'wr0ng-secret-pass');
    const lines: string[] = [];
    const other = await appFor(wrong, lines, { MAIL_RETRY_LIMIT: '0' });
    try {
      const id = await record({}, other);
      const stored = await rowWhen(id, (r) => r.status !== 'queued', other);
      expect(stored).toMatchObject({ status: 'failed', attempts: 1 });
      expect(stored.lastError).toMatch(/535|EAUTH/);
      expect(lines.join('')).toContain('mail delivery failed');
      const everything = JSON.stringify(stored) + lines.join('') + logLines.join('');
      for (const secret of ['wr0ng-secret-pass', SMTP_PASSWORD, wrong, smtp.url]) expect(everything).not.toContain(secret);
    } finally {
      await other.close();
    }
  });
});
