import { escapeLike } from '../../../kernel/db/like';
import { and, eq, gte, ilike, lte, or } from 'drizzle-orm';
import type { Actor } from '../../../kernel/auth/actor';
import type { Executor } from '../../../kernel/db/database';
import { paginateItems, type CursorCodec } from '../../../kernel/http/pagination';
import type { ListInvoicesQuery } from './schemas';
import { invoices as t } from './tables';

/** GET /invoices: the caller's organization's invoices, filtered, newest first by default; items as JSON text. */
export async function listInvoices(executor: Executor, actor: Actor, query: ListInvoicesQuery, cursors: CursorCodec) {
  const pattern = query.q ? `%${escapeLike(query.q)}%` : null;
  // The item the database keeps written (list-item.ts).
  return paginateItems({
    executor,
    table: t,
    item: t.listItem,
    where: and(
      eq(t.organizationId, actor.organizationId),
      query.status ? eq(t.status, query.status) : undefined,
      query.client_id ? eq(t.clientId, query.client_id) : undefined,
      query.currency ? eq(t.currency, query.currency.toUpperCase()) : undefined,
      query.overdue === undefined ? undefined : eq(t.overdue, query.overdue),
      query.issued_after ? gte(t.issueDate, query.issued_after) : undefined,
      query.issued_before ? lte(t.issueDate, query.issued_before) : undefined,
      pattern ? or(ilike(t.number, pattern), ilike(t.notes, pattern)) : undefined,
    ),
    sortColumns: { created_at: t.createdAt, issue_date: t.issueDate },
    idColumn: t.id,
    params: query,
    cursors,
  });
}
