import { and, eq, gte, lt } from 'drizzle-orm';
import type { Actor } from '../auth/actor';
import type { Executor } from '../db/database';
import { paginate, type CursorCodec } from '../http/pagination';
import { notFound } from '../http/problem';
import type { EmailMessage, EmailMessageSummary, ListEmailMessagesQuery } from './schemas';
import { emailMessages } from './tables';

type Row = typeof emailMessages.$inferSelect;

const summary = (row: Row): EmailMessageSummary => ({
  id: row.id,
  type: row.messageType,
  to: row.toAddress,
  from: row.fromAddress,
  subject: row.subject,
  locale: typeof row.metadata.locale === 'string' ? row.metadata.locale : 'en',
  transport: row.transport,
  status: row.status,
  attempts: row.attempts,
  smtp_message_id: row.smtpMessageId,
  smtp_response: row.smtpResponse,
  last_error: row.lastError,
  attachments: row.attachments,
  created_at: row.createdAt.toISOString(),
  updated_at: row.updatedAt.toISOString(),
  sent_at: row.sentAt?.toISOString() ?? null,
});

/** The caller's organization's messages, newest first by default. */
export async function listEmailMessages(executor: Executor, cursors: CursorCodec, actor: Actor, query: ListEmailMessagesQuery) {
  const t = emailMessages;
  const page = await paginate({
    executor,
    table: t,
    where: and(
      eq(t.organizationId, actor.organizationId),
      query.to ? eq(t.toAddress, query.to) : undefined,
      query.type ? eq(t.messageType, query.type) : undefined,
      query.status ? eq(t.status, query.status) : undefined,
      query.created_after ? gte(t.createdAt, new Date(query.created_after)) : undefined,
      query.created_before ? lt(t.createdAt, new Date(query.created_before)) : undefined,
    ),
    sortColumns: { created_at: t.createdAt },
    idColumn: t.id,
    params: query,
    cursors,
  });
  return { ...page, items: page.items.map(summary) };
}

/** One message with its bodies; another organization's answers 404 like a missing one. */
export async function getEmailMessage(executor: Executor, actor: Actor, id: string): Promise<EmailMessage> {
  const [row] = await executor
    .select()
    .from(emailMessages)
    .where(and(eq(emailMessages.organizationId, actor.organizationId), eq(emailMessages.id, id)));
  if (!row) throw notFound('EMAIL_MESSAGE_NOT_FOUND');
  return { ...summary(row), text_body: row.textBody, html_body: row.htmlBody };
}
