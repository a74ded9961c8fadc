import { and, asc, eq, inArray } from 'drizzle-orm';
import { recordAudit, type RequestOrigin } from '../audit/audit';
import type { Actor } from '../auth/actor';
import type { Executor } from '../db/database';
import { groupBy } from '../db/group';
import { newId } from '../db/ids';
import { paginate } from '../http/pagination';
import { conflict, notFound } from '../http/problem';
import type { Kernel } from '../kernel';
import { payloadOf, type DeliveryService } from './deliveries';
import type { endpointService } from './endpoints';
import type { ListDeliveriesQuery, WebhookDelivery } from './schemas';
import { webhookAttempts, webhookDeliveries } from './tables';

type Delivery = typeof webhookDeliveries.$inferSelect;
type Attempt = typeof webhookAttempts.$inferSelect;

const iso = (date: Date | null) => date?.toISOString() ?? null;

function present(row: Delivery, attempts: Attempt[]): WebhookDelivery {
  return {
    id: row.id,
    endpoint_id: row.endpointId,
    event_id: row.eventId,
    event_type: row.eventType,
    status: row.status,
    attempts: row.attempts,
    next_attempt_at: row.status === 'pending' ? iso(row.nextAttemptAt) : null,
    last_status_code: row.lastStatusCode,
    last_error: row.lastError,
    created_at: row.createdAt.toISOString(),
    completed_at: iso(row.completedAt),
    attempt_log: attempts.map((a) => ({
      attempt: a.attempt,
      attempted_at: a.attemptedAt.toISOString(),
      status_code: a.statusCode,
      response_body: a.responseBody,
      duration_ms: a.durationMs,
      error: a.error,
      succeeded: a.succeeded,
    })),
  };
}

async function withAttempts(executor: Executor, rows: Delivery[]): Promise<WebhookDelivery[]> {
  if (rows.length === 0) return [];
  const attempts = await executor
    .select()
    .from(webhookAttempts)
    .where(inArray(webhookAttempts.deliveryId, rows.map((r) => r.id)))
    .orderBy(asc(webhookAttempts.attempt));
  const attemptsOf = groupBy(attempts, (a) => a.deliveryId);
  return rows.map((row) => present(row, attemptsOf.get(row.id) ?? []));
}

type Endpoints = ReturnType<typeof endpointService>;

/** Deliveries of one endpoint, with their attempts; manual test and retry. */
export function deliveryQueries(kernel: Kernel, endpoints: Endpoints, deliveries: DeliveryService) {
  const { database } = kernel;

  async function loadDelivery(executor: Executor, actor: Actor, endpointId: string, id: string): Promise<Delivery> {
    const [row] = await executor
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.organizationId, actor.organizationId), eq(webhookDeliveries.endpointId, endpointId), eq(webhookDeliveries.id, id)));
    if (!row) throw notFound('WEBHOOK_DELIVERY_NOT_FOUND');
    return row;
  }

  /** Leases the delivery, attempts it now, and answers it as recorded afterwards. */
  async function attemptNow(actor: Actor, endpointId: string, id: string): Promise<WebhookDelivery> {
    const claimed = await deliveries.claim(database.db, id);
    if (!claimed) throw conflict('WEBHOOK_DELIVERY_IN_PROGRESS');
    await deliveries.attempt(claimed, true);
    const [delivery] = await withAttempts(database.db, [await loadDelivery(database.db, actor, endpointId, id)]);
    return delivery!;
  }

  return {
    async list(actor: Actor, endpointId: string, query: ListDeliveriesQuery) {
      await endpoints.load(database.db, actor, endpointId);
      const t = webhookDeliveries;
      const page = await paginate({
        executor: database.db,
        table: t,
        where: and(eq(t.organizationId, actor.organizationId), eq(t.endpointId, endpointId), query.status ? eq(t.status, query.status) : undefined),
        sortColumns: { created_at: t.createdAt },
        idColumn: t.id,
        params: query,
        cursors: kernel.cursors,
      });
      return { ...page, items: await withAttempts(database.db, page.items) };
    },

    async get(actor: Actor, endpointId: string, id: string): Promise<WebhookDelivery> {
      const [delivery] = await withAttempts(database.db, [await loadDelivery(database.db, actor, endpointId, id)]);
      return delivery!;
    },

    /** Replays one delivery now, with its original `webhook-id` and body. */
    async retry(origin: RequestOrigin, actor: Actor, endpointId: string, id: string): Promise<WebhookDelivery> {
      await database.transaction(async (tx) => {
        await loadDelivery(tx, actor, endpointId, id);
        await recordAudit(tx, origin, { organizationId: actor.organizationId, actorId: actor.id, actorType: actor.type, action: 'webhook.delivery_retried', resourceType: 'webhook_delivery', resourceId: id });
      });
      return attemptNow(actor, endpointId, id);
    },

    /** Sends a `webhook.test` event to this endpoint only, once (a test is not retried). */
    async sendTest(actor: Actor, endpointId: string): Promise<WebhookDelivery> {
      const endpoint = await endpoints.load(database.db, actor, endpointId);
      const now = kernel.now();
      const id = newId('msg');
      await database.db.insert(webhookDeliveries).values({
        id,
        organizationId: actor.organizationId,
        endpointId,
        eventType: 'webhook.test',
        payload: payloadOf('webhook.test', now, { endpoint_id: endpoint.id, message: 'This is a test event from Deskbase.' }),
        nextAttemptAt: null,
        createdAt: now,
        updatedAt: now,
      });
      return attemptNow(actor, endpointId, id);
    },
  };
}
