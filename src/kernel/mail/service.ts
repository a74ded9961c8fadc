import { and, eq, gte, inArray, lt, lte, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/database';
import { newId } from '../db/ids';
import type { Kernel } from '../kernel';
import type { Variables } from './render';
import { createSmtpSender, SmtpFailure, type SmtpAccepted, type SmtpSender } from './smtp';
import { emailMessages } from './tables';
import { customTemplate, lenientVariables } from './custom-templates';
import { mailLocale, renderMail } from './templates';

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer | string;
}

export interface OutgoingMail {
  /** null for mail that belongs to no organization (platform notices). */
  organizationId: string | null;
  /** A registered template (`verify_email`, `password_reset`, …). */
  type: string;
  to: string;
  /** `en` (default) or `km`. */
  locale?: string;
  variables: Variables;
  attachments?: MailAttachment[];
}

export interface MailLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface MailServiceOptions {
  /** Wait before the 2nd, 3rd, … attempt; one more than their count is the attempt limit. */
  retryDelaysMs?: number[];
  /** How often the poller looks for due messages; 0 disables it (flush()/deliverPending() only). */
  pollIntervalMs?: number;
  /** Messages claimed per round. */
  batchSize?: number;
  log?: MailLog;
}

export type DeliveryOutcome = 'sent' | 'retrying' | 'failed';

type Row = typeof emailMessages.$inferSelect;

const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
/** Far longer than any delivery can take (the SMTP timeouts bound it). */
const STALE_CLAIM_MS = 10 * 60_000;
const RECIPIENT = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/;
const silent: MailLog = { warn() {}, error() {} };
const LINK_TOKEN = /([?&](?:amp;)?token=)[^&"'\s<>]+/g;

/** `…/reset-password?token=rst_abc` → `…/reset-password?token=[redacted]` (the recipient has the real one). */
export const redactLinkTokens = (body: string) => body.replace(LINK_TOKEN, '$1[redacted]');

/**
 * The platform's one mail service. `send` only records the message, in the caller's transaction,
 * so nothing leaves before that transaction commits (and never if it rolls back). SMTP delivery
 * happens afterwards: `flush()` right after the commit, and a poller for retries. Every claim is
 * one `UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED)`, so several instances never send a
 * message twice; moving to a job queue means calling `deliver(id)` from a job instead.
 * Without SMTP_URL, messages go to the development mailbox (the same table, transport `mailbox`).
 */
export function createMailService(kernel: Kernel, options: MailServiceOptions = {}) {
  const { config, database } = kernel;
  const t = emailMessages;
  const retryDelaysMs = options.retryDelaysMs ?? [60_000, 5 * 60_000];
  const maxAttempts = retryDelaysMs.length + 1;
  const batchSize = options.batchSize ?? 10;
  const log = options.log ?? silent;
  let smtp: SmtpSender | undefined;
  const sender = () => (smtp ??= createSmtpSender(config.smtpUrl!));
  const running = new Set<Promise<unknown>>();
  let poller: NodeJS.Timeout | undefined;
  let polling = false;

  /** Runs work tracked, so stop() can wait for it. */
  function track<T>(work: Promise<T>): Promise<T> {
    running.add(work);
    return work.finally(() => running.delete(work));
  }

  /** Claims up to `limit` queued SMTP messages matching `due`: each claim counts one attempt. */
  async function claim(due: SQL | undefined, limit: number): Promise<Row[]> {
    const candidates = database.db
      .select({ id: t.id })
      .from(t)
      .where(and(eq(t.transport, 'smtp'), eq(t.status, 'queued'), lt(t.attempts, maxAttempts), due))
      .orderBy(t.createdAt)
      .limit(limit)
      .for('update', { skipLocked: true });
    return database.db
      .update(t)
      .set({ attempts: sql`${t.attempts} + 1`, updatedAt: kernel.now() })
      .where(inArray(t.id, candidates))
      .returning();
  }

  /** Never tried, or its last failure is older than the wait before the next attempt. */
  function dueCondition(withRetries: boolean): SQL | undefined {
    const now = kernel.now().getTime();
    const retries = retryDelaysMs.map((delay, i) => and(eq(t.attempts, i + 1), lte(t.updatedAt, new Date(now - delay))));
    return withRetries ? or(eq(t.attempts, 0), ...retries) : eq(t.attempts, 0);
  }

  async function deliverClaimed(row: Row): Promise<DeliveryOutcome> {
    const data = (row.metadata.attachment_data as string[] | undefined) ?? [];
    // Attachment bytes are kept only until the message reaches a final state.
    const withoutData = sql`${t.metadata} - 'attachment_data'`;
    let accepted: SmtpAccepted;
    try {
      accepted = await sender().send({
        from: row.fromAddress,
        to: row.toAddress,
        subject: row.subject,
        text: row.textBody,
        html: row.htmlBody ?? undefined,
        attachments: row.attachments.map((a, i) => ({ filename: a.filename, contentType: a.content_type, content: Buffer.from(data[i] ?? '', 'base64') })),
      });
    } catch (error) {
      const failure = error instanceof SmtpFailure ? error : new SmtpFailure('Delivery failed unexpectedly', false, null);
      const final = failure.permanent || row.attempts >= maxAttempts;
      await database.db
        .update(t)
        .set({ status: final ? 'failed' : 'queued', lastError: failure.message, smtpResponse: failure.response, updatedAt: kernel.now(), ...(final ? { metadata: withoutData } : {}) })
        .where(eq(t.id, row.id));
      log.warn({ email_message_id: row.id, attempts: row.attempts, final, reason: failure.message }, 'mail delivery failed');
      return final ? 'failed' : 'retrying';
    }
    // Should this update fail, the message stays queued and is sent again later: at least once.
    const now = kernel.now();
    await database.db
      .update(t)
      .set({
        status: 'sent',
        smtpMessageId: accepted.messageId,
        smtpResponse: accepted.response,
        lastError: null,
        sentAt: now,
        updatedAt: now,
        metadata: withoutData,
        // Once delivered, the stored copy must not let a reader of the log use a sign-in link.
        textBody: redactLinkTokens(row.textBody),
        htmlBody: row.htmlBody === null ? null : redactLinkTokens(row.htmlBody),
      })
      .where(eq(t.id, row.id));
    return 'sent';
  }

  /** Claims and delivers in rounds until nothing is due; returns how many were attempted. */
  async function deliverDue(withRetries: boolean): Promise<number> {
    let attempted = 0;
    for (;;) {
      const rows = await claim(dueCondition(withRetries), batchSize);
      for (const row of rows) await deliverClaimed(row);
      attempted += rows.length;
      if (rows.length < batchSize) return attempted;
    }
  }

  /**
   * A message whose last attempt was cut short (the process stopped mid-delivery) would stay queued
   * forever; once it is clearly stale it is marked failed.
   */
  async function failInterrupted(): Promise<void> {
    const now = kernel.now();
    await database.db
      .update(t)
      .set({ status: 'failed', lastError: 'Delivery interrupted during the last attempt', updatedAt: now, metadata: sql`${t.metadata} - 'attachment_data'` })
      .where(and(eq(t.transport, 'smtp'), eq(t.status, 'queued'), gte(t.attempts, maxAttempts), lte(t.updatedAt, new Date(now.getTime() - STALE_CLAIM_MS))));
  }

  const smtpEnabled = () => Boolean(config.smtpUrl);

  /**
   * Renders and records a message in the caller's transaction; returns its id. With SMTP it is
   * queued (call flush() after the commit); otherwise it lands in the development mailbox.
   */
  async function send(executor: Executor, mail: OutgoingMail): Promise<string> {
    const to = mail.to.trim();
    if (!RECIPIENT.test(to)) throw new Error(`Invalid recipient address for mail type "${mail.type}"`);
    const custom = mail.organizationId ? await customTemplate(executor, mail.organizationId, mail.type, mailLocale(mail.locale)) : undefined;
    const rendered = custom ? renderMail(mail.type, mail.locale, lenientVariables(mail.type, mail.variables), custom) : renderMail(mail.type, mail.locale, mail.variables);
    const files = (mail.attachments ?? []).map((a) => ({ ...a, bytes: Buffer.isBuffer(a.content) ? a.content : Buffer.from(a.content) }));
    if (files.reduce((sum, f) => sum + f.bytes.length, 0) > MAX_ATTACHMENT_BYTES) throw new Error('Mail attachments exceed 10 MB');
    const smtpMode = smtpEnabled();
    const now = kernel.now();
    const id = newId('eml');
    await executor.insert(t).values({
      id,
      organizationId: mail.organizationId,
      messageType: mail.type,
      toAddress: to,
      fromAddress: config.mailFrom,
      subject: rendered.subject,
      textBody: rendered.text,
      htmlBody: rendered.html,
      transport: smtpMode ? 'smtp' : 'mailbox',
      status: smtpMode ? 'queued' : 'sent',
      attempts: smtpMode ? 0 : 1,
      attachments: files.map((f) => ({ filename: f.filename, content_type: f.contentType, size: f.bytes.length })),
      // The bytes must survive until delivery, which may happen in another process.
      metadata: { locale: rendered.locale, ...(smtpMode && files.length > 0 ? { attachment_data: files.map((f) => f.bytes.toString('base64')) } : {}) },
      createdAt: now,
      updatedAt: now,
      sentAt: smtpMode ? null : now,
    });
    return id;
  }

  /** Delivers what committed transactions queued, now. Call it after the transaction; never throws. */
  async function flush(): Promise<void> {
    if (!smtpEnabled()) return;
    try {
      await track(deliverDue(false));
    } catch (error) {
      log.error({ err: error }, 'mail flush failed; the poller will retry');
    }
  }

  /** One poller round: first attempts and retries whose wait is over. Returns how many were attempted. */
  async function deliverPending(): Promise<number> {
    if (!smtpEnabled()) return 0;
    return track(failInterrupted().then(() => deliverDue(true)));
  }

  /** Delivers one queued message regardless of its retry wait (the hook for a job queue); null if not claimable. */
  async function deliver(id: string): Promise<DeliveryOutcome | null> {
    if (!smtpEnabled()) return null;
    const [row] = await claim(eq(t.id, id), 1);
    return row ? track(deliverClaimed(row)) : null;
  }

  function start(): void {
    const interval = options.pollIntervalMs ?? 10_000;
    if (!smtpEnabled() || interval <= 0 || poller) return;
    poller = setInterval(() => {
      if (polling) return;
      polling = true;
      deliverPending()
        .catch((error: unknown) => log.error({ err: error }, 'mail poller round failed'))
        .finally(() => (polling = false));
    }, interval);
    poller.unref();
  }

  /** Stops the poller and waits for deliveries in progress (call it before the database closes). */
  async function stop(): Promise<void> {
    clearInterval(poller);
    poller = undefined;
    await Promise.allSettled([...running]);
    smtp?.close();
    smtp = undefined;
  }

  /** Right to erasure: deletes every stored message sent to this address; returns how many. */
  async function forgetRecipient(executor: Executor, address: string): Promise<number> {
    const removed = await executor.delete(t).where(eq(t.toAddress, address)).returning({ id: t.id });
    return removed.length;
  }

  return { transport: smtpEnabled() ? ('smtp' as const) : ('mailbox' as const), maxAttempts, send, flush, deliverPending, deliver, forgetRecipient, start, stop };
}

export type MailService = ReturnType<typeof createMailService>;
