import { and, asc, eq, inArray, isNull, lt, lte, or, sql } from 'drizzle-orm';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Executor } from '../db/database';
import { newId } from '../db/ids';
import { markDispatched, OUTBOX_CHANNEL, undispatchedEvents, type OutboxEvent } from '../events/outbox';
import type { Kernel } from '../kernel';
import type { MailService } from '../mail/index';
import { signingSecrets } from './endpoints';
import { matchesEventType, nextDelayMs, STANDARD_RETRY_DELAYS_MS } from './schedule';
import { postWebhook, type AttemptResult } from './send';
import { signedHeaders } from './signing';
import { createSuccessRecorder } from './successes';
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from './tables';

type Delivery = typeof webhookDeliveries.$inferSelect;
type Endpoint = typeof webhookEndpoints.$inferSelect;

export interface DeliveryLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface DeliveryOptions {
  /** Waits before the 2nd, 3rd, … attempt (Standard Webhooks' schedule by default). */
  retryDelaysMs?: readonly number[];
  /** Bound of one attempt, connection to last byte read (15 s). */
  timeoutMs?: number;
  /** How often due retries are looked for; 0 disables the poller (tests drive `runOnce`). */
  pollIntervalMs?: number;
  /** An endpoint failing without a success for this long is disabled (5 days). */
  failureWindowMs?: number;
  /** Attempts in flight at once on this instance (64). */
  concurrency?: number;
  /** How long a claim holds a delivery: one whose instance died is attempted again after it (60 s). */
  leaseMs?: number;
  random?: () => number;
  log?: DeliveryLog;
}

const DISPATCH_BATCH = 500;
/**
 * The shortest time between two dispatches: events committed closer together than this wait for
 * each other and go out in one round (one transaction, one claim) instead of one round each,
 * which at 200 events/s had cost 7 statements an event. Events further apart go at once.
 */
const DISPATCH_GAP_MS = 20;
const INSERT_CHUNK = 1000;
/** Only one instance dispatches at a time, so deliveries are created in event order. */
const DISPATCH_LOCK = 0x77686b64;
const silent: DeliveryLog = { warn() {}, error() {} };

/** The body every attempt of a delivery sends: `{type, timestamp, data}`. */
export const payloadOf = (type: string, at: Date, data: Record<string, unknown>) => JSON.stringify({ type, timestamp: at.toISOString(), data });

/**
 * Turns committed outbox events into deliveries (one per matching enabled endpoint) and attempts
 * them: the first attempt at once, retries on Standard Webhooks' schedule. Every claim is a
 * lease, so several instances share the work and a crash only delays a delivery (at least once,
 * always with the same `webhook-id`).
 */
export function createDeliveryService(kernel: Kernel, mail: MailService, options: DeliveryOptions = {}) {
  const { database } = kernel;
  const d = webhookDeliveries;
  const delays = options.retryDelaysMs ?? STANDARD_RETRY_DELAYS_MS;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const failureWindowMs = options.failureWindowMs ?? 5 * 86_400_000;
  const concurrency = options.concurrency ?? 64;
  const refillBatch = Math.max(1, Math.floor(concurrency / 4));
  const leaseMs = options.leaseMs ?? 60_000;
  const random = options.random ?? Math.random;
  const log = options.log ?? silent;
  const successes = createSuccessRecorder(database, () => kernel.now());

  const inFlight = new Set<Promise<void>>();
  let pumping: Promise<void> | null = null;
  let again = false;
  // What a round has to do. A finished attempt starts a round only to refill its slot: without
  // these, every round read the outbox and looked for due deliveries, up to 14 statements a
  // delivery, which on the embedded database were most of the server's work under load.
  /** Committed events may be waiting in the outbox (a notification, the poller, a start). */
  let outboxChanged = true;
  /** Deliveries may be due that no claim has taken: new ones, retries, expired leases, a full claim. */
  let dueChanged = true;
  let lastDispatchAt = 0;
  let stopped = false;
  let poller: NodeJS.Timeout | undefined;

  /** Moves a batch of events into deliveries; returns how many events it took. */
  async function dispatchBatch(): Promise<number> {
    return database.transaction(async (tx) => {
      const { rows } = await tx.execute<{ locked: boolean }>(sql`SELECT pg_try_advisory_xact_lock(${DISPATCH_LOCK}) AS locked`);
      if (!rows[0]?.locked) return 0;
      const events = await undispatchedEvents(tx, DISPATCH_BATCH);
      if (events.length === 0) return 0;
      const organizations = [...new Set(events.map((e) => e.organizationId))];
      const endpoints = await tx
        .select({ id: webhookEndpoints.id, organizationId: webhookEndpoints.organizationId, eventTypes: webhookEndpoints.eventTypes })
        .from(webhookEndpoints)
        .where(and(inArray(webhookEndpoints.organizationId, organizations), eq(webhookEndpoints.enabled, true)));
      const now = kernel.now();
      const deliveries = events.flatMap((event: OutboxEvent) =>
        endpoints
          .filter((endpoint) => endpoint.organizationId === event.organizationId && matchesEventType(endpoint.eventTypes, event.type))
          .map((endpoint) => ({
            id: newId('msg'),
            organizationId: event.organizationId,
            endpointId: endpoint.id,
            eventId: event.id,
            eventType: event.type,
            payload: payloadOf(event.type, event.createdAt, event.data),
            nextAttemptAt: now,
            createdAt: now,
            updatedAt: now,
          })),
      );
      for (let i = 0; i < deliveries.length; i += INSERT_CHUNK) await tx.insert(d).values(deliveries.slice(i, i + INSERT_CHUNK));
      await markDispatched(tx, events.map((e) => e.id), now);
      return events.length;
    });
  }

  async function dispatchAll(): Promise<void> {
    const wait = lastDispatchAt + DISPATCH_GAP_MS - Date.now();
    if (wait > 0) await sleep(wait);
    lastDispatchAt = Date.now();
    outboxChanged = false;
    let taken: number;
    do {
      taken = await dispatchBatch();
      // Its deliveries are due at once.
      if (taken > 0) dueChanged = true;
    } while (taken === DISPATCH_BATCH); // a full batch: there may be more
  }

  /** Leases up to `limit` due deliveries to this instance. */
  async function claimDue(limit: number): Promise<Delivery[]> {
    const now = kernel.now();
    const due = database.db
      .select({ id: d.id })
      .from(d)
      .where(and(eq(d.status, 'pending'), lte(d.nextAttemptAt, now), or(isNull(d.leaseUntil), lt(d.leaseUntil, now))))
      .orderBy(asc(d.nextAttemptAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    return database.db
      .update(d)
      .set({ leaseUntil: new Date(now.getTime() + leaseMs), attempts: sql`${d.attempts} + 1`, updatedAt: now })
      .where(inArray(d.id, due))
      .returning();
  }

  /** The endpoints of claimed deliveries, read once for the claim; a deleted one is absent. */
  async function endpointsOf(deliveries: Delivery[]): Promise<Map<string, Endpoint>> {
    if (deliveries.length === 0) return new Map();
    const ids = [...new Set(deliveries.map((delivery) => delivery.endpointId))];
    const rows = await database.db.select().from(webhookEndpoints).where(inArray(webhookEndpoints.id, ids));
    return new Map(rows.map((row) => [row.id, row]));
  }

  /** One HTTP attempt of a leased delivery, recorded; `manual` attempts never reschedule. */
  async function attempt(delivery: Delivery, manual = false): Promise<void> {
    const endpoints = await endpointsOf([delivery]);
    await attemptTo(delivery, endpoints.get(delivery.endpointId), manual);
  }

  async function attemptTo(delivery: Delivery, endpoint: Endpoint | undefined, manual: boolean): Promise<void> {
    const now = kernel.now();
    let result: AttemptResult;
    if (!endpoint || !endpoint.enabled) {
      result = { succeeded: false, statusCode: null, body: null, durationMs: 0, error: endpoint ? 'The endpoint is disabled' : 'The endpoint was deleted', retryAfterSeconds: null };
    } else {
      const headers = signedHeaders(signingSecrets(kernel, endpoint, now), delivery.id, Math.floor(now.getTime() / 1000), delivery.payload);
      result = await postWebhook(endpoint.url, headers, delivery.payload, { timeoutMs, allowPrivate: kernel.config.webhooks.allowPrivateTargets });
    }
    if (result.succeeded && endpoint) await successes.record(delivery, endpoint, result);
    else await record(delivery, endpoint?.enabled ? endpoint : undefined, result, manual);
  }

  /** Records a failed attempt and what follows from it: a retry, the end of the delivery, the endpoint's state. */
  async function record(delivery: Delivery, endpoint: Endpoint | undefined, result: AttemptResult, manual: boolean): Promise<void> {
    const now = kernel.now();
    await database.transaction(async (tx) => {
      await tx.insert(webhookAttempts).values({
        id: newId('wha'),
        organizationId: delivery.organizationId,
        deliveryId: delivery.id,
        attempt: delivery.attempts,
        attemptedAt: now,
        statusCode: result.statusCode,
        responseBody: result.body,
        durationMs: result.durationMs,
        error: result.error,
        succeeded: false,
      });
      const common = { leaseUntil: null, lastStatusCode: result.statusCode, lastError: result.error ?? `HTTP ${result.statusCode}`, updatedAt: now };
      const gone = result.statusCode === 410;
      const delay = gone || !endpoint ? null : nextDelayMs(delays, delivery.attempts, result.retryAfterSeconds, random);
      // A manual attempt leaves the schedule alone; one with no schedule (a test event) has failed.
      if (manual) await tx.update(d).set({ ...common, ...(delivery.status === 'pending' && delivery.nextAttemptAt === null ? { status: 'failed' as const, completedAt: now } : {}) }).where(eq(d.id, delivery.id));
      else if (delay === null) await tx.update(d).set({ ...common, status: 'failed', nextAttemptAt: null, completedAt: now }).where(eq(d.id, delivery.id));
      else await tx.update(d).set({ ...common, nextAttemptAt: new Date(now.getTime() + delay) }).where(eq(d.id, delivery.id));
      if (!endpoint) return;
      const failingSince = endpoint.failingSince ?? now;
      if (gone) await disable(tx, endpoint, 'The endpoint answered 410 Gone');
      else if (now.getTime() - failingSince.getTime() >= failureWindowMs) await disable(tx, endpoint, `Every attempt failed for ${Math.round(failureWindowMs / 86_400_000)} days`);
      else if (!endpoint.failingSince) await tx.update(webhookEndpoints).set({ failingSince: now }).where(eq(webhookEndpoints.id, endpoint.id));
    });
    log.warn({ webhook_delivery_id: delivery.id, attempt: delivery.attempts, status: result.statusCode, reason: result.error }, 'webhook attempt failed');
  }

  /** Disables the endpoint and tells the organization's administrators, in the same transaction. */
  async function disable(tx: Executor, endpoint: Endpoint, reason: string): Promise<void> {
    await tx
      .update(webhookEndpoints)
      .set({ enabled: false, disabledReason: reason, version: sql`${webhookEndpoints.version} + 1`, updatedAt: kernel.now() })
      .where(eq(webhookEndpoints.id, endpoint.id));
    const administrators = (await kernel.contacts?.administrators(tx, endpoint.organizationId)) ?? [];
    for (const admin of administrators) {
      await mail.send(tx, { organizationId: endpoint.organizationId, type: 'webhook_endpoint_disabled', to: admin.email, variables: { first_name: admin.firstName ?? '', url: endpoint.url, reason, endpoint_id: endpoint.id } });
    }
    log.warn({ webhook_endpoint_id: endpoint.id, reason }, 'webhook endpoint disabled');
  }

  function track(work: Promise<void>): void {
    inFlight.add(work);
    void work.finally(() => {
      inFlight.delete(work);
      round();
    });
  }

  /**
   * Dispatches new events, then claims what is due while there is room, and attempts each claim
   * without waiting for the rest. A claim is a commit (a disk flush, ~3.5 ms here), so it waits
   * for a quarter of the slots to be free rather than refilling them one at a time.
   */
  async function pump(): Promise<void> {
    do {
      again = false;
      if (outboxChanged) await dispatchAll();
      while (dueChanged && !stopped && inFlight.size <= concurrency - refillBatch) {
        const room = concurrency - inFlight.size;
        // Cleared before the claim: a change made while it runs sets it again.
        dueChanged = false;
        const claimed = await claimDue(room);
        // A full claim may have left due deliveries behind; a short one (or none) ends the loop.
        if (claimed.length === room) dueChanged = true;
        const endpoints = await endpointsOf(claimed);
        for (const delivery of claimed) {
          track(attemptTo(delivery, endpoints.get(delivery.endpointId), false).catch((error: unknown) => log.error({ err: error, webhook_delivery_id: delivery.id }, 'webhook attempt crashed; its lease will expire and it will be retried')));
        }
      }
    } while (again && !stopped);
  }

  /** Runs a round that looks at everything (a notification, the poller, a start, a test's round). */
  function kick(): void {
    outboxChanged = true;
    dueChanged = true;
    round();
  }

  /** Runs a round now, or once more after the current one, for what the flags say may have changed. */
  function round(): void {
    if (stopped) return;
    if (pumping) {
      again = true;
      return;
    }
    pumping = pump()
      .catch((error: unknown) => log.error({ err: error }, 'webhook round failed; the poller will retry'))
      .finally(() => (pumping = null));
  }

  return {
    kick,
    attempt,
    /** Tests: dispatches and attempts everything due, and waits until those attempts are recorded. */
    async runOnce(): Promise<void> {
      kick();
      while (pumping || inFlight.size > 0) await Promise.all([pumping, ...inFlight]);
    },
    /** Deletes finished deliveries (and their attempts) created before `before`. */
    async prune(before: Date): Promise<void> {
      const old = database.db.select({ id: d.id }).from(d).where(and(lt(d.createdAt, before), inArray(d.status, ['succeeded', 'failed'])));
      await database.db.delete(webhookAttempts).where(inArray(webhookAttempts.deliveryId, old));
      await database.db.delete(d).where(and(lt(d.createdAt, before), inArray(d.status, ['succeeded', 'failed'])));
    },
    /** Leases one delivery for a manual attempt; undefined when an attempt is already in flight. */
    async claim(tx: Executor, id: string): Promise<Delivery | undefined> {
      const now = kernel.now();
      const [claimed] = await tx
        .update(d)
        .set({ leaseUntil: new Date(now.getTime() + leaseMs), attempts: sql`${d.attempts} + 1`, updatedAt: now })
        .where(and(eq(d.id, id), or(isNull(d.leaseUntil), lt(d.leaseUntil, now))))
        .returning();
      return claimed;
    },
    async start(): Promise<void> {
      stopped = false;
      await database.listen(OUTBOX_CHANNEL, kick);
      const interval = options.pollIntervalMs ?? 1000;
      if (interval > 0) {
        poller = setInterval(kick, interval);
        poller.unref();
      }
      kick();
    },
    /** Stops claiming and waits for the attempts in flight (bounded by their timeout). */
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(poller);
      while (pumping || inFlight.size > 0) await Promise.allSettled([pumping, ...inFlight]);
    },
  };
}

export type DeliveryService = ReturnType<typeof createDeliveryService>;
