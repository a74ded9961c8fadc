import { sql } from 'drizzle-orm';
import type { Executor } from '../../../kernel/db/database';
import { renderNumber, sequenceScope } from '../numbering';
import { documentSequences } from './tables';

/**
 * The next number of a document kind, rendered with `pattern` for `date`. The counter row stays
 * locked until the caller's transaction ends: concurrent finalizations queue on it, and a rollback
 * gives the number back, so numbers are unique and without gaps.
 */
export async function nextNumber(tx: Executor, organizationId: string, kind: 'invoice' | 'credit_note', pattern: string, date: Date): Promise<string> {
  const scope = sequenceScope(pattern, date);
  const [row] = await tx
    .insert(documentSequences)
    .values({ organizationId, kind, scope, lastValue: 1 })
    .onConflictDoUpdate({ target: [documentSequences.organizationId, documentSequences.kind, documentSequences.scope], set: { lastValue: sql`${documentSequences.lastValue} + 1` } })
    .returning({ value: documentSequences.lastValue });
  return renderNumber(pattern, date, row!.value);
}
