import { inArray } from 'drizzle-orm';
import type { Database, Executor } from '../db/database';
import { groupBy } from '../db/group';
import { newId } from '../db/ids';
import type { AttemptResult } from './send';
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from './tables';

type Delivery = typeof webhookDeliveries.$inferSelect;
type Endpoint = typeof webhookEndpoints.$inferSelect;

interface Success {
  delivery: Delivery;
  endpoint: Endpoint;
  result: AttemptResult;
  settle: (error?: unknown) => void;
}

/** Bound of one group: its INSERT binds 10 parameters per attempt, far below PostgreSQL's 65,535. */
const MAX_GROUP = 500;

/**
 * Records succeeded attempts in groups (a group commit): the successes that arrive while a group
 * is being written form the next one, so N deliveries cost one transaction (one INSERT of the
 * attempts, one UPDATE of the deliveries per status code) instead of N. A success waits for no
 * timer: the first one of a quiet moment is written as soon as the attempts that ended in the same
 * turn of the event loop have joined it. On the embedded database every statement runs in the
 * server's own thread, and was most of its work under a steady webhook load; on PostgreSQL each
 * commit is a WAL flush. Failed attempts, rarer and with more to decide, are recorded one by one.
 * A group the database refuses is written again one success at a time, so that a bad row fails
 * alone (its lease then runs out and it is attempted again, as after a crash).
 */
export function createSuccessRecorder(database: Database, now: () => Date) {
  const waiting: Success[] = [];
  let writing = false;

  /** Writes the successes in one transaction; answers what it failed with, or undefined. */
  const tryWrite = (group: Success[]): Promise<unknown> =>
    database.transaction((tx) => write(tx, group, now())).then(
      () => undefined,
      (error: unknown) => error ?? new Error('recording the successes failed'),
    );

  async function writeGroups(): Promise<void> {
    writing = true;
    while (waiting.length > 0) {
      const group = waiting.splice(0, MAX_GROUP);
      const error = await tryWrite(group);
      if (error === undefined || group.length === 1) for (const success of group) success.settle(error);
      // One row the database refuses must not hold back the others: each on its own.
      else for (const success of group) success.settle(await tryWrite([success]));
    }
    writing = false;
  }

  return {
    /** Resolves once the attempt and the delivery's new state are committed; rejects if that fails. */
    record(delivery: Delivery, endpoint: Endpoint, result: AttemptResult): Promise<void> {
      return new Promise((resolve, reject) => {
        waiting.push({ delivery, endpoint, result, settle: (error) => (error === undefined ? resolve() : reject(error)) });
        if (waiting.length === 1 && !writing) setImmediate(() => void writeGroups());
      });
    },
  };
}

async function write(tx: Executor, group: Success[], at: Date): Promise<void> {
  await tx.insert(webhookAttempts).values(
    group.map(({ delivery, result }) => ({
      id: newId('wha'),
      organizationId: delivery.organizationId,
      deliveryId: delivery.id,
      attempt: delivery.attempts,
      attemptedAt: at,
      statusCode: result.statusCode,
      responseBody: result.body,
      durationMs: result.durationMs,
      error: null,
      succeeded: true,
    })),
  );
  for (const [statusCode, successes] of groupBy(group, (success) => success.result.statusCode)) {
    await tx
      .update(webhookDeliveries)
      .set({ status: 'succeeded', leaseUntil: null, lastStatusCode: statusCode, lastError: null, nextAttemptAt: null, completedAt: at, updatedAt: at })
      .where(inArray(webhookDeliveries.id, successes.map((success) => success.delivery.id)));
  }
  // An endpoint that was failing has recovered.
  const recovered = [...new Set(group.filter((success) => success.endpoint.failingSince).map((success) => success.endpoint.id))];
  if (recovered.length > 0) await tx.update(webhookEndpoints).set({ failingSince: null }).where(inArray(webhookEndpoints.id, recovered));
}
