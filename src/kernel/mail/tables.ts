import { index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

/**
 * Every message the platform sends: the delivery record when SMTP is configured, and the
 * development mailbox (transport `mailbox`) when it is not.
 */
export const emailMessages = pgTable(
  'email_messages',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id'),
    messageType: text('message_type').notNull(),
    toAddress: text('to_address').notNull(),
    fromAddress: text('from_address').notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body'),
    transport: text('transport', { enum: ['smtp', 'mailbox'] }).notNull(),
    status: text('status', { enum: ['queued', 'sent', 'failed', 'bounced'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    smtpMessageId: text('smtp_message_id'),
    smtpResponse: text('smtp_response'),
    lastError: text('last_error'),
    attachments: jsonb('attachments').$type<{ filename: string; content_type: string; size: number }[]>().notNull().default([]),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().notNull().default({}),
    createdAt: timestamp('created_at', { precision: 3, withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { precision: 3, withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp('sent_at', { precision: 3, withTimezone: true }),
  },
  (t) => [
    index('email_messages_org_created_idx').on(t.organizationId, t.createdAt, t.id),
    index('email_messages_org_to_idx').on(t.organizationId, t.toAddress),
  ],
);

/** An organization's own wording of a message type in one language (replaces the built-in one). */
export const emailTemplates = pgTable(
  'email_templates',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id').notNull(),
    messageType: text('message_type').notNull(),
    locale: text('locale', { enum: ['en', 'km'] }).notNull(),
    subject: text('subject').notNull(),
    textBody: text('text_body').notNull(),
    htmlBody: text('html_body').notNull(),
    updatedBy: text('updated_by'),
    version: integer('version').notNull().default(1),
    createdAt: timestamp('created_at', { precision: 3, withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { precision: 3, withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('email_templates_org_type_locale_idx').on(t.organizationId, t.messageType, t.locale)],
);

/**
 * When the next bulk message may be handed to the SMTP server: one row per lane, shared by every
 * instance, so MAIL_BULK_RATE_PER_MINUTE holds however many instances and bulk sends run at once.
 */
export const mailSendSlots = pgTable('mail_send_slots', {
  lane: text('lane').primaryKey(),
  nextAt: timestamp('next_at', { precision: 3, withTimezone: true }).notNull(),
});
