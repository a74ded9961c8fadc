import { and, asc, eq, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Executor } from '../db/database';
import { newId } from '../db/ids';
import { outboxEvents } from './tables';

/** Notified (by a trigger, migration 0006) when events commit, so dispatchers wake without polling. */
export const OUTBOX_CHANNEL = 'deskbase_outbox';
/** Advisory-lock namespace (first key) of per-organization event ordering. */
const ORDER_LOCK = 0x6f757462;

export interface DomainEvent {
  organizationId: string;
  /** `resource.action`, e.g. `user.registered`, `security.failed_login`. */
  type: string;
  /** The resource as the API returns it (never secrets). */
  data: Record<string, unknown>;
}

export type OutboxEvent = typeof outboxEvents.$inferSelect;

/**
 * Appends a domain event in the caller's transaction (outbox): it exists only if the change
 * commits. The lock, held until that commit, makes one organization's events take their
 * sequence numbers in commit order, so dispatching by sequence is dispatching in commit order.
 * Its price: one organization's event-writing transactions commit one at a time (each waits
 * for the previous one's disk flush, ~3.5 ms on the bench machine; docs/webhooks.md).
 */
export async function emitEvent(tx: Executor, event: DomainEvent): Promise<string> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${ORDER_LOCK}, hashtext(${event.organizationId}))`);
  const id = newId('evt');
  await tx.insert(outboxEvents).values({ id, organizationId: event.organizationId, type: event.type, data: event.data });
  return id;
}

/** The oldest events not yet dispatched, in sequence (= per-organization commit) order. */
export function undispatchedEvents(tx: Executor, limit: number): Promise<OutboxEvent[]> {
  return tx.select().from(outboxEvents).where(isNull(outboxEvents.dispatchedAt)).orderBy(asc(outboxEvents.sequence)).limit(limit);
}

export async function markDispatched(tx: Executor, ids: string[], at: Date): Promise<void> {
  if (ids.length > 0) await tx.update(outboxEvents).set({ dispatchedAt: at }).where(inArray(outboxEvents.id, ids));
}

/** Deletes dispatched events created before `before` (they are listed for 30 days). */
export async function pruneEvents(executor: Executor, before: Date): Promise<void> {
  await executor.delete(outboxEvents).where(and(isNotNull(outboxEvents.dispatchedAt), lt(outboxEvents.createdAt, before)));
}

/** Events an organization's changes recorded from `from` to `to` (UTC days, both included): a measure of activity. */
export async function countEvents(executor: Executor, organizationId: string, from: string, to: string): Promise<number> {
  const [row] = await executor
    .select({ n: sql<number>`count(*)::int` })
    .from(outboxEvents)
    .where(and(eq(outboxEvents.organizationId, organizationId), sql`${outboxEvents.createdAt} >= ${from}::date AND ${outboxEvents.createdAt} < ${to}::date + 1`));
  return row?.n ?? 0;
}
