import { and, eq } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from '../../kernel/db/database';
import { notFound } from '../../kernel/http/problem';

/**
 * The loader of one billing table's rows: the row with this id of the caller's organization
 * (`owner`: its id, or an actor of it), locked FOR UPDATE with `lock`. None, or another
 * organization's: 404 `code`.
 */
export function loaderOf<Row>(table: PgTable, columns: { id: AnyPgColumn; organizationId: AnyPgColumn }, code: string) {
  return async (executor: Executor, owner: string | { organizationId: string }, id: string, lock = false): Promise<Row> => {
    const organizationId = typeof owner === 'string' ? owner : owner.organizationId;
    const query = executor.select().from(table).where(and(eq(columns.organizationId, organizationId), eq(columns.id, id)));
    const [row] = lock ? await query.for('update') : await query;
    if (!row) throw notFound(code);
    return row as Row;
  };
}
