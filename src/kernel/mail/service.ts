import { and, eq, gte, inArray, lte, sql } from 'drizzle-orm';
import type { Executor } from '../db/database';
import { newId } from '../db/ids';
import type { JobContext, JobService } from '../jobs/index';
import type { Kernel } from '../kernel';
import type { Variables } from './render';
import { createSmtpSender, SmtpFailure, type SmtpAccepted, type SmtpSender } from './smtp';
import { emailMessages, mailSendSlots } from './tables';
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
  /**
   * Part of a mass mailing (invitations, reminders): delivered at MAIL_BULK_RATE_PER_MINUTE at
   * low priority, behind transactional mail, which is never held back by it.
   */
  bulk?: boolean;
}

export interface MailLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface MailServiceOptions {
  /** false: every retry waits exactly MAIL_RETRY_DELAY_SECONDS (tests); default true (doubling). */
  retryBackoff?: boolean;
  /** Deliveries running at once on each instance (default 4). */
  concurrency?: number;
  log?: MailLog;
}

export type DeliveryOutcome = 'sent' | 'retrying' | 'failed' | 'bounced';

/** A message's delivery state as `status()` answers it. */
export interface MessageStatus {
  status: Row['status'];
  /** Why the last attempt failed (with the SMTP reply code when there is one). */
  lastError: string | null;
  sentAt: Date | null;
  updatedAt: Date;
}

type Row = typeof emailMessages.$inferSelect;

export const DELIVERY_QUEUE = 'mail.deliver';
const SWEEP_QUEUE = 'mail.sweep';
/** Bounds one delivery attempt; the SMTP timeouts (smtp.ts) end it well before. */
const DELIVERY_TIMEOUT_SECONDS = 120;
const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
const RECIPIENT = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/;
const silent: MailLog = { warn() {}, error() {} };
const LINK_TOKEN = /([?&](?:amp;)?token=)[^&"'\s<>]+/g;

/** `…/reset-password?token=rst_abc` → `…/reset-password?token=[redacted]` (the recipient has the real one). */
export const redactLinkTokens = (body: string) => body.replace(LINK_TOKEN, '$1[redacted]');

/** Thrown by a delivery job whose attempt failed for now: the job queue retries it. */
class DeliveryDeferred extends Error {}

/**
 * The platform's one mail service. `send` records the message and, with SMTP, enqueues its
 * delivery job in the caller's transaction, so nothing leaves before that transaction commits (and
 * never if it rolls back). The job queue (kernel/jobs) runs the delivery on any instance, once at a
 * time, and retries temporary failures with exponential backoff and jitter (MAIL_RETRY_*). Bulk
 * messages take their turn from a schedule shared by every instance (MAIL_BULK_RATE_PER_MINUTE).
 * Without SMTP_URL, messages go to the development mailbox (the same table, transport `mailbox`).
 */
export function createMailService(kernel: Kernel, jobs: JobService, options: MailServiceOptions = {}) {
  const { config, database } = kernel;
  const t = emailMessages;
  const maxAttempts = config.mail.retryLimit + 1;
  const log = options.log ?? silent;
  let smtp: SmtpSender | undefined;
  const sender = () => (smtp ??= createSmtpSender(config.smtpUrl!));

  /** Claims a queued message for one attempt (counted), unless it reached a final state meanwhile. */
  async function claim(id: string): Promise<Row | undefined> {
    const [row] = await database.db
      .update(t)
      .set({ attempts: sql`${t.attempts} + 1`, updatedAt: kernel.now() })
      .where(and(eq(t.id, id), eq(t.transport, 'smtp'), eq(t.status, 'queued')))
      .returning();
    return row;
  }

  /** One attempt; `lastChance`: no retry follows, so a temporary failure is final too. */
  async function deliverClaimed(row: Row, lastChance: boolean): Promise<{ outcome: DeliveryOutcome; reason?: string }> {
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
      const final = failure.permanent || lastChance || row.attempts >= maxAttempts;
      const outcome: DeliveryOutcome = !final ? 'retrying' : failure.bounced ? 'bounced' : 'failed';
      await database.db
        .update(t)
        .set({ status: outcome === 'retrying' ? 'queued' : outcome, lastError: failure.message, smtpResponse: failure.response, updatedAt: kernel.now(), ...(final ? { metadata: withoutData } : {}) })
        .where(eq(t.id, row.id));
      log.warn({ email_message_id: row.id, attempts: row.attempts, outcome, reason: failure.message }, 'mail delivery failed');
      return { outcome, reason: failure.message };
    }
    // Should this update fail, the job fails and delivers again later: at least once.
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
    return { outcome: 'sent' };
  }

  /** The delivery job: one attempt; a temporary failure throws, so the queue schedules the next. */
  async function deliveryJob(data: { id: string }, context: JobContext): Promise<{ status: DeliveryOutcome | 'skipped' }> {
    const row = await claim(data.id);
    // Sent, failed or erased meanwhile: nothing to do.
    if (!row) return { status: 'skipped' };
    const { outcome, reason } = await deliverClaimed(row, context.attempt >= maxAttempts);
    if (outcome === 'retrying') throw new DeliveryDeferred(reason);
    return { status: outcome };
  }

  /**
   * A message whose final attempt was cut short (the process died mid-delivery) stays queued while
   * its job expires without a retry; once it is clearly stale it is marked failed.
   */
  async function failInterrupted(): Promise<{ failed: number }> {
    const now = kernel.now();
    const stale = new Date(now.getTime() - 2 * DELIVERY_TIMEOUT_SECONDS * 1000);
    const failed = await database.db
      .update(t)
      .set({ status: 'failed', lastError: 'Delivery interrupted during the last attempt', updatedAt: now, metadata: sql`${t.metadata} - 'attachment_data'` })
      .where(and(eq(t.transport, 'smtp'), eq(t.status, 'queued'), gte(t.attempts, maxAttempts), lte(t.updatedAt, stale)))
      .returning({ id: t.id });
    return { failed: failed.length };
  }

  /**
   * The instant the next bulk message may leave, reserved in the caller's transaction (a rollback
   * gives the slot back). The row lock orders concurrent bulk senders.
   */
  async function reserveBulkSlot(executor: Executor): Promise<Date> {
    const spacingMs = 60_000 / config.mail.bulkRatePerMinute;
    const now = kernel.now();
    const [slot] = await executor
      .insert(mailSendSlots)
      .values({ lane: 'bulk', nextAt: new Date(now.getTime() + spacingMs) })
      .onConflictDoUpdate({
        target: mailSendSlots.lane,
        set: { nextAt: sql`greatest(${mailSendSlots.nextAt}, ${now}) + make_interval(secs => ${spacingMs / 1000})` },
      })
      .returning({ nextAt: mailSendSlots.nextAt });
    return new Date(slot!.nextAt.getTime() - spacingMs);
  }

  const smtpEnabled = () => Boolean(config.smtpUrl);

  if (smtpEnabled()) {
    jobs.work(
      DELIVERY_QUEUE,
      {
        concurrency: options.concurrency ?? 4,
        timeoutSeconds: DELIVERY_TIMEOUT_SECONDS,
        retryLimit: config.mail.retryLimit,
        retryDelaySeconds: config.mail.retryDelaySeconds,
        retryBackoff: options.retryBackoff ?? true,
      },
      deliveryJob,
    );
    jobs.work(SWEEP_QUEUE, { retryLimit: 0 }, failInterrupted);
    void jobs.schedule(SWEEP_QUEUE, '*/5 * * * *');
  }

  /**
   * Renders and records a message in the caller's transaction; returns its id. With SMTP it is
   * queued with its delivery job (which runs once that transaction commits); otherwise it lands
   * in the development mailbox.
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
    if (smtpMode) {
      const notBefore = mail.bulk ? await reserveBulkSlot(executor) : undefined;
      await jobs.enqueue(executor, DELIVERY_QUEUE, { id }, {
        // A platform job: its message's status is what the API shows (GET /email/messages).
        organizationId: null,
        priority: mail.bulk ? 'low' : 'high',
        ...(notBefore && notBefore > now ? { startAfter: notBefore } : {}),
      });
    }
    return id;
  }

  /** Nothing to wait for: deliveries run as jobs, which the job queue drains on shutdown. */
  async function stop(): Promise<void> {
    smtp?.close();
    smtp = undefined;
  }

  /** Right to erasure: deletes every stored message sent to this address; returns how many. */
  async function forgetRecipient(executor: Executor, address: string): Promise<number> {
    const removed = await executor.delete(t).where(eq(t.toAddress, address)).returning({ id: t.id });
    return removed.length;
  }

  /**
   * Where these messages stand (`queued`, `sent`, `failed`, `bounced`), for modules that show the
   * fate of what they sent (an invoice's timeline). Read with the caller's executor; unknown or
   * erased ids are simply absent from the answer.
   */
  async function status(executor: Executor, ids: string[]): Promise<Map<string, MessageStatus>> {
    const found = new Map<string, MessageStatus>();
    if (ids.length === 0) return found;
    const rows = await executor
      .select({ id: t.id, status: t.status, lastError: t.lastError, sentAt: t.sentAt, updatedAt: t.updatedAt })
      .from(t)
      .where(inArray(t.id, [...new Set(ids)]));
    for (const row of rows) found.set(row.id, { status: row.status, lastError: row.lastError, sentAt: row.sentAt, updatedAt: row.updatedAt });
    return found;
  }

  return { transport: smtpEnabled() ? ('smtp' as const) : ('mailbox' as const), maxAttempts, send, status, forgetRecipient, failInterrupted, stop };
}

export type MailService = ReturnType<typeof createMailService>;
