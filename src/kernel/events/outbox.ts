import type { Executor } from '../db/database';
import { newId } from '../db/ids';
import { outboxEvents } from './tables';

export interface DomainEvent {
  organizationId: string;
  /** `resource.action`, e.g. `user.registered`, `security.failed_login`. */
  type: string;
  /** The resource as the API returns it (never secrets). */
  data: Record<string, unknown>;
}

/** Appends a domain event in the caller's transaction (outbox): it exists only if the change commits. */
export async function emitEvent(tx: Executor, event: DomainEvent): Promise<string> {
  const id = newId('evt');
  await tx.insert(outboxEvents).values({ id, organizationId: event.organizationId, type: event.type, data: event.data });
  return id;
}
