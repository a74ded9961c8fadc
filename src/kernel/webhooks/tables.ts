import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { idColumn, resourceColumns } from '../db/columns';

const at = (name: string) => timestamp(name, { precision: 3, withTimezone: true });

/** Where an organization wants its events delivered (Standard Webhooks). */
export const webhookEndpoints = pgTable(
  'webhook_endpoints',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    url: text('url').notNull(),
    description: text('description').notNull().default(''),
    /** Event types or `prefix.*` / `*` patterns. */
    eventTypes: jsonb('event_types').$type<string[]>().notNull(),
    enabled: boolean('enabled').notNull().default(true),
    /** The signing secret (`whsec_…`), encrypted with a key derived from SECRET_KEY. */
    secretSealed: text('secret_sealed').notNull(),
    /** After a rotation the old secret keeps signing alongside the new one until this time. */
    previousSecretSealed: text('previous_secret_sealed'),
    previousSecretExpiresAt: at('previous_secret_expires_at'),
    /** The first failed attempt since the last success; five days of failures disable the endpoint. */
    failingSince: at('failing_since'),
    disabledReason: text('disabled_reason'),
    createdBy: text('created_by'),
    ...resourceColumns(),
  },
  (t) => [index('webhook_endpoints_org_created_idx').on(t.organizationId, t.createdAt, t.id)],
);

/** One event for one endpoint; its id is the `webhook-id` every attempt carries. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    endpointId: text('endpoint_id').notNull(),
    /** The outbox event, null for `webhook.test`. */
    eventId: text('event_id'),
    eventType: text('event_type').notNull(),
    /** The exact body sent, so that every attempt carries the same bytes and signature input. */
    payload: text('payload').notNull(),
    status: text('status', { enum: ['pending', 'succeeded', 'failed'] }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at'),
    /** Set while an instance attempts it; an expired lease (crash) makes it due again. */
    leaseUntil: at('lease_until'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
    completedAt: at('completed_at'),
  },
  (t) => [
    index('webhook_deliveries_endpoint_created_idx').on(t.organizationId, t.endpointId, t.createdAt, t.id),
    index('webhook_deliveries_due_idx').on(t.nextAttemptAt).where(sql`status = 'pending'`),
  ],
);

/** Every HTTP attempt of a delivery, as the receiver answered it. */
export const webhookAttempts = pgTable(
  'webhook_attempts',
  {
    id: idColumn(),
    organizationId: text('organization_id').notNull(),
    deliveryId: text('delivery_id').notNull(),
    attempt: integer('attempt').notNull(),
    attemptedAt: at('attempted_at').notNull(),
    statusCode: integer('status_code'),
    /** The first 1 KB of the response body. */
    responseBody: text('response_body'),
    durationMs: integer('duration_ms').notNull(),
    error: text('error'),
    succeeded: boolean('succeeded').notNull(),
  },
  (t) => [index('webhook_attempts_delivery_idx').on(t.deliveryId, t.attempt)],
);
