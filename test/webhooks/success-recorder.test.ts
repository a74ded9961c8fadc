/**
 * The grouped recording of successes (src/kernel/webhooks/successes.ts) on a real database: a row
 * the database refuses fails alone, and the others of its group are recorded all the same.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Database } from '../../src/kernel/db/database';
import { newId } from '../../src/kernel/db/ids';
import type { AttemptResult } from '../../src/kernel/webhooks/send';
import { createSuccessRecorder } from '../../src/kernel/webhooks/successes';
import { webhookAttempts, webhookDeliveries, type webhookEndpoints } from '../../src/kernel/webhooks/tables';
import { openTestDatabase } from '../support/database';

type Delivery = typeof webhookDeliveries.$inferSelect;
type Endpoint = typeof webhookEndpoints.$inferSelect;

let database: Database;
beforeAll(async () => {
  database = await openTestDatabase();
});
afterAll(() => database.close());

const answered = (statusCode: number): AttemptResult => ({ succeeded: true, statusCode, body: 'ok', durationMs: 12, error: null, retryAfterSeconds: null });
// What the recorder reads of the endpoint: whether it was failing.
const endpoint = { id: 'whe_recorder', failingSince: null } as Endpoint;

it('records a group of successes in one go, and when the database refuses one row, the others all the same', async () => {
  const now = new Date();
  const rows = await database.db
    .insert(webhookDeliveries)
    .values(['a', 'b', 'c'].map((n) => ({ id: newId('msg'), organizationId: 'org_recorder', endpointId: endpoint.id, eventType: `test.${n}`, payload: '{}', attempts: 1, nextAttemptAt: now, leaseUntil: new Date(now.getTime() + 60_000) })))
    .returning();
  const [first, second, third] = rows as [Delivery, Delivery, Delivery];
  const recorder = createSuccessRecorder(database, () => now);

  // Recorded in the same turn: one group. The second row breaks a NOT NULL constraint.
  const outcomes = await Promise.allSettled([
    recorder.record(first, endpoint, answered(200)),
    recorder.record({ ...second, organizationId: null as unknown as string }, endpoint, answered(200)),
    recorder.record(third, endpoint, answered(204)),
  ]);
  expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);

  const stored = new Map((await database.db.select().from(webhookDeliveries)).map((row) => [row.id, row]));
  expect(stored.get(first.id)).toMatchObject({ status: 'succeeded', lastStatusCode: 200, leaseUntil: null, completedAt: now });
  expect(stored.get(third.id)).toMatchObject({ status: 'succeeded', lastStatusCode: 204, leaseUntil: null, completedAt: now });
  // The refused one is left as it was: leased, pending, attempted again once its lease runs out.
  expect(stored.get(second.id)).toMatchObject({ status: 'pending', lastStatusCode: null, completedAt: null });
  expect(stored.get(second.id)!.leaseUntil).not.toBeNull();

  const attempts = await database.db.select().from(webhookAttempts);
  expect(attempts.map((a) => [a.deliveryId, a.statusCode, a.succeeded]).sort()).toEqual(
    [[first.id, 200, true], [third.id, 204, true]].sort(),
  );
  expect(await database.db.select().from(webhookAttempts).where(eq(webhookAttempts.deliveryId, second.id))).toEqual([]);
});
