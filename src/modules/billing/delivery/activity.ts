import type { Executor } from '../../../kernel/db/database';
import { newId } from '../../../kernel/db/ids';
import { invoiceActivities } from './tables';

export interface ActivityEntry {
  organizationId: string;
  invoiceId: string;
  /** `created`, `finalized`, `sent`, `viewed`, `overdue`, `voided`, `email_bounced`, … */
  type: string;
  actorId?: string | null;
  actorType?: string | null;
  emailMessageId?: string | null;
  recipient?: string | null;
  details?: Record<string, unknown>;
  at?: Date;
}

/** Adds one entry to an invoice's timeline, in the caller's transaction. */
export async function recordActivity(tx: Executor, entry: ActivityEntry): Promise<string> {
  const id = newId('iac');
  await tx.insert(invoiceActivities).values({
    id,
    organizationId: entry.organizationId,
    invoiceId: entry.invoiceId,
    type: entry.type,
    actorId: entry.actorId ?? null,
    actorType: entry.actorType ?? null,
    emailMessageId: entry.emailMessageId ?? null,
    recipient: entry.recipient ?? null,
    details: entry.details ?? {},
    ...(entry.at ? { createdAt: entry.at } : {}),
  });
  return id;
}

/** `invoice.finalized` → `finalized`: the timeline entry of a lifecycle event. */
export const activityTypeOf = (eventType: string) => eventType.replace(/^invoice\./, '');
